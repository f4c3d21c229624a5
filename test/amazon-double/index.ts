// A local stand-in for Amazon (Seller Central consent, LWA token endpoint, one
// Sellers API call) that enforces the rules in /work/shared/SPAPI.md, plus fault injection.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { formToRecord, jsonToRecord, listenLoopback, mediaType, readBody, sendJson, sendRaw, type ClosableServer } from './http.js';
import { Lwa, type LwaReply } from './lwa.js';
import { CALLBACK_PATH, CONFIRM_PATH, CONSENT_PATH, SellerCentral } from './seller-central.js';
import type { AmazonDouble, DoubleOptions, DoubleStore } from './types.js';
import {
  NOT_ENROLLED,
  OLD_SECRET_GRACE_MS,
  QUOTA_EXCEEDED,
  ROTATION_PATH,
  SECRET_LIFETIME_MS,
  newClientSecret,
  newSecretNotification,
  secretExpiryNotification,
  sendToQueue,
} from './rotation.js';

export type { AmazonDouble, DoubleApp, DoubleFaults, DoubleStore, DoubleOptions, RotationLogEntry, SellersRequestLogEntry, TokenRequestLogEntry } from './types.js';
export { ROTATION_PATH, newSecretNotification, secretExpiryNotification, sendToQueue } from './rotation.js';
export { startStaticServer, type StaticServer } from './static-server.js';

export const TOKEN_PATH = '/auth/o2/token';
export const PARTICIPATIONS_PATH = '/sellers/v1/marketplaceParticipations';
/** getMyFeesEstimateForASIN: POST /products/fees/v0/items/{Asin}/feesEstimate. */
const FEES_PATH = /^\/products\/fees\/v0\/items\/([A-Za-z0-9]{10})\/feesEstimate$/;

const MARKETPLACE_IDS: Record<string, { id: string; name: string }> = {
  DE: { id: 'A1PA6795UKMFR9', name: 'Amazon.de' },
  FR: { id: 'A13V1IB3VIYZZH', name: 'Amazon.fr' },
  IT: { id: 'APJ6JRA9NG5V4', name: 'Amazon.it' },
  ES: { id: 'A1RKKUPIHCS9HS', name: 'Amazon.es' },
  NL: { id: 'A1805IZSGTT6HS', name: 'Amazon.nl' },
  UK: { id: 'A1F83G8C2ARO7P', name: 'Amazon.co.uk' },
  US: { id: 'ATVPDKIKX0DER', name: 'Amazon.com' },
};

/** The Sellers API's answer for one seller's store: one entry per marketplace, each with its storeName. */
function participations(store: DoubleStore): { payload: unknown[] } {
  return {
    payload: store.marketplaces.map((code) => ({
      marketplace: { id: MARKETPLACE_IDS[code]?.id ?? `X${code}`, countryCode: code === 'UK' ? 'GB' : code, name: MARKETPLACE_IDS[code]?.name ?? code },
      participation: { isParticipating: true, hasSuspendedListings: false },
      storeName: store.storeName,
    })),
  };
}
const UNAUTHORIZED = { errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.' }] };
// What Amazon answers when the app's LWA client secret has expired (selling-partner-api-models#4489).
const SECRET_EXPIRED = {
  errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: 'The LWA secret token you provided has expired.' }],
};

/** Default body of an injected failure, in LWA's error shape. */
function faultReply(status: number): LwaReply {
  const error = status === 500 ? 'server_error' : 'temporarily_unavailable';
  return { status, body: { error, error_description: `Injected fault: HTTP ${status}` } };
}

