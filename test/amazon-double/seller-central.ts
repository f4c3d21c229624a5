// The double's Seller Central: the consent page, Confirm/Cancel, and the Login
// URI detour with its callback. Mints codes through Lwa.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { appendQuery, formToRecord, mediaType, readBody, redirect, sendHtml } from './http.js';
import type { Lwa } from './lwa.js';
import { cancelledPage, consentPage, errorPage } from './pages.js';
import type { DoubleApp } from './types.js';

export const CONSENT_PATH = '/apps/authorize/consent';
export const CONFIRM_PATH = '/apps/authorize/confirm';
export const CALLBACK_PATH = '/apps/authorize/callback';

/** What one consent is about, kept server-side so the form carries only an opaque id. */
interface Consent {
  app: DoubleApp;
  redirectUri: string;
  state: string;
}

interface Detour {
  app: DoubleApp;
  redirectUri: string;
  sellingPartnerId: string;
}

/** Live view of the double's mutable settings, read at the moment of each request. */
export interface SellerCentralSettings {
  readonly origin: string;
  readonly sellingPartnerId: string;
  readonly loginDetour: boolean | 'relative';
}

const randomId = () => randomBytes(18).toString('base64url');

export class SellerCentral {
  private readonly consents = new Map<string, Consent>();
  private readonly detours = new Map<string, Detour>();

  constructor(
    private readonly apps: readonly DoubleApp[],
    private readonly lwa: Lwa,
    private readonly settings: SellerCentralSettings,
  ) {}

  consent(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const applicationId = q.get('application_id');
    const app = this.apps.find((candidate) => candidate.applicationId === applicationId);
    if (applicationId === null || !app) {
      return sendHtml(res, 400, errorPage('MD1000', 'Unable to find the application.', applicationId ?? undefined));
    }
    if (app.draft && q.get('version') !== 'beta') {
      return sendHtml(res, 400, errorPage('MD1000', 'Unable to find the application.', applicationId));
    }
    const requested = q.get('redirect_uri');
    if (requested !== null && requested.includes('#')) {
      return sendHtml(res, 400, errorPage('MD5110', 'The redirect URI must not contain a fragment.', applicationId));
    }
    if (requested !== null && !app.redirectUris.includes(requested)) {
      return sendHtml(res, 400, errorPage('MD5101', 'The redirect URI is not registered for this application.', applicationId));
    }
    const redirectUri = requested ?? app.redirectUris[0];
    if (redirectUri === undefined) {
      return sendHtml(res, 400, errorPage('MD5101', 'The application has no registered redirect URI.', applicationId));
    }
    const state = q.get('state');
    if (!state) {
      return sendHtml(res, 400, errorPage('MD9999', 'The request is missing the state parameter.', applicationId));
    }
    const consentId = randomId();
    this.consents.set(consentId, { app, redirectUri, state });
    sendHtml(res, 200, consentPage({ applicationId, sellingPartnerId: this.settings.sellingPartnerId, consentId }));
  }

  async confirm(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (mediaType(req) !== 'application/x-www-form-urlencoded') {
      return sendHtml(res, 400, errorPage('MD9999', 'Unexpected request.'));
    }
    const form = formToRecord(body);
    const consent = form.consent_id === undefined ? undefined : this.consents.get(form.consent_id);
    if (!consent) {
      return sendHtml(res, 400, errorPage('MD9999', 'This authorization request is unknown or was already answered.'));
    }
    const applicationId = consent.app.applicationId;
    if (form.action === 'cancel') {
      // Amazon documents no cancel redirect: the app never hears about it.
      this.consents.delete(form.consent_id!);
      return sendHtml(res, 200, cancelledPage(applicationId));
    }
    if (form.action !== 'confirm') {
      return sendHtml(res, 400, errorPage('MD9999', 'Unexpected request.', applicationId));
    }
    if (form.authorize !== 'yes') {
      // The consent stays open so the seller can tick the box and try again.
      return sendHtml(res, 400, errorPage('MD9999', 'Tick "I authorize" before you confirm.', applicationId));
    }
    this.consents.delete(form.consent_id!);
    const sellingPartnerId = this.settings.sellingPartnerId;
    const detour = this.settings.loginDetour;
    if (!detour) {
      return redirect(res, this.codeRedirect(consent.app, consent.redirectUri, consent.state, sellingPartnerId));
    }
    const amazonState = randomId();
    this.detours.set(amazonState, { app: consent.app, redirectUri: consent.redirectUri, sellingPartnerId });
    const callback = detour === 'relative' ? CALLBACK_PATH : `${this.settings.origin}${CALLBACK_PATH}`;
    redirect(
      res,
      appendQuery(consent.app.loginUri ?? consent.redirectUri, {
        amazon_callback_uri: callback,
        amazon_state: amazonState,
        selling_partner_id: sellingPartnerId,
        ...(consent.app.draft ? { version: 'beta' } : {}),
      }),
    );
  }

  /** The app's return leg of the detour: `amazon_callback_uri?amazon_state=...&state=...`. */
  callback(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const amazonState = q.get('amazon_state');
    const detour = amazonState === null ? undefined : this.detours.get(amazonState);
    if (!detour) {
      return sendHtml(res, 400, errorPage('MD9999', 'The authorization request is unknown or was already completed.'));
    }
    // Single use, even when the rest of this request is wrong.
    this.detours.delete(amazonState!);
    const applicationId = detour.app.applicationId;
    if (detour.app.draft && q.get('version') !== 'beta') {
      return sendHtml(res, 400, errorPage('MD1000', 'Unable to find the application.', applicationId));
    }
    const state = q.get('state');
    if (!state) {
      return sendHtml(res, 400, errorPage('MD9999', 'The request is missing the state parameter.', applicationId));
    }
    redirect(res, this.codeRedirect(detour.app, detour.redirectUri, state, detour.sellingPartnerId));
  }

  private codeRedirect(app: DoubleApp, redirectUri: string, state: string, sellingPartnerId: string): string {
    const code = this.lwa.issueCode(app, redirectUri, sellingPartnerId);
    return appendQuery(redirectUri, { state, selling_partner_id: sellingPartnerId, spapi_oauth_code: code });
  }
}
