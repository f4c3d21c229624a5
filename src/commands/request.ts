// `amz-token request` and `amz-token renew`: run the consent flow and store the
// new authorization. Renew keeps the old token until the new one is stored.

import { Option } from '@commander-js/extra-typings';
import { ExitCode, FlowError, UsageError } from '../errors.js';
import type { Config, ProfileRecord, Role } from '../config/config.js';
import { findApp, findProfile } from '../config/lookup.js';
import { keptContactWarning, replacedProfile, sameSellerRecorded } from '../config/replace-profile.js';
import { accounts } from '../secrets/accounts.js';
import { clientSecretOf } from '../secrets/credentials.js';
import { storeSecretThenConfig } from '../secrets/secret-then-config.js';
import type { AuthorizeOptions, AuthorizeResult } from '../flow/authorize.js';
import { withProfileFlowLock } from '../flow/lock.js';
import * as validate from '../validate.js';
import { authorizationExpiry } from '../expiry.js';
import { findMarketplace, type Marketplace } from '../amazon/marketplaces.js';
import { formatDate } from '../dates.js';
import { readConfig, type CommandContext } from '../context.js';
import { recordedIdentity } from '../config/identity.js';
import type { SellerIdentity } from '../amazon/identity.js';
import type { GrantTarget } from '../flow/same-seller.js';
import { helpFooter } from './help.js';
import { PROFILE_USAGE, requiredProfile, type CommandLine } from './command-line.js';
import { appNameOf, flowOptions } from './options.js';
import type { Program } from './command-line.js';

const { OK, USAGE, NOT_FOUND, FLOW_NOT_COMPLETED, AMAZON_UNAVAILABLE, STORE_UNAVAILABLE, APP_REJECTED } = ExitCode;
export const FLOW_EXIT_CODES = [OK, USAGE, NOT_FOUND, FLOW_NOT_COMPLETED, AMAZON_UNAVAILABLE, STORE_UNAVAILABLE, APP_REJECTED] as const;

export interface FlowFlags {
  openBrowser: boolean;
  port?: number;
  timeoutSeconds: number;
  /** request: replace an existing profile; renew: accept a different seller. */
  force: boolean;
}

export interface RequestOptions extends FlowFlags {
  profile: string;
  app: string;
  marketplace: Marketplace;
  vendor: boolean;
}

export interface RenewOptions extends FlowFlags {
  profile: string;
}

export function runRequest(ctx: CommandContext, opts: RequestOptions): Promise<ExitCode> {
  return withProfileFlowLock(ctx.deps, opts.profile, async () => {
    const config = await readConfig(ctx);
    const app = findApp(config, opts.app);
    if (config.profiles[opts.profile] && !opts.force) {
      throw new UsageError(`profile "${opts.profile}" exists already`, `renew it with: amz-token renew --profile ${opts.profile}`);
    }
    const role: Role = opts.vendor ? 'vendor' : 'seller';
    const result = await consent(ctx, { appName: opts.app, app, marketplace: opts.marketplace, role, ...flowFlags(opts) });
    const granted = await identityOrNothing(ctx, { profile: opts.profile, app: opts.app, marketplace: opts.marketplace.code }, result.accessToken);

    const authorizedAt = ctx.deps.now();
    const identity = recordedIdentity(granted, authorizedAt);
    const fresh: ProfileRecord = {
      app: opts.app,
      region: opts.marketplace.region,
      marketplace: opts.marketplace.code,
      role,
      sellingPartnerId: granted.sellerId ?? result.sellingPartnerId ?? 'UNKNOWN',
      authorizedAt: authorizedAt.toISOString(),
      expiresAt: authorizationExpiry(authorizedAt).toISOString(),
      ...(identity ? { identity } : {}),
    };
    // --force replaces the authorization, not the profile: its contact and last reminder stay (replace-profile.ts).
    let record = fresh;
    let replaced: ProfileRecord | undefined;
    await storeAuthorization(ctx, opts.profile, result.refreshToken, (latest) => {
      replaced = latest.profiles[opts.profile];
      if (replaced && !opts.force) throw new UsageError(`profile "${opts.profile}" was created by another command meanwhile`);
      record = latest.profiles[opts.profile] = replacedProfile(replaced, fresh);
    });
    const warning = keptContactWarning(opts.profile, replaced, record);
    if (warning) ctx.out.warn(warning);
    await summarize(ctx, opts.profile, record);
    return OK;
  });
}

