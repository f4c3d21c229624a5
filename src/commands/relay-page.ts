// `amz-token relay-page`: prints the static page an operator hosts at the app's
// https redirect URI, which hands Amazon's callback on to the loopback server.

import { Option } from '@commander-js/extra-typings';
import { ExitCode } from '../errors.js';
import * as validate from '../validate.js';
import { readConfig, type CommandContext } from '../context.js';
import { findApp } from '../config/lookup.js';
import { helpFooter } from './help.js';
import { appNameOf } from './options.js';
import { DEFAULT_RELAY_PORT, RELAY_CALLBACK_PATH } from '../flow/loopback.js';
import type { CommandLine } from './command-line.js';
import type { Program } from './command-line.js';

export const RELAY_PAGE_EXIT_CODES = [ExitCode.OK, ExitCode.USAGE, ExitCode.NOT_FOUND] as const;

export interface RelayPageOptions {
  /** Only for the hint that says where to host the page. */
  app?: string;
  port: number;
}

export async function runRelayPage(ctx: CommandContext, opts: RelayPageOptions): Promise<ExitCode> {
  const { renderRelayPage } = await import('../flow/relay-page.js');
  if (opts.app !== undefined) {
    const app = findApp(await readConfig(ctx), opts.app);
    ctx.out.info(`Host this page at ${app.redirectUri} and register that URL as both the Redirect URI and the Login URI of the app.`);
  }
  ctx.out.result(renderRelayPage({ defaultPort: opts.port, callbackPath: RELAY_CALLBACK_PATH }));
  return ExitCode.OK;
}

export function registerRelayPage(program: Program, line: CommandLine): void {
  program
    .command('relay-page')
    .description("print the static HTML page to host at an https redirect URI; it forwards Amazon's callback to amz-token")
    .addOption(new Option('--app <name>', 'the app whose redirect URI will serve the page (for the hint only)').argParser(appNameOf('--app')))
    .addOption(
      new Option('--port <n>', 'loopback port the page falls back to (match request/renew --port)').argParser((v) => validate.portNumber(v, '--port', 1)).default(DEFAULT_RELAY_PORT),
    )
    .addHelpText(
      'after',
      helpFooter(["amz-token relay-page > index.html   # then host it at the app's https redirect URI, also as its Login URI"], RELAY_PAGE_EXIT_CODES),
    )
    .action((flags) => line.choose('relay-page', { ...(flags.app !== undefined ? { app: flags.app } : {}), port: flags.port }, runRelayPage));
}
