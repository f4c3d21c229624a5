// A secret store behind a docker credential helper (`docker-credential-<name>`
// on PATH: pass, secretservice, osxkeychain, wincred, vault helpers, ...),
// spoken to with the helper protocol: one action per run, its input on stdin.
//
// Protocol (docker/docker-credential-helpers): `store` reads
// {"ServerURL","Username","Secret"}; `get` reads a server URL and prints that
// JSON; `erase` reads a server URL; `list` prints {"<url>": "<username>"}.

// node:child_process rather than execa: this module runs before every `token`
// of a team using a helper, and a spawn with a pipe on each side is all it needs.
import { spawn } from 'node:child_process';
import { StoreUnavailableError } from '../errors.js';
import { UNSAFE_FOR_TERMINAL } from '../terminal-text.js';
import type { SecretStore } from './secret-store.js';

export interface CredentialHelperOptions {
  /** The part after docker-credential-, e.g. "pass". */
  helper: string;
  env: Readonly<Record<string, string | undefined>>;
  /** False with --no-input: the helper gets an environment in which gpg cannot ask for a passphrase. */
  prompt: boolean;
  /** Per call; a passphrase prompt nobody answers must not hang a cron job. */
  timeoutMs: number;
}

export const DEFAULT_HELPER_TIMEOUT_MS = 30_000;

/** Entries are `amz-token://<account>`, with the keychain's account names. */
export const SERVER_URL_PREFIX = 'amz-token://';

// docker-credential-helpers' own text for a missing entry (credentials.errCredentialsNotFoundMessage):
// secretservice, osxkeychain and wincred print it with exit 1. pass answers `get` with exit 0 and
// an empty secret, and `erase` of a missing entry with pass's own words.
const NOT_FOUND = 'credentials not found in native keychain';
const PASS_NOT_IN_STORE = 'is not in the password store';

/** Helper output is read up to this much; a helper that prints more is broken. */
const MAX_OUTPUT_BYTES = 1024 * 1024;

/** Debian packages that ship helpers; any other helper, the operator installs by its own instructions. */
const DEBIAN_PACKAGE: Readonly<Record<string, string>> = {
  pass: 'golang-docker-credential-helpers pass',
  secretservice: 'golang-docker-credential-helpers',
};

export function credentialHelperStore(options: CredentialHelperOptions): SecretStore {
  const binary = `docker-credential-${options.helper}`;
  const call = (action: Action, input: string) => runHelper(binary, action, input, options);
  return {
    description: `${binary} (store helper:${options.helper})`,

    async get(account) {
      const reply = await call('get', serverUrl(account));
      if (reply.code !== 0) {
        if (saysMissing(reply)) return null;
        throw failure(binary, 'get', reply);
      }
      const secret = parseJson(reply.stdout)?.Secret;
      if (typeof secret !== 'string') {
        // Not quoted: what a broken helper prints on a successful get may be the bare secret.
        throw failure(binary, 'get', { ...reply, stdout: '' }, 'answered get with something other than {"ServerURL","Username","Secret"}');
      }
      return secret === '' ? null : secret;
    },

    async set(account, value) {
      // Docker's Username field: pass builds a file path from it, so it must hold no '/'. The
      // account with ':' reads well in `pass ls` (profile:shop-de:refresh-token) and is unique.
      const entry = JSON.stringify({ ServerURL: serverUrl(account), Username: account.replaceAll('/', ':'), Secret: value });
      const reply = await call('store', entry);
      if (reply.code !== 0) throw failure(binary, 'store', reply, undefined, value);
    },

    async delete(account) {
      const reply = await call('erase', serverUrl(account));
      if (reply.code !== 0 && !saysMissing(reply)) throw failure(binary, 'erase', reply);
    },

    async list() {
      const reply = await call('list', '');
      if (reply.code !== 0) throw failure(binary, 'list', reply);
      const entries = parseJson(reply.stdout.trim() === '' ? '{}' : reply.stdout);
      if (!entries) throw failure(binary, 'list', reply, 'answered list with something other than a JSON object');
      return Object.keys(entries)
        .filter((url) => url.startsWith(SERVER_URL_PREFIX))
        .map((url) => url.slice(SERVER_URL_PREFIX.length))
        .sort();
    },
  };
}

type Action = 'get' | 'store' | 'erase' | 'list';