export function runRenew(ctx: CommandContext, opts: RenewOptions): Promise<ExitCode> {
  return withProfileFlowLock(ctx.deps, opts.profile, async () => {
    const config = await readConfig(ctx);
    const profile = findProfile(config, opts.profile);
    const app = findApp(config, profile.app);
    const marketplace = findMarketplace(profile.marketplace);
    if (!marketplace) throw new UsageError(`profile "${opts.profile}" has an unknown marketplace "${profile.marketplace}"`);
    // Amazon names no account for vendor tokens (both identity calls are seller APIs), so the check
    // below could only refuse after the vendor confirmed: say so before the browser opens instead.
    if (profile.role === 'vendor' && !opts.force) {
      throw new UsageError(
        `profile "${opts.profile}" is a vendor's: Amazon names no account for vendor apps, so renew cannot check that the right account confirms`,
        `if you (or the vendor you send the consent URL to) will confirm as the right Vendor Central account: amz-token renew --profile ${opts.profile} --force`,
      );
    }
    // Read the keychain before the browser opens: a locked keychain fails now (8), not after consent.
    await (await ctx.deps.secretStore()).get(accounts.refreshToken(opts.profile));
    // A bare code names no seller, so the different-seller guard below could not check it.
    const result = await consent(ctx, { appName: profile.app, app, marketplace, role: profile.role, sellerMustBeNamed: !opts.force, ...flowFlags(opts) });
    // Who granted it, as Amazon says (the redirect's selling_partner_id is only the browser's word).
    const granted = await identityOrNothing(ctx, { profile: opts.profile, app: profile.app, marketplace: profile.marketplace }, result.accessToken);
    const otherSeller = result.sellingPartnerId && result.sellingPartnerId !== profile.sellingPartnerId && profile.sellingPartnerId !== 'UNKNOWN';
    if (otherSeller && !opts.force) {
      throw new FlowError(
        `Amazon authorized selling partner ${result.sellingPartnerId}, but profile "${opts.profile}" belongs to ${profile.sellingPartnerId}; nothing was stored`,
        'sign in to Seller Central as the right account and renew again, or pass --force to switch the profile to the new account',
      );
    }
    if (!opts.force) {
      const { sameSeller } = await import('../flow/same-seller.js');
      const verdict = await sameSeller(ctx, opts.profile, profile, granted, { clientId: app.clientId, clientSecret: await clientSecretOf(ctx.deps, profile.app) });
      if (!verdict.same) {
        throw new FlowError(
          `Amazon does not confirm that this authorization comes from the seller of profile "${opts.profile}" (${verdict.why}); nothing was stored`,
          'sign in to Seller Central as the right account and renew again, or pass --force to switch the profile to the new account',
        );
      }
    }

    if (!result.sellingPartnerId) ctx.out.warn("warning: a pasted bare code carries no selling partner id; keeping the profile's");
    const authorizedAt = ctx.deps.now();
    const identity = recordedIdentity(granted, authorizedAt);
    const sellingPartnerId = granted.sellerId ?? result.sellingPartnerId ?? profile.sellingPartnerId;
    const times = { authorizedAt: authorizedAt.toISOString(), expiresAt: authorizationExpiry(authorizedAt).toISOString(), ...(identity ? { identity } : {}) };
    // Built on the latest record, under the config lock: a contact set or a reminder sent while
    // the seller was at Amazon stays. One that now names another app or seller was changed meanwhile.
    let renewed: ProfileRecord | undefined;
    await storeAuthorization(ctx, opts.profile, result.refreshToken, (latest) => {
      const current = findProfile(latest, opts.profile);
      const moved = current.app !== profile.app || current.marketplace !== profile.marketplace || current.role !== profile.role;
      if (moved || (!opts.force && !sameSellerRecorded(current, profile) && current.sellingPartnerId !== profile.sellingPartnerId)) {
        throw new FlowError(`profile "${opts.profile}" was replaced by another command while its seller was at Amazon; nothing was stored`, `check it with amz-token profile show ${opts.profile}, then renew again`);
      }
      renewed = latest.profiles[opts.profile] = replacedProfile(current, { app: current.app, region: current.region, marketplace: current.marketplace, role: current.role, sellingPartnerId, ...times });
    });
    const warning = keptContactWarning(opts.profile, profile, renewed!);
    if (warning) ctx.out.warn(warning);
    await summarize(ctx, opts.profile, renewed!, profile.expiresAt);
    return OK;
  });
}

/** What Amazon says about the grant's seller; {} (nothing learned) when Amazon cannot say. */
async function identityOrNothing(ctx: CommandContext, target: GrantTarget, accessToken: string): Promise<SellerIdentity> {
  const { grantIdentity } = await import('../flow/same-seller.js');
  try {
    return await grantIdentity(ctx, target, accessToken);
  } catch (error) {
    ctx.out.warn(`warning: Amazon did not say whose authorization this is (${error instanceof Error ? error.message : 'unknown error'})`);
    return {};
  }
}

