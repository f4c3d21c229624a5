// `amz-token remove --profile <p>`: forget an authorization here (secret store
// and config). It does not revoke it at Amazon; the seller does that in Seller Central.

import { ExitCode } from '../errors.js';
import { updateConfig } from '../config/config.js';
import { findProfile } from '../config/lookup.js';
import { accounts } from '../secrets/accounts.js';
import { readConfig, type CommandContext } from '../context.js';
import { helpFooter } from './help.js';
import { requiredProfile, type CommandLine } from './command-line.js';
import type { Program } from './command-line.js';

export const REMOVE_EXIT_CODES = [ExitCode.OK, ExitCode.USAGE, ExitCode.NOT_FOUND, ExitCode.STORE_UNAVAILABLE] as const;

export interface RemoveOptions {
  profile: string;
}

export async function runRemove(ctx: CommandContext, opts: RemoveOptions): Promise<ExitCode> {
  findProfile(await readConfig(ctx), opts.profile);
  // Secrets first: when the store is unavailable (exit 8) nothing has changed yet.
  const store = await ctx.deps.secretStore();
  await store.delete(accounts.refreshToken(opts.profile));
  await store.delete(accounts.accessToken(opts.profile));
  await updateConfig(ctx.deps.configDir, (config) => {
    delete config.profiles[opts.profile];
  });
  ctx.out.info(`Removed profile ${opts.profile} and its tokens from this machine.`);
  ctx.out.info('The authorization itself stays valid at Amazon until it expires or the seller revokes it in Seller Central.');
  return ExitCode.OK;
}

export function registerRemove(program: Program, line: CommandLine): void {
  program
    .command('remove')
    .description('delete a profile and its secrets in the store in use')
    .addHelpText('after', helpFooter(['amz-token remove --profile shop-de'], REMOVE_EXIT_CODES))
    .action(() => line.choose('remove', { profile: requiredProfile(line) }, runRemove));
}
