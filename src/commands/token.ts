// `amz-token token`: a valid access token on stdout and nothing else, for
// curl -H "x-amz-access-token: $(amz-token token --profile shop-de)".

import type { Command } from 'commander';
import { daysLeft, DEFAULT_WARN_DAYS, expiryState } from '../expiry.js';
import { findProfile, readConfig, requireProfileName, type CommandContext } from './context.js';
import { helpFooter } from './help.js';

export async function runToken(ctx: CommandContext, profile: string): Promise<void> {
  const config = await readConfig(ctx);
  const record = findProfile(config, profile);
  // Lazy: undici and the keychain binding load only for this command.
  const [{ cachedAccessToken }, { lwaOptions }] = await Promise.all([import('../secrets/access-token.js'), import('../amazon/endpoints.js')]);
  // An expired date is no reason to refuse: the seller may have renewed elsewhere. LWA decides.
  const token = await cachedAccessToken(ctx.deps, config, profile, { lwa: lwaOptions(ctx.deps.env), warn: (line) => ctx.out.warn(line) });

  if (ctx.global.json) ctx.out.json({ accessToken: token.accessToken, expiresAt: token.expiresAt.toISOString(), profile });
  else ctx.out.result(token.accessToken);

  const now = ctx.deps.now();
  const expiresAt = new Date(record.expiresAt);
  const state = expiryState(expiresAt, now, DEFAULT_WARN_DAYS);
  if (state === 'expiring') {
    ctx.out.info(`${profile} expires in ${daysLeft(expiresAt, now)} days; run: amz-token renew --profile ${profile}`);
  } else if (state === 'expired') {
    ctx.out.info(`${profile} is past its recorded expiry, yet Amazon still accepts it; if it was renewed elsewhere, re-import it with the new date`);
  }
}

export function registerToken(program: Command, ctxFor: (cmd: Command) => CommandContext): void {
  program
    .command('token')
    .description('print a valid access token (Atza|...) for the profile on stdout, and nothing else; cached in the keychain')
    .addHelpText(
      'after',
      `
Reuses the access token cached in the keychain while more than five minutes of
its hour remain, else gets a new one from Login with Amazon and caches it. With
AMZ_TOKEN_REFRESH_TOKEN set (CI) it always asks LWA and caches nothing.
On failure stdout stays empty.
` +
        helpFooter(
          [
            'amz-token token --profile shop-de',
            'curl -H "x-amz-access-token: $(amz-token token --profile shop-de)" https://sellingpartnerapi-eu.amazon.com/sellers/v1/marketplaceParticipations',
            'AMZ_TOKEN_PROFILE=shop-de amz-token token --json',
          ],
          '0 printed, 4 Amazon rejects the refresh token (renew), 9 app credentials rejected, 5 no such profile or nothing stored, ' +
            '7 Amazon unreachable, 8 keychain unavailable, 2 usage',
        ),
    )
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = ctxFor(cmd);
      await runToken(ctx, requireProfileName(ctx));
    });
}
