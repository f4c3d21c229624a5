// `amz-token request` and `amz-token renew`: run the consent flow and store the
// new authorization. Renew keeps the old token until the new one is stored.

import type { Command } from 'commander';
import { join } from 'node:path';
import { FlowError, StoreUnavailableError, UsageError } from '../errors.js';
import { updateConfig, type ProfileRecord, type Role } from '../config/config.js';
import { accounts } from '../secrets/accounts.js';
import type { SecretStore } from '../secrets/store.js';
import type { AuthorizeOptions, AuthorizeResult } from '../flow/authorize.js';
import { clientSecretOf } from '../secrets/credentials.js';
import * as validate from '../validate.js';
import { authorizationExpiry } from '../expiry.js';
import { findMarketplace, type Marketplace } from '../amazon/marketplaces.js';
import { formatDate } from './dates.js';
import { findApp, findProfile, readConfig, requireProfileName, type CommandContext } from './context.js';
import { helpFooter } from './help.js';

export interface FlowFlags {
  openBrowser: boolean;
  port?: number;
  timeoutSeconds: number;
}

export interface RequestOptions extends FlowFlags {
  profile: string;
  app: string;
  marketplace: Marketplace;
  vendor: boolean;
  force: boolean;
}

export async function runRequest(ctx: CommandContext, opts: RequestOptions): Promise<void> {
  await withProfileFlowLock(ctx, opts.profile, () => request(ctx, opts));
}

async function request(ctx: CommandContext, opts: RequestOptions): Promise<void> {
  const config = await readConfig(ctx);
  const app = findApp(config, opts.app);
  if (config.profiles[opts.profile] && !opts.force) {
    throw new UsageError(`profile "${opts.profile}" exists already`, `renew it with: amz-token renew --profile ${opts.profile}`);
  }
  const role: Role = opts.vendor ? 'vendor' : 'seller';
  const { result, store } = await consent(ctx, { appName: opts.app, app, marketplace: opts.marketplace, role, ...flowFlags(opts) });

  const authorizedAt = ctx.deps.now();
  const record: ProfileRecord = {
    app: opts.app,
    region: opts.marketplace.region,
    marketplace: opts.marketplace.code,
    role,
    sellingPartnerId: result.sellingPartnerId ?? 'UNKNOWN',
    authorizedAt: authorizedAt.toISOString(),
    expiresAt: authorizationExpiry(authorizedAt).toISOString(),
  };
  await storeAuthorization(ctx, opts.profile, result.refreshToken, (c) => {
    if (c.profiles[opts.profile] && !opts.force) throw new UsageError(`profile "${opts.profile}" was created by another command meanwhile`);
    c.profiles[opts.profile] = record;
  });
  summarize(ctx, opts.profile, record, store.description);
}

export interface RenewOptions extends FlowFlags {
  profile: string;
  force: boolean;
}

export async function runRenew(ctx: CommandContext, opts: RenewOptions): Promise<void> {
  await withProfileFlowLock(ctx, opts.profile, () => renew(ctx, opts));
}

async function renew(ctx: CommandContext, opts: RenewOptions): Promise<void> {
  const config = await readConfig(ctx);
  const profile = findProfile(config, opts.profile);
  const app = findApp(config, profile.app);
  const marketplace = findMarketplace(profile.marketplace);
  if (!marketplace) throw new UsageError(`profile "${opts.profile}" has an unknown marketplace "${profile.marketplace}"`);
  // Read the keychain before the browser opens: a locked keychain fails now (8), not after consent.
  await (await ctx.deps.secretStore()).get(accounts.refreshToken(opts.profile));
  const { result, store } = await consent(ctx, { appName: profile.app, app, marketplace, role: profile.role, ...flowFlags(opts) });

  if (result.sellingPartnerId && result.sellingPartnerId !== profile.sellingPartnerId && profile.sellingPartnerId !== 'UNKNOWN' && !opts.force) {
    throw new FlowError(
      `Amazon authorized selling partner ${result.sellingPartnerId}, but profile "${opts.profile}" belongs to ${profile.sellingPartnerId}; nothing was stored`,
      'sign in to Seller Central as the right account and renew again, or pass --force to switch the profile to the new account',
    );
  }
  if (!result.sellingPartnerId) ctx.out.warn('warning: a pasted bare code carries no selling partner id; keeping the profile\'s');
  const authorizedAt = ctx.deps.now();
  const renewed: ProfileRecord = {
    ...profile,
    sellingPartnerId: result.sellingPartnerId ?? profile.sellingPartnerId,
    authorizedAt: authorizedAt.toISOString(),
    expiresAt: authorizationExpiry(authorizedAt).toISOString(),
  };
  await storeAuthorization(ctx, opts.profile, result.refreshToken, (c) => {
    findProfile(c, opts.profile);
    c.profiles[opts.profile] = renewed;
  });
  summarize(ctx, opts.profile, renewed, store.description, profile.expiresAt);
}

