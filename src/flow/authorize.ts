// One run of the browser consent flow: callback server up, consent URL out
// (browser and terminal), wait for the callback or a paste, then trade the
// code at LWA; a pasted code LWA rejects is set aside and the wait goes on.
// Returns the new tokens; storing them is the caller's job.

import type { CommandContext } from '../context.js';
import type { AppRecord, Role } from '../config/config.js';
import { FlowError } from '../errors.js';
import type { Marketplace } from '../amazon/marketplaces.js';
import { consentOrigin, consentUrl } from '../amazon/consent.js';
import { lwaOptions } from '../amazon/endpoints.js';
import { CodeRejectedError, exchangeCode } from '../amazon/lwa.js';
import { createState } from './state.js';
import { anotherPortHint, listenTarget } from './loopback.js';
import { startCallbackServer, type CallbackResult } from './callback-server.js';
import { afterRejectedCode } from './callback-verdict.js';
import { consentPageErrors } from './consent-errors.js';
import { openWaitingScreen, type WaitingScreen } from './progress.js';

export interface AuthorizeOptions {
  appName: string;
  app: AppRecord;
  clientSecret: string;
  marketplace: Marketplace;
  role: Role;
  openBrowser: boolean;
  port?: number;
  timeoutSeconds: number;
  /** renew without --force: take only codes that name their selling partner (no bare code). */
  sellerMustBeNamed?: boolean;
}

export interface AuthorizeResult {
  refreshToken: string;
  /** From the same exchange: to ask Amazon whose grant it is (same-seller.ts). */
  accessToken: string;
  sellingPartnerId?: string;
  via: CallbackResult['via'];
}

export async function authorize(ctx: CommandContext, opts: AuthorizeOptions): Promise<AuthorizeResult> {
  const { deps, out } = ctx;
  const origin = consentOrigin(opts.marketplace, opts.role, deps.env.AMZ_TOKEN_CENTRAL_URL);
  // Read before the browser opens: a bad AMZ_TOKEN_LWA_URL is a usage error now, not after consent.
  const lwa = { ...lwaOptions(deps.env), appName: opts.appName };
  const target = listenTarget(opts.app.redirectUri, opts.port, opts.appName);
  let screen: WaitingScreen | undefined;
  // While the screen is open, every message goes above what it draws, not into it.
  const say = (write: () => void) => (screen ? screen.print(write) : write());
  const server = await startCallbackServer({
    host: '127.0.0.1',
    port: target.port,
    path: target.path,
    expectedState: (port) => createState(port, deps.randomBytes),
    centralOrigin: origin,
    draft: opts.app.draft,
    ...(opts.sellerMustBeNamed ? { sellerMustBeNamed: true } : {}),
    log: (line) => say(() => out.warn(line)),
    anotherPort: anotherPortHint(target, opts.app.redirectUri, opts.appName),
  });

  let stopWaiting: (error: Error) => void = () => {};
  const interrupted = new Promise<never>((_, reject) => (stopWaiting = reject));
  interrupted.catch(() => {}); // may settle after the race is over
  // Nothing is stored before authorize() returns, so a signal can end the wait
  // and the exchange alike; the caller guards the short store step itself.
  const cancel = (signal: string) => stopWaiting(new FlowError(`cancelled by ${signal}; nothing was stored`));
  const removeSignalHandler = deps.onSignal(cancel);
  // The timeout is for the seller: it ends a wait, never an exchange at LWA (which has its own).
  const until = new Date(deps.now().getTime() + opts.timeoutSeconds * 1000);
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut()), opts.timeoutSeconds * 1000);
  });
  timeUp.catch(() => {});

  try {
    const url = consentUrl({ origin, applicationId: opts.app.appId, state: server.state, redirectUri: opts.app.redirectUri, draft: opts.app.draft });
    out.info(`Callback server listening on ${server.url}${target.mode === 'relay' ? ` (relay mode: ${opts.app.redirectUri} forwards here)` : ''}.`);
    out.info(`Open this URL, sign in as the ${opts.role}, tick "I authorize" and press Confirm:`);
    out.warn(`\n  ${url}\n`);
    if (opts.openBrowser) {
      await deps.openBrowser(url).catch((error: Error) => out.warn(`could not open a browser (${error.message}); open the URL above yourself`));
    }
    out.info('If the browser cannot reach this machine, paste the address it ends on here and press Enter.');
    const waiting = openWaitingScreen(ctx, { onLine: (line) => server.submitPasted(line), onInterrupt: () => cancel('Ctrl-C') });
    screen = waiting;
    // A pasted code LWA rejected ends the run after all once no other paste can come.
    let rejectedPaste: Promise<never> = new Promise<never>(() => {});
    for (;;) {
      waiting.spin(until);
      const candidate = await Promise.race([server.code(), interrupted, timeUp, rejectedPaste]).catch((error: unknown) => {
        waiting.pause();
        throw error instanceof TimedOut ? timedOut(ctx, opts, say) : error;
      });
      waiting.pause();
      say(() => out.info(`Received the authorization code${candidate.via === 'paste' ? ' (pasted)' : ''}; exchanging it at Login with Amazon...`));
      try {
        const tokens = await Promise.race([exchangeCode(lwa, { clientId: opts.app.clientId, clientSecret: opts.clientSecret }, candidate.code, opts.app.redirectUri), interrupted]);
        return { refreshToken: tokens.refreshToken, accessToken: tokens.accessToken, ...(candidate.sellingPartnerId ? { sellingPartnerId: candidate.sellingPartnerId } : {}), via: candidate.via };
      } catch (error) {
        if (!(error instanceof CodeRejectedError) || afterRejectedCode(candidate) === 'give-up') throw error;
        const answer = server.setAside(candidate, error.detail);
        say(() => out.warn(answer.message));
        rejectedPaste = waiting.inputEnded.then(() => Promise.reject(error));
        rejectedPaste.catch(() => {});
      }
    }
  } finally {
    clearTimeout(timer);
    screen?.close();
    screen = undefined;
    removeSignalHandler();
    await server.close();
  }
}

class TimedOut extends Error {}

/** The timeout's error, after the consent-page errors the seller may be looking at (amz-token cannot see them). */
function timedOut(ctx: CommandContext, opts: AuthorizeOptions, say: (write: () => void) => void): FlowError {
  say(() => {
    ctx.out.warn("No callback came. If Amazon's page showed an error instead of the Confirm button:");
    for (const line of consentPageErrors({ name: opts.appName, redirectUri: opts.app.redirectUri, draft: opts.app.draft })) ctx.out.warn(line);
  });
  return new FlowError(
    `no authorization arrived within ${opts.timeoutSeconds} s; nothing was stored`,
    'fix what the seller saw, as above, and run the command again; or the seller must press Confirm within --timeout',
  );
}
