// `amz-token config get|set|unset KEY`: the settings of config.json that are
// `amz-token config get|set|unset KEY`: the settings of config.json that are
// not an app or a profile. base-url: where `amz-token serve` answers, which
// `serve` and `invite` use when neither --base-url nor AMZ_TOKEN_BASE_URL is
// given. store: the secret store (keychain, file, helper:<name>), proved to
// answer before it is saved; `store migrate` sets it too, moving the secrets.
// smtp-url and mail-from: the mail settings of `remind` (whose password
// `config set-secret` keeps in the store).
// Set once in a team's config.json, nobody has to repeat them.

import { Argument } from '@commander-js/extra-typings';
import { ExitCode, NotFoundError } from '../errors.js';
import { configFile, updateConfig, type Config } from '../config/config.js';
import { readConfig, type CommandContext } from '../context.js';
import { parseBaseUrl } from '../serve/base-url.js';
import { STORE_FORMS, storeName, storeSpecOf } from '../config/store-setting.js';
import { parseMailFrom, parseSmtpUrl } from '../mail/settings.js';
import { registerConfigSetSecret } from './config-secret.js';
import { helpFooter } from './help.js';
import type { CommandLine, Program } from './command-line.js';

const { OK, USAGE, NOT_FOUND, STORE_UNAVAILABLE } = ExitCode;
export const CONFIG_EXIT_CODES = {
  get: [OK, USAGE, NOT_FOUND],
  set: [OK, USAGE, STORE_UNAVAILABLE],
  unset: [OK, USAGE, STORE_UNAVAILABLE],
} as const;

interface KeyRule {
  field: 'baseUrl' | 'store' | 'smtpUrl' | 'mailFrom';
  /** For --help's "Keys:" block, which commander does not wrap: lines after the first start with 12 spaces. */
  describe: string;
  /** Checks a value's form and writes it as config.json holds it. */
  normalise(value: string): string;
  /**
   * Checks what the form cannot tell, before config.json is touched (undefined: unset). Returns
   * warnings to print once the change is made.
   */
  check?(ctx: CommandContext, value: string | undefined, config: Config): Promise<string[]>;
}

/** Each key: the config.json field it is, and how a value is checked and written (normalised). */
const KEYS = {
  'base-url': {
    field: 'baseUrl',
    describe: 'where amz-token serve answers (https://HOST/PATH); serve and invite\n            use it when neither --base-url nor AMZ_TOKEN_BASE_URL is given',
    normalise: (value: string): string => parseBaseUrl(value, 'base-url').href,
  },
  store: {
    field: 'store',
    describe: `the secret store: ${STORE_FORMS};\n            unset means the keychain. AMZ_TOKEN_STORE overrides it`,
    normalise: (value: string): string => storeName(storeSpecOf(value, 'store')),
    check: checkStore,
  },
  'smtp-url': {
    field: 'smtpUrl',
    describe: 'the mail server of remind --send: smtps://USER@HOST[:PORT] (TLS) or\n            smtp://USER@HOST[:PORT] (STARTTLS, required unless the host is loopback)',
    normalise: (value: string): string => parseSmtpUrl(value, 'smtp-url').href,
  },
  'mail-from': {
    field: 'mailFrom',
    describe: "whom remind's mail is from, and where sellers reply: 'Name <addr>'",
    normalise: (value: string): string => parseMailFrom(value, 'mail-from').text,
  },
} as const satisfies Record<string, KeyRule>;

export type ConfigKey = keyof typeof KEYS;
const KEY_NAMES = Object.keys(KEYS) as ConfigKey[];

export async function runConfigGet(ctx: CommandContext, opts: { key: ConfigKey }): Promise<ExitCode> {
  const value = (await readConfig(ctx))[KEYS[opts.key].field];
  if (value === undefined) {
    const hint = opts.key === 'store' ? 'without it the keychain is used (amz-token store show says which store a run uses); set it: amz-token config set store file' : `set it: amz-token config set ${opts.key} <value>`;
    throw new NotFoundError(`${opts.key} is not set in ${configFile(ctx.deps.configDir)}`, hint);
  }
  if (ctx.global.json) ctx.out.json({ key: opts.key, value });
  else ctx.out.result(value);
  return OK;
}

export async function runConfigSet(ctx: CommandContext, opts: { key: ConfigKey; value: string }): Promise<ExitCode> {
  // Checked before the lock is taken: a bad value leaves config.json as it was.
  const rule: KeyRule = KEYS[opts.key];
  const value = rule.normalise(opts.value);
  const warnings = rule.check ? await rule.check(ctx, value, await readConfig(ctx)) : [];
  const before = await changeSetting(ctx, opts.key, value);
  if (ctx.global.json) ctx.out.json({ key: opts.key, value, previous: before ?? null });
  else ctx.out.info(`${opts.key}: ${before ?? '(not set)'} -> ${value} (in ${configFile(ctx.deps.configDir)})`);
  for (const line of warnings) ctx.out.warn(line);
  return OK;
}

