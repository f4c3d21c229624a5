// The Application Management API's one operation: rotateApplicationClientSecret.
// POST /applications/2023-11-30/clientSecret on any SP-API endpoint, with a grantless
// token of scope client_credential:rotation; 204 and no body. The new secret travels
// only through the app's SQS queue. About one call a minute: a 429 is retried once,
// after the wait Amazon asks for (bounded), else reported.

import { AmazonUnavailableError, AppCredentialsError } from '../errors.js';
import { parseJsonObject, scrub, sendToAmazon, TransientFailure, type Sleep } from './http.js';

export const ROTATION_PATH = '/applications/2023-11-30/clientSecret';
const SERVICE = 'The Application Management API';
/** The longest Retry-After honoured; the operation's rate is one a minute. */
const MAX_RETRY_AFTER_S = 60;

export interface RotationCallOptions {
  origin: string;
  timeoutMs: number;
  app: string;
  sleep?: Sleep;
}

/** Asks Amazon to rotate the app's client secret. Resolves once Amazon answered 204. */
export async function rotateApplicationClientSecret(opts: RotationCallOptions, grantlessToken: string): Promise<void> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    let reply: Awaited<ReturnType<typeof sendToAmazon>>;
    try {
      reply = await sendToAmazon(SERVICE, `${opts.origin}${ROTATION_PATH}`, {
        method: 'POST',
        headers: { 'x-amz-access-token': grantlessToken, accept: 'application/json' },
        body: '',
        timeoutMs: opts.timeoutMs,
      });
    } catch (error) {
      // Not retried: the request may have rotated the secret. The queue will tell.
      if (error instanceof TransientFailure) throw unanswered(error.message);
      throw error;
    }
    const { status, text, headers } = reply;
    if (status === 204 || status === 200) return;
    if (status === 429 && attempt === 1) {
      const asked = Number(headers['retry-after']);
      const seconds = Number.isFinite(asked) && asked >= 0 ? Math.min(asked, MAX_RETRY_AFTER_S) : MAX_RETRY_AFTER_S;
      await sleep(seconds * 1000);
      continue;
    }
    throw rotationRefused(status, text, opts.app);
  }
}

function unanswered(reason: string): AmazonUnavailableError {
  return new AmazonUnavailableError(
    `${SERVICE} did not answer the rotation request (${reason}); it may or may not have rotated the secret`,
    'if it did, the new secret arrives on the queue: run amz-token app watch-secrets --once in a few minutes',
    reason,
  );
}

/** Amazon's answer other than 204, as the operator's one line. Pure. */
export function rotationRefused(status: number, text: string, app: string): AmazonUnavailableError | AppCredentialsError {
  const body = parseJsonObject(text);
  const first = Array.isArray(body?.errors) ? (body.errors[0] as Record<string, unknown> | undefined) : undefined;
  const code = typeof first?.code === 'string' ? scrub(first.code) : '';
  const said = [first?.message, first?.details].filter((v): v is string => typeof v === 'string').map(scrub).join(' ');
  const detail = `HTTP ${status}${code ? ` ${code}` : ''}${said ? `: ${said}` : ''}`;
  if (status === 429) {
    return new AmazonUnavailableError(`Amazon throttled the rotation of app "${app}" twice (${detail})`, 'the operation allows about one call a minute: retry in a few minutes', 'HTTP 429');
  }
  if (status >= 500) return unanswered(`HTTP ${status}`);
  if (/not enrolled for rotation notification/i.test(said)) {
    return new AppCredentialsError(
      `Amazon refused to rotate the secret of app "${app}": the app is not enrolled for rotation notifications`,
      'register the queue in Developer Console > Notification Preferences > "Application Client New Secret" (see docs/rotation.md)',
    );
  }
  if (/secret token you provided has expired/i.test(said)) {
    return new AppCredentialsError(
      `the client secret of app "${app}" has expired: it can no longer ask for its own rotation`,
      'rotate it in the Developer Console; the new secret arrives on the queue (amz-token app watch-secrets --once) or set it with amz-token app set-secret',
    );
  }
  if (status === 401 || status === 403) {
    return new AppCredentialsError(`Amazon refused to rotate the secret of app "${app}" (${detail})`, 'only seller apps that are not sandbox apps can rotate through the API');
  }
  return new AmazonUnavailableError(`Amazon refused to rotate the secret of app "${app}" (${detail})`, undefined, `HTTP ${status}`);
}
