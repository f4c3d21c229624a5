// `amz-token explain CODE`: what an error code from Amazon means (consent page, Login
// with Amazon, SP-API 403s), its usual causes and the fix, filled in with this
// operator's app and profile where the config names one. The table is src/flow/consent-errors.ts.

import { Option } from '@commander-js/extra-typings';
import { ExitCode, NotFoundError } from '../errors.js';
import { readConfig, type CommandContext } from '../context.js';
import { findApp } from '../config/lookup.js';
import type { Config } from '../config/config.js';
import { KNOWN_CODES, lookUpCode, plain, type ConsentApp } from '../flow/consent-errors.js';
import { helpFooter } from './help.js';
import { appNameOf } from './options.js';
import type { CommandLine, Program } from './command-line.js';

export const EXPLAIN_EXIT_CODES = [ExitCode.OK, ExitCode.USAGE, ExitCode.NOT_FOUND] as const;

export interface ExplainOptions {
  code: string;
  app?: string;
  profile?: string;
}

export async function runExplain(ctx: CommandContext, opts: ExplainOptions): Promise<ExitCode> {
  const entries = lookUpCode(opts.code);
  if (entries.length === 0) {
    throw new NotFoundError(`"${opts.code.slice(0, 40)}" is not a code amz-token knows`, `known codes: ${KNOWN_CODES.map((e) => e.code).join(', ')} (403 lists the SP-API's 403 forms)`);
  }
  const app = await fixTarget(ctx, opts);
  if (ctx.global.json) {
    ctx.out.json(entries.map((e) => ({ code: e.code, where: e.where, meaning: plain(e.meaning), causes: e.causes.map(plain), fix: plain(e.fix(app)) })));
    return ExitCode.OK;
  }
  entries.forEach((entry, i) => {
    if (i > 0) ctx.out.result('');
    ctx.out.result(`${entry.code} (${entry.where}): ${plain(entry.meaning)}`);
    ctx.out.result('Usual causes:');
    for (const cause of entry.causes) ctx.out.result(`  - ${plain(cause)}`);
    ctx.out.result(`Fix: ${plain(entry.fix(app))}`);
  });
  return ExitCode.OK;
}

/**
 * The app and profile the fixes name: the ones given, else the config's only one, else
 * placeholders. A config that cannot be read only costs the names: explain is what an
 * operator runs when things are broken.
 */
async function fixTarget(ctx: CommandContext, opts: ExplainOptions): Promise<ConsentApp> {
  let config: Config | undefined;
  try {
    config = await readConfig(ctx);
  } catch {
    if (opts.app !== undefined) throw new NotFoundError(`cannot read config.json to find app "${opts.app}"`);
  }
  const profiles = config ? Object.keys(config.profiles) : [];
  const profile = opts.profile ?? (profiles.length === 1 ? profiles[0] : undefined);
  const appName = opts.app ?? (profile !== undefined ? config?.profiles[profile]?.app : undefined) ?? soleName(config ? Object.keys(config.apps) : []);
  if (appName === undefined || !config) return { name: '<app>', ...(profile ? { profile } : {}) };
  const record = opts.app !== undefined ? findApp(config, appName) : config.apps[appName];
  return { name: appName, ...(record ? { redirectUri: record.redirectUri, draft: record.draft } : {}), ...(profile ? { profile } : {}) };
}

const soleName = (names: string[]) => (names.length === 1 ? names[0] : undefined);

export function registerExplain(program: Program, line: CommandLine): void {
  program
    .command('explain')
    .description("what an error code from Amazon means and how to fix it: consent-page codes (MD1000, ...), Login with Amazon's errors, SP-API 403s")
    .argument('<code>', `one of ${KNOWN_CODES.map((e) => e.code).join(', ')} (any case; 403 lists every 403 form)`)
    .addOption(new Option('--app <name>', 'name this app in the fix (default: the only app configured)').argParser(appNameOf('--app')))
    .addHelpText('after', helpFooter(['amz-token explain MD1000', 'amz-token explain invalid_client --app my-app', 'amz-token explain 403 --json'], EXPLAIN_EXIT_CODES))
    .action((code, flags) => {
      const profile = line.global().profile;
      line.choose('explain', { code, ...(flags.app !== undefined ? { app: flags.app } : {}), ...(profile !== undefined ? { profile } : {}) }, runExplain);
    });
}
