// `amz-token remove --profile <p>`: forget an authorization here (secret store
// and config). It does not revoke it at Amazon; the seller does that in Seller Central.
// A refresh token cannot be had back without the seller, so remove asks first.

import { ExitCode, UsageError } from '../errors.js';
import { removeSecretsThenConfig } from '../secrets/secret-then-config.js';
import { findProfile } from '../config/lookup.js';
import { accounts } from '../secrets/accounts.js';
import { confirm } from '../prompt.js';
import { readConfig, type CommandContext } from '../context.js';
import { helpFooter } from './help.js';
import { PROFILE_USAGE, requiredProfile, type CommandLine } from './command-line.js';
import type { Program } from './command-line.js';

export const REMOVE_EXIT_CODES = [ExitCode.OK, ExitCode.USAGE, ExitCode.NOT_FOUND, ExitCode.STORE_UNAVAILABLE, ExitCode.CANCELLED] as const;

export interface RemoveOptions {
  profile: string;
  /** --yes: remove without asking (scripts). */
  yes: boolean;
}

export async function runRemove(ctx: CommandContext, opts: RemoveOptions): Promise<ExitCode> {
  const profile = findProfile(await readConfig(ctx), opts.profile);
  if (!opts.yes) {
    // Nobody to ask is no licence to delete: scripts say --yes.
    const nobody = !ctx.global.input ? '--no-input forbids asking' : !ctx.deps.stdinIsTTY ? 'stdin is not a terminal to ask on' : undefined;
    if (nobody) {
      throw new UsageError(`remove deletes a refresh token only when confirmed, and ${nobody}`, `to remove it without asking: amz-token remove --profile ${opts.profile} --yes`);
    }
    await confirm(
      ctx.deps,
      `Remove profile ${opts.profile} (selling partner ${profile.sellingPartnerId}, ${profile.marketplace}) and its refresh token from this machine?`,
      `cancelled: profile ${opts.profile} was kept`,
    );
  }
  // Secrets, then config.json; a config that cannot be written puts the secrets back (exit 8, nothing changed).
  await removeSecretsThenConfig(ctx, {
    accounts: [accounts.refreshToken(opts.profile), accounts.accessToken(opts.profile)],
    change: (config) => {
      delete config.profiles[opts.profile];
    },
    what: `removing profile ${opts.profile}`,
  });
  if (ctx.global.json) {
    ctx.out.json({ removed: { profile: opts.profile } });
    return ExitCode.OK;
  }
  ctx.out.info(`Removed profile ${opts.profile} and its tokens from this machine.`);
  ctx.out.info('The authorization itself stays valid at Amazon until it expires or the seller revokes it in Seller Central.');
  return ExitCode.OK;
}

export function registerRemove(program: Program, line: CommandLine): void {
  program
    .command('remove')
    .usage(PROFILE_USAGE)
    .description('delete a profile and its secrets in the store in use (asks first; --yes for scripts)')
    .option('-y, --yes', 'remove without asking (for scripts; also needed with --no-input or when stdin is not a terminal)')
    .addHelpText('after', helpFooter(['amz-token remove --profile shop-de', 'amz-token remove --profile shop-de --yes   # in a script'], REMOVE_EXIT_CODES))
    .action((flags) => line.choose('remove', { profile: requiredProfile(line), yes: flags.yes === true }, runRemove));
}
