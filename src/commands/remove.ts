// `amz-token remove --profile <p>`: forget an authorization here (keychain and
// config). It does not revoke it at Amazon; the seller does that in Seller Central.

import type { Command } from 'commander';
import { updateConfig } from '../config/config.js';
import { accounts } from '../secrets/accounts.js';
import { findProfile, readConfig, requireProfileName, type CommandContext } from './context.js';
import { helpFooter } from './help.js';

export async function runRemove(ctx: CommandContext, profile: string): Promise<void> {
  findProfile(await readConfig(ctx), profile);
  // Keychain first: when it is unavailable (exit 8) nothing has changed yet.
  const store = await ctx.deps.secretStore();
  await store.delete(accounts.refreshToken(profile));
  await store.delete(accounts.accessToken(profile));
  await updateConfig(ctx.deps.configDir, (c) => {
    delete c.profiles[profile];
  });
  ctx.out.info(`Removed profile ${profile} and its tokens from this machine.`);
  ctx.out.info('The authorization itself stays valid at Amazon until it expires or the seller revokes it in Seller Central.');
}

export function registerRemove(program: Command, ctxFor: (cmd: Command) => CommandContext): void {
  program
    .command('remove')
    .description('delete a profile and its keychain entries')
    .addHelpText('after', helpFooter(['amz-token remove --profile shop-de'], '0, 2, 5, 8'))
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = ctxFor(cmd);
      await runRemove(ctx, requireProfileName(ctx));
    });
}
