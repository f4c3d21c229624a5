// `amz-token serve`: the team's https endpoint for invitation links, consent
// callbacks and the Login URI, meant to run behind a TLS reverse proxy.
// Declared here; everything it runs loads only when it runs (src/serve/).

import { Option } from '@commander-js/extra-typings';
import { AmzTokenError, ExitCode, UsageError } from '../errors.js';
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
  /** --trust-proxy: ADDR|CIDR,... or "none". */
  trustProxy: string;
}

/** HOST:PORT, [IPv6]:PORT; port 0 picks a free one (the listening line names it). */
export function listenAddress(value: string): { host: string; port: number } {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new UsageError(`--listen must be HOST:PORT, e.g. 127.0.0.1:8080, got "${value.slice(0, 60)}"`);
  return { host: match[1] ?? match[2]!, port };
}

/** The --trust-proxy rule, checked when the flag is parsed (the parser module loads only then). */
function trustedProxiesCheck(value: string): void {
  const entries = value.trim() === 'none' ? [] : value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (!/^[0-9A-Fa-f:.]+(\/\d{1,3})?$/.test(entry)) {
      throw new UsageError(`--trust-proxy takes addresses or CIDR ranges separated by commas (e.g. 127.0.0.1,10.0.0.0/8), or "none"; "${entry.slice(0, 60)}" is neither`);
    }
  }
}

export async function runServe(ctx: CommandContext, opts: ServeCommandOptions): Promise<ExitCode> {
  if (opts.logFormat !== 'json') return serveUntilStopped(ctx, opts);
  try {
    return await serveUntilStopped(ctx, opts);
  } catch (error) {
    // A failed start, too, is one JSON line for the log collector, not a plain "error:" line.
    if (!(error instanceof AmzTokenError)) throw error;
    const { serveLog } = await import('../serve/log.js');
    serveLog('json', (line) => ctx.deps.stderr.write(line + '\n'), ctx.deps.now)('error', { message: error.message, hint: error.hint });
    return error.exitCode;
  }
}

async function serveUntilStopped(ctx: CommandContext, opts: ServeCommandOptions): Promise<ExitCode> {
  const { deps } = ctx;
  const { readConfig } = await import('../context.js');
  const { chooseBaseUrl } = await import('../serve/base-url.js');
  const { serveLog } = await import('../serve/log.js');
  const { lwaOptions } = await import('../amazon/endpoints.js');
  const log = serveLog(opts.logFormat, (line) => deps.stderr.write(line + '\n'), deps.now);
  // Whatever else serve's parts say on stderr (config.json's mode, the store's "SIGTERM received:
  // finishing..."), in the log's format: with --log-format json every line is one JSON object.
  const logged: CommandContext = { ...ctx, out: Object.assign(Object.create(ctx.out) as CommandContext['out'], { warn: (line: string) => log('warning', { message: line.replace(/^warning: /, '') }) }) };
  const config = await readConfig(logged);
  const base = chooseBaseUrl(opts.baseUrl, deps.env, config);
  lwaOptions(deps.env); // a bad AMZ_TOKEN_LWA_URL is a usage error now, not at the first seller
  const { trustedProxies, isLoopbackHost } = await import('../serve/proxies.js');
  const trusted = trustedProxies(opts.trustProxy);
  const { signer, signingKey } = await import('../serve/signing.js');
  const key = await signingKey(await deps.secretStore(), deps.randomBytes);
  const { startServe } = await import('../serve/server.js');
  const server = await startServe(logged, { host: opts.host, port: opts.port, base, signer: signer(key), log, trusted });
  log('listening', { address: server.address, base: base.href, redirectUri: `${base.href}/callback`, loginUri: `${base.href}/login`, trustProxy: trusted.spec });
  if (!isLoopbackHost(opts.host)) {
    log('warning', { message: `listening on ${opts.host}, beyond this machine: serve speaks plain http, so put a TLS proxy in front, and list it with --trust-proxy if it is not on this host` });
  }
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
    .addOption(
      new Option('--trust-proxy <addr|cidr,...>', 'proxies whose X-Forwarded-For is believed ("none": serve faces clients itself)')
        .argParser((value) => {
          trustedProxiesCheck(value);
          return value;
        })
        .default('127.0.0.1,::1'),
    )
    .addHelpText(
      'after',
      `
Register at Amazon: Redirect URI <base-url>/callback, Login URI <base-url>/login.
Routes: <path>/i/<invitation>, <path>/callback, <path>/login, <path>/done, <path>/healthz.
SIGTERM or SIGINT stops accepting, lets requests under way finish, and exits 0.
` + helpFooter(['amz-token serve --listen 127.0.0.1:8080 --base-url https://auth.example.com/amz-token', 'amz-token serve --listen 127.0.0.1:0 --log-format json'], SERVE_EXIT_CODES),
    )
    .action((flags) => {
      const options: ServeCommandOptions = { ...flags.listen, logFormat: flags.logFormat, trustProxy: flags.trustProxy, ...(flags.baseUrl !== undefined ? { baseUrl: flags.baseUrl } : {}) };
      line.choose('serve', options, runServe);
    });
}
