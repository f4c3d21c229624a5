// `amz-token config set-secret smtp-password`: the one secret of config.json's settings, read from
// stdin or a hidden prompt straight into the secret store; never an argument, never config.json.

import { Argument } from '@commander-js/extra-typings';
import { ExitCode } from '../errors.js';
import type { CommandContext } from '../context.js';
import { accounts } from '../secrets/accounts.js';
import { helpFooter } from './help.js';
import type { CommandLine } from './command-line.js';
import type { Command } from '@commander-js/extra-typings';

const { OK, USAGE, STORE_UNAVAILABLE, CANCELLED } = ExitCode;
export const CONFIG_SECRET_EXIT_CODES = [OK, USAGE, STORE_UNAVAILABLE, CANCELLED] as const;

const SECRETS = {
  'smtp-password': { account: accounts.smtpPassword, what: 'SMTP password', describe: 'the password of the smtp-url user, for remind --send' },
} as const;
export type SecretSetting = keyof typeof SECRETS;
const SECRET_NAMES = Object.keys(SECRETS) as SecretSetting[];

export async function runConfigSetSecret(ctx: CommandContext, opts: { name: SecretSetting }): Promise<ExitCode> {
  const { account, what } = SECRETS[opts.name];
  const { readSecret } = await import('../secrets/input.js');
  // The store first: a locked or missing one (8) fails before anyone types a password.
  const store = await ctx.deps.secretStore();
  const value = await readSecret(ctx.deps, { what, allowPrompt: ctx.global.input, allowSpaces: true });
  await store.set(account(), value);
  ctx.out.info(`Stored the ${what} in the secret store (account ${account()}); config.json is unchanged.`);
  return OK;
}

/** Declares `config set-secret` on the `config` command. */
export function registerConfigSetSecret(config: Command<[], Record<string, unknown>>, line: CommandLine): void {
  config
    .command('set-secret')
    .description('store a secret setting in the secret store, read from stdin or a hidden prompt (never an argument)')
    .addArgument(new Argument('<name>', `the secret: ${SECRET_NAMES.map((name) => `${name} (${SECRETS[name].describe})`).join(', ')}`).choices(SECRET_NAMES))
    .addHelpText('after', helpFooter(['amz-token config set-secret smtp-password            # asks, hidden', 'pass show mail/amz-token | amz-token config set-secret smtp-password'], CONFIG_SECRET_EXIT_CODES))
    .action((name) => line.choose('config set-secret', { name }, runConfigSetSecret));
}