/** The client secret, then the browser flow (loaded only now: request and renew alone need it). */
async function consent(ctx: CommandContext, opts: Omit<AuthorizeOptions, 'clientSecret'>): Promise<AuthorizeResult> {
  const clientSecret = await clientSecretOf(ctx.deps, opts.appName);
  // Opened before the browser, even when AMZ_TOKEN_CLIENT_SECRET spared reading it: no store (8) fails now, not after consent.
  await ctx.deps.secretStore();
  const { authorize } = await import('../flow/authorize.js');
  return authorize(ctx, { ...opts, clientSecret });
}

function storeAuthorization(ctx: CommandContext, profile: string, refreshToken: string, change: (config: Config) => void) {
  return storeSecretThenConfig(ctx, {
    account: accounts.refreshToken(profile),
    secret: refreshToken,
    what: 'the new authorization',
    change,
    // A cached access token belongs to the old authorization.
    stale: [accounts.accessToken(profile)],
  });
}

async function summarize(ctx: CommandContext, profile: string, record: ProfileRecord, oldExpiresAt?: string): Promise<void> {
  if (ctx.global.json) {
    ctx.out.json({ profile, ...record, ...(oldExpiresAt ? { previousExpiresAt: oldExpiresAt } : {}) });
    return;
  }
  const where = (await ctx.deps.secretStore()).description;
  const now = ctx.deps.now();
  const expires = new Date(record.expiresAt);
  ctx.out.result(`${oldExpiresAt ? 'Renewed' : 'Authorized'} ${profile}: selling partner ${record.sellingPartnerId}, ${record.marketplace} (${record.region}), ${record.role}.`);
  if (oldExpiresAt) ctx.out.result(`Expiry moved from ${formatDate(new Date(oldExpiresAt), now)} to ${formatDate(expires, now)}.`);
  else ctx.out.result(`Expires ${formatDate(expires, now)}.`);
  ctx.out.result(`Renew before then with: amz-token renew --profile ${profile}   (refresh token stored in ${where})`);
}

function flowFlags(opts: FlowFlags): Pick<AuthorizeOptions, 'openBrowser' | 'timeoutSeconds' | 'port'> {
  return { openBrowser: opts.openBrowser, timeoutSeconds: opts.timeoutSeconds, ...(opts.port !== undefined ? { port: opts.port } : {}) };
}

/** The parsed flow flags as run functions take them. */
function flowFlagsOf(flags: { browser: boolean; port?: number; timeout: number; force?: true }): FlowFlags {
  return { openBrowser: flags.browser, timeoutSeconds: flags.timeout, force: flags.force === true, ...(flags.port !== undefined ? { port: flags.port } : {}) };
}

export function registerRequest(program: Program, line: CommandLine): void {
  program
    .command('request')
    .usage(PROFILE_USAGE)
    .description('authorize an app for a seller (or vendor) through the Seller Central consent page')
    .addOption(new Option('--app <name>', 'the registered app to authorize').argParser(appNameOf('--app')).makeOptionMandatory())
    .addOption(
      new Option('--marketplace <cc>', 'marketplace country code, e.g. DE; the region follows from it').argParser((value) => validate.marketplace(value)).makeOptionMandatory(),
    )
    .option('--vendor', 'use Vendor Central instead of Seller Central')
    .addOption(flowOptions.noBrowser())
    .addOption(flowOptions.port())
    .addOption(flowOptions.timeout())
    .addOption(flowOptions.force())
    .addHelpText(
      'after',
      helpFooter(
        ['amz-token request --profile shop-de --app my-app --marketplace DE', 'amz-token request --profile shop-us --app my-app --marketplace US --no-browser'],
        FLOW_EXIT_CODES,
      ),
    )
    .action((flags) => {
      const options: RequestOptions = {
        profile: requiredProfile(line),
        app: flags.app,
        marketplace: flags.marketplace,
        vendor: flags.vendor === true,
        ...flowFlagsOf(flags),
      };
      line.choose('request', options, runRequest);
    });

  program
    .command('renew')
    .usage(PROFILE_USAGE)
    .description("renew a profile's authorization for another year; the old token stays until the new one is stored")
    .addOption(flowOptions.noBrowser())
    .addOption(flowOptions.port())
    .addOption(flowOptions.timeout())
    .addOption(flowOptions.force())
    .addHelpText(
      'after',
      helpFooter(['amz-token renew --profile shop-de', 'amz-token renew --profile shop-de --no-browser --timeout 600'], FLOW_EXIT_CODES),
    )
    .action((flags) => line.choose('renew', { profile: requiredProfile(line), ...flowFlagsOf(flags) }, runRenew));
}
