// `amz-token import`: take in a refresh token made elsewhere (self-authorization,
// a plugin, an older tool) together with what we know of its dates.

import { Option } from '@commander-js/extra-typings';
import { ExitCode, UsageError } from '../errors.js';
import type { ProfileRecord } from '../config/config.js';
import { findApp } from '../config/lookup.js';
import { keptContactWarning, replacedProfile } from '../config/replace-profile.js';
import { accounts } from '../secrets/accounts.js';
import { readSecret } from '../secrets/input.js';
import { storeSecretThenConfig } from '../secrets/secret-then-config.js';
import * as validate from '../validate.js';
import { authorizationExpiry } from '../expiry.js';
import { formatDate } from '../dates.js';
import type { Marketplace, Region } from '../amazon/marketplaces.js';
import { readConfig, type CommandContext } from '../context.js';
import { helpFooter } from './help.js';
import { PROFILE_USAGE, requiredProfile, type CommandLine } from './command-line.js';
import { appNameOf, dateOf } from './options.js';
import type { Program } from './command-line.js';

export const IMPORT_EXIT_CODES = [ExitCode.OK, ExitCode.USAGE, ExitCode.NOT_FOUND, ExitCode.STORE_UNAVAILABLE, ExitCode.CANCELLED] as const;

export interface ImportOptions {
  profile: string;
  app: string;
  region: Region;
  marketplace: Marketplace;
  sellingPartnerId: string;
  vendor: boolean;
  /** Exactly one of the two dates is set. */
  authorizedAt?: Date;
  expiresAt?: Date;
  force: boolean;
}

export async function runImport(ctx: CommandContext, opts: ImportOptions): Promise<ExitCode> {
  const now = ctx.deps.now();
  // Dates that cannot be true are typos: refused before anything is read or stored.
  if (opts.authorizedAt) validate.notInFuture(opts.authorizedAt, now, '--authorized-at');
  if (opts.expiresAt) validate.plausibleExpiry(opts.expiresAt, now, '--expires-at');
  const config = await readConfig(ctx);
  findApp(config, opts.app);
  if (config.profiles[opts.profile] && !opts.force) {
    throw new UsageError(`profile "${opts.profile}" exists already`, `pass --force to replace it, or renew it instead: amz-token renew --profile ${opts.profile}`);
  }
  const token = await readSecret(ctx.deps, {
    what: 'refresh token',
    allowPrompt: ctx.global.input,
    check: (v) => (v.startsWith('Atzr|') ? undefined : 'that is not a refresh token: LWA refresh tokens start with "Atzr|"'),
  });
  const expiresAt = opts.expiresAt ?? authorizationExpiry(opts.authorizedAt!);
  const fresh: ProfileRecord = {
    app: opts.app,
    region: opts.region,
    marketplace: opts.marketplace.code,
    role: opts.vendor ? 'vendor' : 'seller',
    sellingPartnerId: opts.sellingPartnerId,
    ...(opts.authorizedAt ? { authorizedAt: opts.authorizedAt.toISOString() } : {}),
    expiresAt: expiresAt.toISOString(),
  };
  // --force replaces the authorization, not the profile: its contact and last reminder stay (replace-profile.ts).
  let record = fresh;
  let replaced: ProfileRecord | undefined;
  await storeSecretThenConfig(ctx, {
    account: accounts.refreshToken(opts.profile),
    secret: token,
    what: 'the imported token',
    change: (latest) => {
      findApp(latest, opts.app);
      replaced = latest.profiles[opts.profile];
      if (replaced && !opts.force) throw new UsageError(`profile "${opts.profile}" was created by another command meanwhile`);
      record = latest.profiles[opts.profile] = replacedProfile(replaced, fresh);
    },
    // A cached access token belongs to the token this one replaces.
    stale: [accounts.accessToken(opts.profile)],
  });

  const warning = keptContactWarning(opts.profile, replaced, record);
  if (warning) ctx.out.warn(warning);
  // Still worth importing (status then reports it, and the seller may have renewed
  // elsewhere), but not silently: the operator probably expected a live one.
  const expired = expiresAt.getTime() <= now.getTime();
  if (expired) {
    ctx.out.warn(
      `warning: this authorization expired on ${formatDate(expiresAt, now)}; amz-token status reports it as expired (exit 4) until it is renewed: amz-token renew --profile ${opts.profile}`,
    );
  }
  if (ctx.global.json) {
    ctx.out.json({ profile: opts.profile, ...record });
    return ExitCode.OK;
  }
  const store = await ctx.deps.secretStore();
  ctx.out.info(`Imported profile ${opts.profile}; its refresh token is in ${store.description}.`);
  ctx.out.info(`The authorization ${expired ? 'expired' : 'expires'} ${formatDate(expiresAt, now)}. Check it any time with: amz-token status --profile ${opts.profile}`);
  return ExitCode.OK;
}

export function registerImport(program: Program, line: CommandLine): void {
  program
    .command('import')
    .usage(`${PROFILE_USAGE} < refresh-token.txt`)
    .description('import an existing refresh token (read from stdin) as a profile')
    .addOption(new Option('--app <name>', 'the registered app the token belongs to').argParser(appNameOf('--app')).makeOptionMandatory())
    .addOption(new Option('--region <region>', 'na, eu or fe; follows from --marketplace, and must agree with it if given').argParser((value) => validate.region(value)))
    .addOption(new Option('--marketplace <cc>', 'marketplace country code, e.g. DE').argParser((value) => validate.marketplace(value)).makeOptionMandatory())
    .addOption(
      new Option('--selling-partner-id <id>', "the seller's or vendor's selling partner id").argParser((value) => validate.sellingPartnerId(value)).makeOptionMandatory(),
    )
    .option('--vendor', 'a Vendor Central authorization (default: seller)')
    .addOption(new Option('--authorized-at <date>', 'when the seller authorized (expiry is 365 days later)').argParser(dateOf('--authorized-at')))
    .addOption(new Option('--expires-at <date>', 'the expiry date, if that is what you know').argParser(dateOf('--expires-at')))
    .option('--force', 'replace an existing profile of the same name')
    .addHelpText(
      'after',
      helpFooter(
        ['amz-token import --profile shop-de --app my-app --marketplace DE \\\n      --selling-partner-id A3EXAMPLE12345 --authorized-at 2026-03-01 < refresh-token.txt'],
        IMPORT_EXIT_CODES,
      ),
    )
    .action((flags) => {
      const { marketplace, vendor = false } = flags;
      const region = validate.regionOfMarketplace(marketplace, flags.region ?? marketplace.region);
      if (vendor && !marketplace.vendorCentral) throw new UsageError(`marketplace ${marketplace.code} has no Vendor Central`);
      if ((flags.authorizedAt === undefined) === (flags.expiresAt === undefined)) {
        throw new UsageError('give exactly one of --authorized-at and --expires-at', 'the expiry is one year after the authorization');
      }
      const options: ImportOptions = {
        profile: requiredProfile(line),
        app: flags.app,
        region,
        marketplace,
        sellingPartnerId: flags.sellingPartnerId,
        vendor,
        ...(flags.authorizedAt ? { authorizedAt: flags.authorizedAt } : {}),
        ...(flags.expiresAt ? { expiresAt: flags.expiresAt } : {}),
        force: flags.force === true,
      };
      line.choose('import', options, runImport);
    });
}
