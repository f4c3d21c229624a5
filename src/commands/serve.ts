// `amz-token serve`: the team's https endpoint for invitation links, consent
// callbacks and the Login URI, meant to run behind a TLS reverse proxy.
// Declared here; everything it runs loads only when it runs (src/serve/).

import { Option } from '@commander-js/extra-typings';
import { ExitCode, UsageError } from '../errors.js';
import type { CommandContext } from '../context.js';
import { helpFooter } from './help.js';
import type { CommandLine, Program } from './command-line.js';

const { OK, USAGE, STORE_UNAVAILABLE } = ExitCode;
export const SERVE_EXIT_CODES = [OK, USAGE, STORE_UNAVAILABLE] as const;

export interface ServeCommandOptions {
  host: string;
  port: number;
  baseUrl?: string;
  logFormat: 'text' | 'json';
}

/** HOST:PORT, [IPv6]:PORT; port 0 picks a free one (the listening line names it). */
export function listenAddress(value: string): { host: string; port: number } {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new UsageError(`--listen must be HOST:PORT, e.g. 127.0.0.1:8080, got "${value.slice(0, 60)}"`);
  return { host: match[1] ?? match[2]!, port };
}

export async function runServe(ctx: CommandContext, opts: ServeCommandOptions): Promise<ExitCode> {
  const { deps } = ctx;
  const { readConfig } = await import('../context.js');
  const { chooseBaseUrl } = await import('../serve/base-url.js');
  const { serveLog } = await import('../serve/log.js');
  const { lwaOptions } = await import('../amazon/endpoints.js');
  const config = await readConfig(ctx);
  const base = chooseBaseUrl(opts.baseUrl, deps.env, config);
  lwaOptions(deps.env); // a bad AMZ_TOKEN_LWA_URL is a usage error now, not at the first seller
  const log = serveLog(opts.logFormat, (line) => deps.stderr.write(line + '\n'), deps.now);
  const { signer, signingKey } = await import('../serve/signing.js');
  const key = await signingKey(await deps.secretStore(), deps.randomBytes);
  const { startServe } = await import('../serve/server.js');
  const server = await startServe(ctx, { host: opts.host, port: opts.port, base, signer: signer(key), log });
  log('listening', { address: server.address, base: base.href, redirectUri: `${base.href}/callback`, loginUri: `${base.href}/login` });
  const signal = await new Promise<string>((resolve) => {
    const stop = deps.onSignal((name) => {
      stop();
      resolve(name);
    });
  });
  log('stopping', { signal });
  await server.close();
  log('stopped');
  return OK;
}

export function registerServe(program: Program, line: CommandLine): void {
  program
    .command('serve')
    .description("answer invitation links, Amazon's Redirect URI and Login URI over http, behind a TLS reverse proxy")
    .addOption(new Option('--listen <host:port>', 'where to listen (port 0 picks a free one)').argParser(listenAddress).default({ host: '127.0.0.1', port: 8080 }, '127.0.0.1:8080'))
    .option('--base-url <url>', 'the public https address the proxy serves this under (env: AMZ_TOKEN_BASE_URL; config: "baseUrl")')
    .addOption(new Option('--log-format <format>', 'one line per event, as text or JSON').choices(['text', 'json'] as const).default('text' as const))
    .addHelpText(
      'after',
      `
Register at Amazon: Redirect URI <base-url>/callback, Login URI <base-url>/login.
Routes: <path>/i/<invitation>, <path>/callback, <path>/login, <path>/done, <path>/healthz.
SIGTERM or SIGINT stops accepting, lets requests under way finish, and exits 0.
` + helpFooter(['amz-token serve --listen 127.0.0.1:8080 --base-url https://auth.example.com/amz-token', 'amz-token serve --listen 127.0.0.1:0 --log-format json'], SERVE_EXIT_CODES),
    )
    .action((flags) => {
      const options: ServeCommandOptions = { ...flags.listen, logFormat: flags.logFormat, ...(flags.baseUrl !== undefined ? { baseUrl: flags.baseUrl } : {}) };
      line.choose('serve', options, runServe);
    });
}
