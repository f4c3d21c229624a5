// `amz-token import`: take in a refresh token made elsewhere (self-authorization,
// a plugin, an older tool) together with what we know of its dates.

import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { updateConfig, type ProfileRecord } from '../config/config.js';
import { accounts } from '../secrets/accounts.js';
import { readSecret } from '../secrets/input.js';
import * as validate from '../validate.js';
import { authorizationExpiry } from '../expiry.js';
import { formatDate } from './dates.js';
import { findApp, readConfig, requireProfileName, type CommandContext } from './context.js';
import { helpFooter } from './help.js';
import type { Marketplace, Region } from '../amazon/marketplaces.js';

export interface ImportOptions {
  profile: string;
  app: string;
  region: Region;
  marketplace: Marketplace;
  sellingPartnerId: string;
  vendor: boolean;
  authorizedAt?: Date;
  expiresAt?: Date;
  force: boolean;
}

export async function runImport(ctx: CommandContext, opts: ImportOptions): Promise<void> {
  if (opts.marketplace.region !== opts.region) {
    throw new UsageError(`marketplace ${opts.marketplace.code} belongs to region ${opts.marketplace.region}, not ${opts.region}`);
  }
  if (opts.vendor && !opts.marketplace.vendorCentral) throw new UsageError(`marketplace ${opts.marketplace.code} has no Vendor Central`);
  if ((opts.authorizedAt === undefined) === (opts.expiresAt === undefined)) {
    throw new UsageError('give exactly one of --authorized-at and --expires-at', 'the expiry is one year after the authorization');
  }
  const config = await readConfig(ctx);
  findApp(config, opts.app);
  if (config.profiles[opts.profile] && !opts.force) {
    throw new UsageError(`profile "${opts.profile}" exists already`, 'renew it with amz-token renew, or pass --force to replace it');
  }
  const token = await readSecret(ctx.deps, {
    what: 'refresh token',
    allowPrompt: ctx.global.input,
    check: (v) => (v.startsWith('Atzr|') ? undefined : 'that is not a refresh token: LWA refresh tokens start with "Atzr|"'),
  });
  const expiresAt = opts.expiresAt ?? authorizationExpiry(opts.authorizedAt!);
  const record: ProfileRecord = {
    app: opts.app,
    region: opts.region,
    marketplace: opts.marketplace.code,
    role: opts.vendor ? 'vendor' : 'seller',
    sellingPartnerId: opts.sellingPartnerId,
    ...(opts.authorizedAt ? { authorizedAt: opts.authorizedAt.toISOString() } : {}),
    expiresAt: expiresAt.toISOString(),
  };

  const store = await ctx.deps.secretStore();
  const previous = await store.get(accounts.refreshToken(opts.profile));
  await store.set(accounts.refreshToken(opts.profile), token);
  try {
    await updateConfig(ctx.deps.configDir, (c) => {
      findApp(c, opts.app);
      if (c.profiles[opts.profile] && !opts.force) throw new UsageError(`profile "${opts.profile}" was created by another command meanwhile`);
      c.profiles[opts.profile] = record;
    });
  } catch (error) {
    // The config write failed: put the keychain back as it was.
    if (previous === null) await store.delete(accounts.refreshToken(opts.profile)).catch(() => {});
    else await store.set(accounts.refreshToken(opts.profile), previous).catch(() => {});
    throw error;
  }
  await store.delete(accounts.accessToken(opts.profile)).catch(() => {});

  if (ctx.global.json) {
    ctx.out.json({ profile: opts.profile, ...record });
    return;
  }
  const now = ctx.deps.now();
  ctx.out.info(`Imported profile ${opts.profile}; its refresh token is in ${store.description}.`);
  ctx.out.info(`The authorization expires ${formatDate(expiresAt, now)}. Check it any time with: amz-token status --profile ${opts.profile}`);
}

export function registerImport(program: Command, ctxFor: (cmd: Command) => CommandContext): void {
  program
    .command('import')
    .description('import an existing refresh token (read from stdin) as a profile')
    .requiredOption('--app <name>', 'the registered app the token belongs to')
    .requiredOption('--region <region>', 'na, eu or fe')
    .requiredOption('--marketplace <cc>', 'marketplace country code, e.g. DE')
    .requiredOption('--selling-partner-id <id>', "the seller's or vendor's selling partner id")
    .option('--vendor', 'a Vendor Central authorization (default: seller)', false)
    .option('--authorized-at <date>', 'when the seller authorized (expiry is 365 days later)')
    .option('--expires-at <date>', 'the expiry date, if that is what you know')
    .option('--force', 'replace an existing profile of the same name', false)
    .addHelpText(
      'after',
      helpFooter(
        ['amz-token import --profile shop-de --app my-app --region eu --marketplace DE \\\n      --selling-partner-id A3EXAMPLE12345 --authorized-at 2026-03-01 < refresh-token.txt'],
        '0, 2, 5, 8',
      ),
    )
    .action(async (o: Record<string, string | boolean | undefined>, cmd: Command) => {
      const ctx = ctxFor(cmd);
      await runImport(ctx, {
        profile: requireProfileName(ctx),
        app: validate.appName(String(o.app), '--app'),
        region: validate.region(String(o.region)),
        marketplace: validate.marketplace(String(o.marketplace)),
        sellingPartnerId: validate.sellingPartnerId(String(o.sellingPartnerId)),
        vendor: o.vendor === true,
        authorizedAt: typeof o.authorizedAt === 'string' ? validate.date(o.authorizedAt, '--authorized-at') : undefined,
        expiresAt: typeof o.expiresAt === 'string' ? validate.date(o.expiresAt, '--expires-at') : undefined,
        force: o.force === true,
      });
    });
}