interface Reply {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function serverUrl(account: string): string {
  return SERVER_URL_PREFIX + account;
}

/**
 * Runs one helper action: the input on stdin (never argv or the environment:
 * both show in ps), stdout and stderr read back, the whole process group killed
 * at the timeout. A process group of its own (detached) also takes away the
 * controlling terminal, so nothing the helper starts can read one.
 */
function runHelper(binary: string, action: Action, input: string, options: CredentialHelperOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [action], { env: helperEnvironment(options), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      settle(() =>
        reject(
          new StoreUnavailableError(
            `${binary} did not answer ${action} within ${options.timeoutMs < 1000 ? `${options.timeoutMs} ms` : `${Math.round(options.timeoutMs / 1000)} s`}`,
            'gpg or the store may be waiting for a passphrase or a touch: unlock it first (e.g. run pass show once), or raise AMZ_TOKEN_STORE_TIMEOUT_MS',
          ),
        ),
      );
    }, options.timeoutMs);
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) {
        killGroup();
        settle(() => reject(new StoreUnavailableError(`${binary} ${action} printed more than 1 MiB; it is not a working credential helper`)));
        return;
      }
      into.push(chunk);
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    child.once('error', (error: NodeJS.ErrnoException) => settle(() => reject(notRunnable(binary, error))));
    child.once('close', (code) =>
      settle(() => resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') })),
    );
    // A helper that exits without reading its input closes the pipe: its exit code tells the rest.
    child.stdin.once('error', () => {});
    child.stdin.end(input);
  });
}

/**
 * The caller's environment minus amz-token's own secret overrides (the
 * helper has no use for them). With --no-input also minus what lets gpg show a
 * passphrase prompt (a terminal, a display), and with pass told to fail
 * rather than ask (--pinentry-mode error), so the call ends at once instead of
 * at the timeout.
 */
export function helperEnvironment(options: Pick<CredentialHelperOptions, 'env' | 'prompt'>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.env)) if (value !== undefined) env[name] = value;
  delete env.AMZ_TOKEN_REFRESH_TOKEN;
  delete env.AMZ_TOKEN_CLIENT_SECRET;
  if (!options.prompt) {
    for (const name of ['DISPLAY', 'WAYLAND_DISPLAY', 'GPG_TTY', 'SSH_ASKPASS']) delete env[name];
    env.PASSWORD_STORE_GPG_OPTS = `${env.PASSWORD_STORE_GPG_OPTS ?? ''} --pinentry-mode error`.trim();
    env.GIT_TERMINAL_PROMPT = '0';
  }
  return env;
}

function notRunnable(binary: string, error: NodeJS.ErrnoException): StoreUnavailableError {
  const helper = binary.slice('docker-credential-'.length);
  if (error.code === 'ENOENT') {
    const debian = DEBIAN_PACKAGE[helper];
    return new StoreUnavailableError(
      `${binary} is not on PATH`,
      debian ? `install it: apt-get install ${debian}` : `install the ${helper} credential helper and put ${binary} on PATH`,
    );
  }
  return new StoreUnavailableError(`cannot run ${binary} (${error.code ?? error.message})`, `check that ${binary} on PATH is an executable file`);
}

function saysMissing(reply: Reply): boolean {
  const text = `${reply.stdout}\n${reply.stderr}`;
  return text.includes(NOT_FOUND) || text.includes(PASS_NOT_IN_STORE);
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Exit 8, naming the helper and quoting the first line it printed, with anything secret-shaped removed. */
function failure(binary: string, action: Action, reply: Reply, problem?: string, secret?: string): StoreUnavailableError {
  const said = firstLine(reply.stderr) || firstLine(reply.stdout);
  const quoted = said ? `: ${scrubHelperOutput(said, secret)}` : '';
  const what = problem ?? `${action} failed (${reply.code === null ? 'killed' : `exit ${reply.code}`})`;
  return new StoreUnavailableError(`${binary} ${what}${quoted}`, `run \`${binary} list\` to see the helper's own error; it prints no secrets`);
}

function firstLine(text: string): string {
  return text.split('\n').map((line) => line.trim()).find((line) => line !== '') ?? '';
}

/**
 * A helper's words are shown to operators and land in logs. Removed: the
 * secret of this call, the Secret field of echoed JSON, Amazon's token and
 * client-secret shapes, and any long opaque run (another vault's tokens look
 * like nothing in particular).
 */
export function scrubHelperOutput(line: string, secret?: string): string {
  let text = secret ? line.split(secret).join('***') : line;
  text = text
    .replace(/("Secret"\s*:\s*")(?:[^"\\]|\\.)*"/g, '$1***"')
    .replace(/Atz[a-z]\|[^\s"]*/g, '***')
    .replace(/amzn1\.oa2-cs\.[^\s"]*/g, '***')
    .replace(/[A-Za-z0-9+/=_.~|-]{32,}/g, '***')
    .replace(UNSAFE_FOR_TERMINAL, '?');
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
