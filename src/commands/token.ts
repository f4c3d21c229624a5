// `amz-token token`: a valid access token on stdout and nothing else, for
// curl -H "x-amz-access-token: $(amz-token token --profile shop-de)".

import { ExitCode } from '../errors.js';
import { recordedExpiryNotice } from '../expiry.js';
import { readConfig, type CommandContext } from '../context.js';
import { findApp, findProfile } from '../config/lookup.js';
import { GRANTLESS_SCOPES, type GrantlessScopeName } from '../secrets/accounts.js';
import { Option } from '@commander-js/extra-typings';
import { UsageError } from '../errors.js';
import { appNameOf } from './options.js';
import { helpFooter } from './help.js';
import { PROFILE_USAGE, requiredProfile, type CommandLine } from './command-line.js';
import type { Program } from './command-line.js';

export const TOKEN_EXIT_CODES = [
  ExitCode.OK,
  ExitCode.USAGE,
  ExitCode.EXPIRED,
  ExitCode.NOT_FOUND,
  ExitCode.AMAZON_UNAVAILABLE,
  ExitCode.STORE_UNAVAILABLE,
  ExitCode.APP_REJECTED,
] as const;

export interface TokenOptions {
  profile: string;
  /** --no-cache: ask Login with Amazon even if a cached token has time left. */
  cache: boolean;
}

export interface GrantlessTokenOptions {
  app: string;
  scope: GrantlessScopeName;
  cache: boolean;
}

/** `token --grantless --app APP --scope S`: the app's own token for grantless operations, cached like a seller's. */
export async function runGrantlessToken(ctx: CommandContext, opts: GrantlessTokenOptions): Promise<ExitCode> {
  const config = await readConfig(ctx);
  findApp(config, opts.app);
  const [{ grantlessToken }, { lwaOptions }] = await Promise.all([import('../secrets/grantless-token.js'), import('../amazon/endpoints.js')]);
  const token = await grantlessToken(ctx.deps, config, opts.app, opts.scope, {
    lwa: lwaOptions(ctx.deps.env),
    warn: (line) => ctx.out.warn(line),
    bypassCache: !opts.cache,
  });
  if (ctx.global.json) ctx.out.json({ accessToken: token.accessToken, expiresAt: token.expiresAt.toISOString(), app: opts.app, scope: GRANTLESS_SCOPES[opts.scope] });
  else ctx.out.result(token.accessToken);
  return ExitCode.OK;
}

export async function runToken(ctx: CommandContext, opts: TokenOptions): Promise<ExitCode> {
  const config = await readConfig(ctx);
  const record = findProfile(config, opts.profile);
  // Lazy: the keychain binding loads only for this command, and the HTTP client only when a new token is needed.
  const [{ cachedAccessToken }, { lwaOptions }] = await Promise.all([import('../secrets/access-token.js'), import('../amazon/endpoints.js')]);
  // An expired date is no reason to refuse: the seller may have renewed elsewhere. LWA decides.
  const token = await cachedAccessToken(ctx.deps, config, opts.profile, {
    lwa: lwaOptions(ctx.deps.env),
    warn: (line) => ctx.out.warn(line),
    bypassCache: !opts.cache,
  });

  if (ctx.global.json) ctx.out.json({ accessToken: token.accessToken, expiresAt: token.expiresAt.toISOString(), profile: opts.profile });
  else ctx.out.result(token.accessToken);

  const notice = recordedExpiryNotice(opts.profile, new Date(record.expiresAt), ctx.deps.now());
  if (notice) ctx.out.info(notice);
  return ExitCode.OK;
}

export function registerToken(program: Program, line: CommandLine): void {
  program
    .command('token')
    .usage(`${PROFILE_USAGE}\n       amz-token token --grantless --app <name> --scope <scope>`)
    .description('print a valid access token (Atza|...) for the profile on stdout, and nothing else; cached for its hour')
    .addHelpText(
      'after',
      `
Reuses the cached access token while more than five minutes of its hour remain,
else gets a new one from Login with Amazon and caches it: in a private file in
$XDG_RUNTIME_DIR/amz-token/ that every process of the user shares (one refresh
per profile at a time), or in the secret store where XDG_RUNTIME_DIR is not set
or AMZ_TOKEN_CACHE=store. Refresh tokens and client secrets stay in the store.
--no-cache asks LWA anyway (after the seller revoked the authorization, say): a
rejected refresh token also deletes the cached access token. With
AMZ_TOKEN_REFRESH_TOKEN set (CI) it always asks LWA and caches nothing.
On failure stdout stays empty.

--grantless --app APP --scope notifications|rotation prints the app's own
token for grantless operations (the Notifications API's destinations,
rotateApplicationClientSecret) instead: no profile, no seller; cached the same way.
` +
        helpFooter(
          [
            'amz-token token --profile shop-de',
            'curl -H "x-amz-access-token: $(amz-token token --profile shop-de)" https://sellingpartnerapi-eu.amazon.com/sellers/v1/marketplaceParticipations',
            'AMZ_TOKEN_PROFILE=shop-de amz-token token --json',
            'amz-token token --profile shop-de --no-cache   # after a revocation: ask Amazon, not the cache',
            'amz-token token --grantless --app my-app --scope notifications',
          ],
          TOKEN_EXIT_CODES,
        ),
    )
    .option('--no-cache', 'ask Login with Amazon even if a cached access token has time left')
    .option('--grantless', "the app's grantless token (client_credentials) instead of a profile's: needs --app and --scope")
    .addOption(new Option('--app <name>', 'with --grantless: the app').argParser(appNameOf('--app')))
    .addOption(new Option('--scope <scope>', 'with --grantless: sellingpartnerapi::notifications or ::client_credential:rotation').choices(['notifications', 'rotation'] as const))
    .action((flags) => {
      if (flags.grantless) {
        if (!flags.app || !flags.scope) throw new UsageError('--grantless needs --app <name> and --scope notifications|rotation', 'e.g. amz-token token --grantless --app my-app --scope notifications');
        line.choose('token', { app: flags.app, scope: flags.scope, cache: flags.cache }, runGrantlessToken);
        return;
      }
      if (flags.app || flags.scope) throw new UsageError('--app and --scope go with --grantless', 'a seller token is chosen by --profile');
      line.choose('token', { profile: requiredProfile(line), cache: flags.cache }, runToken);
    });
}