/** The client secret, then the browser flow (loaded only now: request and renew alone need it). */
async function consent(ctx: CommandContext, opts: Omit<AuthorizeOptions, 'clientSecret'>): Promise<{ result: AuthorizeResult; store: SecretStore }> {
  const clientSecret = await clientSecretOf(ctx.deps, opts.appName);
  const store = await ctx.deps.secretStore();
  const { authorize } = await import('../flow/authorize.js');
  return { result: await authorize(ctx, { ...opts, clientSecret }), store };
}

/**
 * Keychain, then config. If the config write fails, the keychain gets the old
 * token back, so the profile is exactly as it was before the command.
 */
async function storeAuthorization(ctx: CommandContext, profile: string, refreshToken: string, change: Parameters<typeof updateConfig>[1]): Promise<void> {
  // A signal now would split keychain and config: hold it until both are written.
  let deferred: string | undefined;
  const restoreSignals = ctx.deps.onSignal((signal) => {
    deferred = signal;
    ctx.out.warn(`${signal} received: finishing storing the new authorization first`);
  });
  try {
    const store = await ctx.deps.secretStore();
    const account = accounts.refreshToken(profile);
    const previous = await store.get(account);
    await store.set(account, refreshToken);
    try {
      await updateConfig(ctx.deps.configDir, change);
    } catch (error) {
      if (previous === null) await store.delete(account).catch(() => {});
      else await store.set(account, previous).catch(() => {});
      throw error;
    }
    // A cached access token belongs to the old authorization.
    await store.delete(accounts.accessToken(profile)).catch(() => {});
  } finally {
    restoreSignals();
    if (deferred) ctx.out.warn(`stored completely despite ${deferred}`);
  }
}