export async function runConfigUnset(ctx: CommandContext, opts: { key: ConfigKey }): Promise<ExitCode> {
  const rule: KeyRule = KEYS[opts.key];
  const config = await readConfig(ctx);
  const warnings = rule.check && config[rule.field] !== undefined ? await rule.check(ctx, undefined, config) : [];
  const before = await changeSetting(ctx, opts.key, undefined);
  if (ctx.global.json) ctx.out.json({ key: opts.key, value: null, previous: before ?? null });
  else ctx.out.info(before === undefined ? `${opts.key} was not set; nothing changed.` : `${opts.key}: ${before} -> (not set)`);
  for (const line of warnings) ctx.out.warn(line);
  return OK;
}

/**
 * The store is saved only if it answers now, and only if no secret of this config is left behind in
 * the store in use (that is `store migrate`). Unset means the keychain, checked the same way.
 */
async function checkStore(ctx: CommandContext, value: string | undefined, config: Config): Promise<string[]> {
  const spec = storeSpecOf(value ?? 'keychain', 'store');
  const { checkNewStore, storeWarning } = await import('../secrets/store.js');
  const store = await checkNewStore(spec, { env: ctx.deps.env, configDir: ctx.deps.configDir, dataDir: ctx.deps.dataDir, warn: (line) => ctx.out.warn(line), prompt: ctx.global.input }, config);
  const warnings: string[] = [];
  const warning = storeWarning(spec, store);
  if (warning) warnings.push(warning);
  const fromEnv = ctx.deps.env.AMZ_TOKEN_STORE;
  if (fromEnv && fromEnv !== storeName(spec)) warnings.push(`warning: AMZ_TOKEN_STORE=${fromEnv} is set and overrides config.json: unset it, or amz-token keeps using ${fromEnv}`);
  return warnings;
}

/** Writes one setting (undefined removes it) under the config lock; returns what it was. */
function changeSetting(ctx: CommandContext, key: ConfigKey, value: string | undefined): Promise<string | undefined> {
  const { field } = KEYS[key];
  return updateConfig(ctx.deps.configDir, (config) => {
    const previous = config[field];
    if (value === undefined) delete config[field];
    else config[field] = value;
    return previous;
  });
}

export function registerConfig(program: Program, line: CommandLine): void {
  const keyArgument = () => new Argument('<key>', `the setting: ${KEY_NAMES.join(', ')}`).choices(KEY_NAMES);
  const keyList = KEY_NAMES.map((key) => `  ${key}  ${KEYS[key].describe}`).join('\n');
  const config = program
    .command('config')
    .description("read and change config.json's settings (base-url, store, smtp-url, mail-from); apps and profiles have commands of their own")
    .addHelpText(
      'after',
      `\nKeys:\n${keyList}\n` +
        helpFooter(
          [
            'amz-token config set store file   # a server without a desktop session (no Secret Service)',
            'amz-token config set base-url https://auth.example.com/amz-token',
            'amz-token config get base-url',
            'amz-token config set smtp-url smtps://mailer@mail.example.com',
            "amz-token config set mail-from 'Acme Integrations <ops@acme.example>'",
            'amz-token config set-secret smtp-password < smtp-password.txt',
          ],
          [...new Set([...CONFIG_EXIT_CODES.get, ...CONFIG_EXIT_CODES.set])],
        ),
    );
  config
    .command('get')
    .description('print a setting; exit 5 when it is not set')
    .addArgument(keyArgument())
    .addHelpText('after', helpFooter(['amz-token config get base-url', 'amz-token config get base-url --json'], CONFIG_EXIT_CODES.get))
    .action((key) => line.choose('config get', { key }, runConfigGet));
  config
    .command('set')
    .description('change a setting in config.json (checked first: a bad value, or a store that does not answer, changes nothing)')
    .addArgument(keyArgument())
    .argument('<value>', 'the new value')
    .addHelpText('after', helpFooter(['amz-token config set store file', 'amz-token config set base-url https://auth.example.com/amz-token'], CONFIG_EXIT_CODES.set))
    .action((key, value) => line.choose('config set', { key, value }, runConfigSet));
  config
    .command('unset')
    .description('remove a setting from config.json')
    .addArgument(keyArgument())
    .addHelpText('after', helpFooter(['amz-token config unset base-url'], CONFIG_EXIT_CODES.unset))
    .action((key) => line.choose('config unset', { key }, runConfigUnset));
  registerConfigSetSecret(config, line);
}