export async function startAmazonDouble(options: DoubleOptions): Promise<AmazonDouble> {
  const now = options.now ?? Date.now;
  const apps = options.apps.map((app) => ({ ...app, redirectUris: [...app.redirectUris], oldSecrets: [...(app.oldSecrets ?? [])] }));
  const held: Array<{ queueUrl: string; body: string }> = [];
  const lwa = new Lwa(apps, now);
  const timers = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  /** Token replies held by faults.gatherTokenRequests. */
  const gathered: Array<() => void> = [];

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch(() => {
      // Never echo the error: it may quote a request body holding a client secret.
      sendRaw(res, 500, 'Internal error in amazon double', 'text/plain;charset=UTF-8');
    });
  };
  const server = await listenLoopback(handler);
  // The same Amazon over https, for client libraries that have Amazon's https hosts built in.
  const tlsServer: ClosableServer | undefined = options.tls ? await listenLoopback(handler, options.tls) : undefined;

  const double: AmazonDouble = {
    origin: server.origin,
    lwaUrl: `${server.origin}${TOKEN_PATH}`,
    spApiOrigin: server.origin,
    faults: {},
    sellingPartnerId: options.sellingPartnerId ?? 'A3TESTSELLER01',
    loginDetour: options.loginDetour ?? false,
    ...(tlsServer ? { tlsPort: Number(new URL(tlsServer.origin).port) } : {}),
    requests: [],
    sellersRequests: [],
    feesRequests: [],
    stores: {},
    setRoles(clientId, roles) {
      const app = lwa.appByClientId(clientId);
      if (!app) throw new Error(`amazon double: no app with client id ${clientId}`);
      if (roles === undefined) delete app.roles;
      else app.roles = [...roles];
    },
    maxInFlight: 0,
    issueCode({ applicationId, redirectUri, sellingPartnerId }) {
      const app = apps.find((candidate) => candidate.applicationId === applicationId);
      if (!app) throw new Error(`amazon double: no app with application id ${applicationId}`);
      return lwa.issueCode(app, redirectUri, sellingPartnerId ?? double.sellingPartnerId);
    },
    issueRefreshToken(clientId, sellingPartnerId) {
      return lwa.issueRefreshToken(clientId, sellingPartnerId ?? double.sellingPartnerId);
    },
    revoke(refreshToken) {
      lwa.revoke(refreshToken);
    },
    rotations: [],
    currentSecret(clientId) {
      const app = lwa.appByClientId(clientId);
      if (!app) throw new Error(`amazon double: no app with client id ${clientId}`);
      return app.clientSecret;
    },
    async deliverHeld() {
      for (const message of held.splice(0)) await sendToQueue(message.queueUrl, message.body);
    },
    async notifySecretExpiry(clientId, expiresAt) {
      const app = lwa.appByClientId(clientId);
      if (!app?.secretQueueUrl) throw new Error(`amazon double: app ${clientId} has no secret queue`);
      await sendToQueue(app.secretQueueUrl, secretExpiryNotification(app, expiresAt.getTime(), now()));
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all([server.close(), tlsServer?.close()]);
    },
  };

  // Getters, so a test that changes double.sellingPartnerId or loginDetour
  // affects the next consent.
  const sellerCentral = new SellerCentral(apps, lwa, {
    origin: server.origin,
    get sellingPartnerId() {
      return double.sellingPartnerId;
    },
    get loginDetour() {
      return double.loginDetour;
    },
  });

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', server.origin);
    switch (`${req.method ?? ''} ${url.pathname}`) {
      case `GET ${CONSENT_PATH}`:
        return sellerCentral.consent(url, res);
      case `POST ${CONFIRM_PATH}`:
        return sellerCentral.confirm(req, res);
      case `GET ${CALLBACK_PATH}`:
        return sellerCentral.callback(url, res);
      case `POST ${TOKEN_PATH}`:
        return token(req, res, url);
      case `POST ${ROTATION_PATH}`:
        return rotate(req, res);
      case `GET ${PARTICIPATIONS_PATH}`: {
        const accessToken = req.headers['x-amz-access-token'];
        if (double.faults.clientSecretExpired) return sendJson(res, 403, SECRET_EXPIRED);
        const seller = typeof accessToken === 'string' ? lwa.sellerOf(accessToken) : undefined;
        double.sellersRequests.push({ secure: isTls(req), accepted: seller !== undefined, at: now() });
        return seller ? sendJson(res, 200, participations(storeOf(seller.sellingPartnerId))) : sendJson(res, 403, UNAUTHORIZED);
      }
      default:
        if (req.method === 'POST' && FEES_PATH.test(url.pathname)) return fees(req, res, FEES_PATH.exec(url.pathname)![1]!);
        return sendRaw(res, 404, 'Not Found', 'text/plain;charset=UTF-8');
    }
  }

  function storeOf(sellingPartnerId: string): DoubleStore {
    return double.stores[sellingPartnerId] ?? { storeName: `Store ${sellingPartnerId}`, marketplaces: ['DE'] };
  }

  /**
   * getMyFeesEstimateForASIN. Needs the app's Pricing role (403 Unauthorized without it); for an
   * ASIN it does not know, Amazon answers 200 with Status ClientError, and still names the
   * caller in FeesEstimateIdentifier.SellerId (selling-partner-api-docs#492).
   */
  async function fees(req: IncomingMessage, res: ServerResponse, asin: string): Promise<void> {
    const body = await readBody(req);
    const accessToken = req.headers['x-amz-access-token'];
    const seller = typeof accessToken === 'string' ? lwa.sellerOf(accessToken) : undefined;
    const app = seller ? lwa.appByClientId(seller.clientId) : undefined;
    const answer = (status: number, reply: unknown) => {
      double.feesRequests.push({ status, at: now() });
      sendJson(res, status, reply);
    };
    if (!seller || !app || (app.roles !== undefined && !app.roles.includes('Pricing'))) return answer(403, UNAUTHORIZED);
    const request = (jsonToRecordDeep(body) as { FeesEstimateRequest?: { MarketplaceId?: unknown; Identifier?: unknown; IsAmazonFulfilled?: unknown; PriceToEstimateFees?: unknown } } | undefined)?.FeesEstimateRequest;
    if (!request || typeof request.MarketplaceId !== 'string' || typeof request.Identifier !== 'string' || request.PriceToEstimateFees === undefined) {
      return answer(400, { errors: [{ code: 'InvalidInput', message: 'Invalid Input', details: '' }] });
    }
    return answer(200, {
      payload: {
        FeesEstimateResult: {
          Status: 'ClientError',
          FeesEstimateIdentifier: {
            MarketplaceId: request.MarketplaceId,
            SellerId: seller.sellingPartnerId,
            IdType: 'ASIN',
            IdValue: asin,
            IsAmazonFulfilled: request.IsAmazonFulfilled === true,
            PriceToEstimateFees: request.PriceToEstimateFees,
            SellerInputIdentifier: request.Identifier,
          },
          Error: { Type: 'Sender', Code: 'InvalidParameterValue', Message: 'There is an client-side error. Please verify your inputs.', Detail: [] },
        },
      },
    });
  }

  /** rotateApplicationClientSecret: 204 at once; the new secret travels only through the app's queue. */
  async function rotate(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const accessToken = req.headers['x-amz-access-token'];
    const clientId = typeof accessToken === 'string' ? lwa.grantlessClient(accessToken, 'sellingpartnerapi::client_credential:rotation') : undefined;
    const app = clientId ? lwa.appByClientId(clientId) : undefined;
    const log = (status: number) => double.rotations.push({ clientId: clientId ?? '', status, at: now() });
    if (!app) {
      log(403);
      return sendJson(res, 403, UNAUTHORIZED);
    }
    if ((double.faults.rotationThrottled ?? 0) > 0) {
      double.faults.rotationThrottled! -= 1;
      log(429);
      res.setHeader('retry-after', String(double.faults.retryAfterSeconds ?? 1));
      return sendJson(res, 429, QUOTA_EXCEEDED);
    }
    if (!app.secretQueueUrl) {
      log(400);
      return sendJson(res, 400, NOT_ENROLLED);
    }
    const at = now();
    const secret = newClientSecret();
    app.oldSecrets!.push({ secret: app.clientSecret, until: at + OLD_SECRET_GRACE_MS });
    app.clientSecret = secret;
    const body = newSecretNotification(app, secret, at + SECRET_LIFETIME_MS, at + OLD_SECRET_GRACE_MS, at);
    log(204);
    res.writeHead(204).end();
    // After the reply, as Amazon does: the caller learns of the secret only from the queue.
    if (double.faults.holdNotifications) held.push({ queueUrl: app.secretQueueUrl, body });
    // The reply is sent: a failure here can only be logged (never the body: it holds the secret).
    else await sendToQueue(app.secretQueueUrl, body).catch((error: Error) => console.error(`amazon double: could not queue the new secret: ${error.name}`));
  }

  async function token(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    inFlight += 1;
    double.maxInFlight = Math.max(double.maxInFlight, inFlight);
    res.once('close', () => {
      inFlight -= 1;
    });
    const body = await readBody(req);
    // Real LWA takes JSON as well as forms: Amazon's Java and C# SDKs, bizon's @sp-api-sdk/auth and amazon-sp-api send JSON.
    const type = mediaType(req);
    const bodyKind = type === 'application/x-www-form-urlencoded' ? 'form' : type === 'application/json' ? 'json' : undefined;
    const form = bodyKind === 'form' ? formToRecord(body) : bodyKind === 'json' ? jsonToRecord(body) : undefined;
    double.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      ...(form ? { form } : {}),
      ...(bodyKind ? { body: bodyKind } : {}),
      secure: isTls(req),
      at: now(),
    });

    const faults = double.faults;
    if (faults.hang) return; // close() destroys the socket
    if (faults.delayMs !== undefined && faults.delayMs > 0) await sleep(faults.delayMs);
    if (faults.gatherTokenRequests !== undefined) {
      const wanted = faults.gatherTokenRequests;
      await new Promise<void>((resolve) => {
        gathered.push(resolve);
        if (gathered.length >= wanted) for (const release of gathered.splice(0)) release();
      });
    }
    const failing = faults.tokenStatus !== undefined && (faults.failTimes === undefined || faults.failTimes > 0);
    if (failing) {
      if (faults.failTimes !== undefined) faults.failTimes -= 1;
      const status = faults.tokenStatus!;
      if (faults.body !== undefined) return sendRaw(res, status, faults.body, 'application/json;charset=UTF-8');
      const reply = faultReply(status);
      return sendJson(res, reply.status, reply.body);
    }
    if (faults.body !== undefined && faults.tokenStatus === undefined) {
      return sendRaw(res, 200, faults.body, 'application/json;charset=UTF-8');
    }

    if (!form) {
      return sendJson(res, 400, {
        error: 'invalid_request',
        error_description: bodyKind === 'json' ? 'The request body is not a JSON object' : 'Content-Type must be application/x-www-form-urlencoded or application/json',
      });
    }
    const reply = lwa.token(form);
    sendJson(res, reply.status, reply.body);
  }

  return double;
}

function jsonToRecordDeep(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isTls(req: IncomingMessage): boolean {
  return (req.socket as TLSSocket).encrypted === true;
}