/** One browser flow per profile at a time: a second request/renew is refused at once, not queued. */
async function withProfileFlowLock(ctx: CommandContext, profile: string, fn: () => Promise<void>): Promise<void> {
  const { ensurePrivateDir, tryFileLock } = await import('../config/atomic-file.js');
  try {
    await ensurePrivateDir(ctx.deps.configDir);
  } catch (error) {
    throw new StoreUnavailableError(`cannot create the config folder ${ctx.deps.configDir} (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  const lock = await tryFileLock(join(ctx.deps.configDir, `flow-${profile}`));
  if ('heldBy' in lock) {
    throw new FlowError(
      `another amz-token request or renew for profile "${profile}" is running${lock.heldBy ? ` (pid ${lock.heldBy})` : ''}`,
      'let it finish, or stop it, then run this again',
    );
  }
  try {
    await fn();
  } finally {
    await lock.release();
  }
}

function summarize(ctx: CommandContext, profile: string, record: ProfileRecord, where: string, oldExpiresAt?: string): void {
  if (ctx.global.json) {
    ctx.out.json({ profile, ...record, ...(oldExpiresAt ? { previousExpiresAt: oldExpiresAt } : {}) });
    return;
  }
  const now = ctx.deps.now();
  const expires = new Date(record.expiresAt);
  ctx.out.result(`${oldExpiresAt ? 'Renewed' : 'Authorized'} ${profile}: selling partner ${record.sellingPartnerId}, ${record.marketplace} (${record.region}), ${record.role}.`);
  if (oldExpiresAt) ctx.out.result(`Expiry moved from ${formatDate(new Date(oldExpiresAt), now)} to ${formatDate(expires, now)}.`);
  else ctx.out.result(`Expires ${formatDate(expires, now)}.`);
  ctx.out.result(`Renew before then with: amz-token renew --profile ${profile}   (refresh token stored in ${where})`);
}

function flowFlags(opts: FlowFlags): FlowFlags {
  return { openBrowser: opts.openBrowser, timeoutSeconds: opts.timeoutSeconds, ...(opts.port !== undefined ? { port: opts.port } : {}) };
}

function addFlowOptions(cmd: Command): Command {
  return cmd
    .option('--no-browser', 'print the consent URL instead of opening a browser (SSH, containers)')
    .option('--port <n>', 'loopback port of the callback server in relay mode (default 47613)')
    .option('--timeout <seconds>', 'give up waiting for the seller after this long', '300')
    .option('--force', 'replace an existing profile (request) or accept a different seller (renew)', false);
}

function parseFlowFlags(o: { browser?: boolean; port?: string; timeout: string }): FlowFlags {
  const timeoutSeconds = validate.nonNegativeInteger(o.timeout, '--timeout', 3600);
  if (timeoutSeconds === 0) throw new UsageError('--timeout must be at least 1 second');
  return {
    openBrowser: o.browser !== false,
    timeoutSeconds,
    ...(o.port !== undefined ? { port: validate.portNumber(o.port) } : {}),
  };
}

export function registerRequest(program: Command, ctxFor: (cmd: Command) => CommandContext): void {
  addFlowOptions(
    program
      .command('request')
      .description('authorize an app for a seller (or vendor) through the Seller Central consent page')
      .requiredOption('--app <name>', 'the registered app to authorize')
      .requiredOption('--marketplace <cc>', 'marketplace country code, e.g. DE; the region follows from it')
      .option('--vendor', 'use Vendor Central instead of Seller Central', false),
  )
    .addHelpText(
      'after',
      helpFooter(
        ['amz-token request --profile shop-de --app my-app --marketplace DE', 'amz-token request --profile shop-us --app my-app --marketplace US --no-browser'],
        '0 stored, 2 usage, 5 no such app or secret, 6 not completed (timeout, Ctrl-C, code rejected), 7 Amazon unreachable, 8 keychain unavailable, 9 app credentials rejected',
      ),
    )
    .action(async (o: { app: string; marketplace: string; vendor: boolean; force: boolean; browser?: boolean; port?: string; timeout: string }, cmd: Command) => {
      const ctx = ctxFor(cmd);
      await runRequest(ctx, {
        profile: requireProfileName(ctx),
        app: validate.appName(o.app, '--app'),
        marketplace: validate.marketplace(o.marketplace),
        vendor: o.vendor === true,
        force: o.force === true,
        ...parseFlowFlags(o),
      });
    });

  addFlowOptions(
    program.command('renew').description("renew a profile's authorization for another year; the old token stays until the new one is stored"),
  )
    .addHelpText(
      'after',
      helpFooter(
        ['amz-token renew --profile shop-de', 'amz-token renew --profile shop-de --no-browser --timeout 600'],
        '0 renewed, 2 usage, 5 no such profile, 6 not completed or a different seller, 7 Amazon unreachable, 8 keychain unavailable, 9 app credentials rejected',
      ),
    )
    .action(async (o: { force: boolean; browser?: boolean; port?: string; timeout: string }, cmd: Command) => {
      const ctx = ctxFor(cmd);
      await runRenew(ctx, { profile: requireProfileName(ctx), force: o.force === true, ...parseFlowFlags(o) });
    });

  program
    .command('relay-page')
    .description('print the static HTML page to host at an https redirect URI; it forwards Amazon\'s callback to amz-token')
    .option('--app <name>', 'the app whose redirect URI will serve the page (for the hint only)')
    .option('--port <n>', 'loopback port the page falls back to (match request/renew --port)', '47613')
    .addHelpText(
      'after',
      helpFooter(['amz-token relay-page > index.html   # then host it at the app\'s https redirect URI, also as its Login URI'], '0, 2, 5'),
    )
    .action(async (o: { app?: string; port: string }, cmd: Command) => {
      const ctx = ctxFor(cmd);
      const { renderRelayPage } = await import('../flow/relay-page.js');
      const { RELAY_CALLBACK_PATH } = await import('../flow/authorize.js');
      if (o.app !== undefined) {
        const app = findApp(await readConfig(ctx), validate.appName(o.app, '--app'));
        ctx.out.info(`Host this page at ${app.redirectUri} and register that URL as both the Redirect URI and the Login URI of the app.`);
      }
      ctx.out.result(renderRelayPage({ defaultPort: validate.portNumber(o.port), callbackPath: RELAY_CALLBACK_PATH }));
    });
}
