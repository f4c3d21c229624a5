// One run of the browser consent flow: callback server up, consent URL out
// (browser and terminal), wait for the callback or a paste, then trade the
// code at LWA. Returns the new tokens; storing them is the caller's job.

import { createInterface } from 'node:readline';
import type { CommandContext } from '../context.js';
import type { AppRecord, Role } from '../config/config.js';
import { FlowError, UsageError } from '../errors.js';
import type { Marketplace } from '../amazon/marketplaces.js';
import { consentOrigin, consentUrl } from '../amazon/consent.js';
import { lwaOptions } from '../amazon/endpoints.js';
import { exchangeCode } from '../amazon/lwa.js';
import { createState } from './state.js';
import { anotherPortHint, listenTarget } from './loopback.js';
import { startCallbackServer, type CallbackResult } from './callback-server.js';
import { startProgress, type Progress } from './progress.js';

export interface AuthorizeOptions {
  appName: string;
  app: AppRecord;
  clientSecret: string;
  marketplace: Marketplace;
  role: Role;
  openBrowser: boolean;
  port?: number;
  timeoutSeconds: number;
}

export interface AuthorizeResult {
  refreshToken: string;
  sellingPartnerId?: string;
  via: CallbackResult['via'];
}

export async function authorize(ctx: CommandContext, opts: AuthorizeOptions): Promise<AuthorizeResult> {
  const { deps, out } = ctx;
  const origin = consentOrigin(opts.marketplace, opts.role, deps.env.AMZ_TOKEN_CENTRAL_URL);
  // Read before the browser opens: a bad AMZ_TOKEN_LWA_URL is a usage error now, not after consent.
  const lwa = { ...lwaOptions(deps.env), appName: opts.appName };
  const target = listenTarget(opts.app.redirectUri, opts.port, opts.appName);
  let progress: Progress | undefined;
  // Messages that arrive while the spinner runs go above its line, not into it.
  const aboveSpinner = (write: () => void, afterTypedLine?: boolean) => (progress ? progress.print(write, afterTypedLine) : write());
  const server = await startCallbackServer({
    host: '127.0.0.1',
    port: target.port,
    path: target.path,
    expectedState: (port) => createState(port, deps.randomBytes),
    centralOrigin: origin,
    draft: opts.app.draft,
    log: (line) => aboveSpinner(() => out.warn(line)),
    anotherPort: anotherPortHint(target, opts.app.redirectUri, opts.appName),
  });

  let stopWaiting: (error: Error) => void = () => {};
  const interrupted = new Promise<never>((_, reject) => (stopWaiting = reject));
  interrupted.catch(() => {}); // may settle after the race is over
  // Nothing is stored before authorize() returns, so a signal can end the wait
  // and the exchange alike; the caller guards the short store step itself.
  const removeSignalHandler = deps.onSignal((signal) => {
    stopWaiting(new FlowError(`cancelled by ${signal}; nothing was stored`));
  });
  const timer = setTimeout(
    () => stopWaiting(new FlowError(`no authorization arrived within ${opts.timeoutSeconds} s; nothing was stored`, 'run the command again; the seller must press Confirm within the time')),
    opts.timeoutSeconds * 1000,
  );
  const paste = readPastes(ctx, (line) => server.submitPasted(line), aboveSpinner);

  try {
    const url = consentUrl({ origin, applicationId: opts.app.appId, state: server.state, redirectUri: opts.app.redirectUri, draft: opts.app.draft });
    out.info(`Callback server listening on ${server.url}${target.mode === 'relay' ? ` (relay mode: ${opts.app.redirectUri} forwards here)` : ''}.`);
    out.info(`Open this URL, sign in as the ${opts.role}, tick "I authorize" and press Confirm:`);
    out.warn(`\n  ${url}\n`);
    if (opts.openBrowser) {
      await deps.openBrowser(url).catch((error: Error) => out.warn(`could not open a browser (${error.message}); open the URL above yourself`));
    }
    out.info('If the browser cannot reach this machine, paste the address it ends on (or just the code) here and press Enter.');
    progress = startProgress(ctx, opts.timeoutSeconds);
    const callback = await Promise.race([server.result, interrupted]);
    progress.stop();
    clearTimeout(timer); // the timeout is for the seller; LWA has its own
    out.info(`Received the authorization code${callback.via === 'paste' ? ' (pasted)' : ''}; exchanging it at Login with Amazon...`);
    const tokens = await Promise.race([
      exchangeCode(
        lwa,
        { clientId: opts.app.clientId, clientSecret: opts.clientSecret },
        callback.code,
        opts.app.redirectUri,
      ),
      interrupted,
    ]);
    return { refreshToken: tokens.refreshToken, ...(callback.sellingPartnerId ? { sellingPartnerId: callback.sellingPartnerId } : {}), via: callback.via };
  } finally {
    clearTimeout(timer);
    progress?.stop();
    paste.stop();
    removeSignalHandler();
    await server.close();
  }
}

/** Paste-back: every line on stdin is offered to the server. End of input only means no paste is coming. */
function readPastes(
  ctx: CommandContext,
  submit: (line: string) => { accepted: boolean; message: string },
  aboveSpinner: (write: () => void, afterTypedLine: boolean) => void,
): { stop(): void } {
  const { deps, out } = ctx;
  if (deps.stdinIsTTY && !ctx.global.input) return { stop() {} };
  const lines = createInterface({ input: deps.stdin, crlfDelay: Infinity, terminal: false });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    const { accepted, message } = submit(line);
    aboveSpinner(() => (accepted ? out.info(message) : out.warn(message)), deps.stdinIsTTY);
  });
  lines.on('error', () => {});
  return {
    stop() {
      lines.close();
      (deps.stdin as NodeJS.ReadStream).pause?.();
    },
  };
}
