// `amz-token exec [--profile P] [--min-ttl N] -- COMMAND...` with a token in the shared runtime
// cache, before any bundle loads: bin/amz-token.js calls fastExec() after token's fast path
// (src/token-fast.ts, whose cachedProfileToken() decides here too). The job gets the environment
// the full path gives it (src/job/variables.ts) and is run by the same code (src/job/run.ts):
// signals forwarded, its exit status passed on. Anything else falls through to the full CLI.

import { spApiOriginFor } from './amazon/endpoints.js';
import { jobEnvironment, jobVariables } from './job/variables.js';
import { runJob, type JobExitStatus } from './job/run.js';
import { looksLikeSecret, wholeNumber } from './validate.js';
import { cachedProfileToken, SWITCHES } from './token-fast.js';
import { onProcessSignal, startJobProcess, type Deps } from './deps.js';
import { DEFAULT_MIN_TTL_MINUTES, MAX_MIN_TTL_MINUTES } from './job/min-ttl.js';

type Env = Readonly<Record<string, string | undefined>>;


interface ExecArgs {
  profile?: string;
  minTtlMinutes: number;
  command: string;
  args: string[];
}

/** The job's exit status once it has run, or undefined: run the full CLI (nothing has been started). */
export function fastExec(argv: readonly string[], env: Env, now = new Date()): Promise<JobExitStatus> | undefined {
  const parsed = parseArgv(argv);
  if (!parsed) return undefined;
  let jobEnv: Record<string, string>;
  try {
    const found = cachedProfileToken(parsed.profile, env, now, parsed.minTtlMinutes * 60_000);
    if (!found) return undefined;
    const endpoint = spApiOriginFor(env, found.record.region);
    jobEnv = jobEnvironment(env, jobVariables({ profile: found.profile, record: found.record, accessToken: found.token.accessToken, expiresAt: found.token.expiresAt, endpoint }));
  } catch {
    return undefined;
  }
  return runJob(jobDeps(), parsed.command, parsed.args, jobEnv);
}

/** `exec`, the global switches, --profile and --min-ttl (each at most once), then `--` and the job; nothing else. */
function parseArgv(argv: readonly string[]): ExecArgs | undefined {
  const end = argv.indexOf('--');
  if (end === -1 || end === argv.length - 1 || argv[end + 1] === '') return undefined;
  if (argv.some((arg) => looksLikeSecret(arg))) return undefined; // the full path refuses it, with exit 2
  const parsed: ExecArgs = { minTtlMinutes: DEFAULT_MIN_TTL_MINUTES, command: argv[end + 1]!, args: argv.slice(end + 2) };
  const seen = new Set<string>();
  let command = false;
  for (let i = 0; i < end; i++) {
    const arg = argv[i]!;
    let name = arg;
    let value: string | undefined;
    if (arg === 'exec' && !command) command = true;
    else if (SWITCHES.has(arg)) {
      // No effect on exec.
    } else if (arg === '--profile' || arg === '--min-ttl') value = i + 1 < end ? argv[++i] : undefined;
    else if (arg.startsWith('--profile=') || arg.startsWith('--min-ttl=')) [name, value] = [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)];
    else return undefined;
    if (seen.has(name)) return undefined;
    seen.add(name);
    if (name === '--profile' || name === '--min-ttl') {
      if (value === undefined || value.startsWith('-')) return undefined;
      if (name === '--profile') parsed.profile = value;
      else {
        try {
          parsed.minTtlMinutes = wholeNumber(value, '--min-ttl', 0, MAX_MIN_TTL_MINUTES);
        } catch {
          return undefined;
        }
      }
    }
  }
  return command ? parsed : undefined;
}

/** What runJob needs of Deps, as createRealDeps() makes them (src/deps.ts). */
function jobDeps(): Deps {
  const deps: Pick<Deps, 'onSignal' | 'startJob' | 'stderr'> = {
    get stderr() {
      return process.stderr;
    },
    onSignal: onProcessSignal,
    startJob: startJobProcess,
  };
  return deps as Deps;
}
