// `amz-token doctor`'s checks, in the order that keeps it quick: config.json first (no
// network), then the store (bounded: a locked keychain is a finding, not a wait), then
// everything on the network at once: the clock, serve, the secret queues, the mail server, and LWA.

import { UsageError } from '../../errors.js';
import type { Deps } from '../../deps.js';
import type { Config } from '../../config/config.js';
import { findApp, findProfile } from '../../config/lookup.js';
import { chooseBaseUrl, type BaseUrl } from '../../serve/base-url.js';
import { httpTimeoutMs } from '../../amazon/endpoints.js';
import type { SecretStore } from '../../secrets/store.js';
import { doctorReport, failure, ok, type DoctorReport, type Finding } from './finding.js';
import { readConfigLeniently } from './config-files.js';
import { appRecordFindings, profileRecordFindings } from './records.js';
import { checkStore } from './store.js';
import { checkClock } from './clock.js';
import { checkServe, serveUris } from './serve.js';
import { checkQueue } from './queue.js';
import { checkMail } from './mail.js';
import { liveFindings, notCheckedWithoutStore } from './live.js';

export interface DoctorOptions {
  app?: string;
  profile?: string;
  /** The LWA checks' --deadline, as status --check has it. */
  deadlineSeconds: number;
}

export async function runDoctorChecks(deps: Deps, opts: DoctorOptions, warn: (line: string) => void): Promise<DoctorReport> {
  const now = deps.now();
  const reading = readConfigLeniently(deps.configDir);
  if (!reading.config) return doctorReport(now, reading.findings);
  const config = reading.config;
  const narrowed = opts.app !== undefined || opts.profile !== undefined;
  // An app whose ids are broken is not in `config`: its own finding is all there is to say.
  if (opts.app !== undefined && !config.apps[opts.app] && reading.findings.some((f) => f.subject === `app ${opts.app}`)) {
    return doctorReport(now, reading.findings.filter((f) => f.subject === `app ${opts.app}` || f.subject === 'config'));
  }
  const scope = scopeOf(config, opts);
  const inScope = (f: Finding) =>
    !narrowed || (f.subject.startsWith('app ') ? scope.apps.includes(f.subject.slice(4)) : f.subject.startsWith('profile ') ? scope.profiles.includes(f.subject.slice(8)) : true);
  const findings: Finding[] = reading.findings.filter(inScope);

  const { base, finding: baseFinding } = baseUrlOf(deps, config);
  if (baseFinding) findings.push(baseFinding);
  for (const app of scope.apps) findings.push(...appRecordFindings(app, config.apps[app]!, base, now));
  for (const profile of scope.profiles) findings.push(...profileRecordFindings(profile, config.profiles[profile]!, config, now));

  const { store, findings: storeFindings } = await checkStore(deps, config, warn);
  findings.push(...storeFindings);
  const timeoutMs = httpTimeoutMs(deps.env);
  const queues = scope.apps.flatMap((app) => (config.apps[app]!.secretQueueUrl ? [[app, config.apps[app]!.secretQueueUrl!] as const] : []));
  const network = await Promise.all([
    checkClock(deps).then((f) => [f]),
    base ? checkServe(base, timeoutMs, now) : Promise.resolve([]),
    ...queues.map(([app, url]) => checkQueue(deps, app, url)),
    checkMail(deps, config, store, timeoutMs),
    store ? liveFindings(withStore(deps, store), config, { ...scope, deadlineSeconds: opts.deadlineSeconds }) : Promise.resolve(notCheckedWithoutStore(scope)),
  ]);
  findings.push(...network.flat());
  const register = base ? serveUris(base) : undefined;
  if (register) findings.push(ok('serve.uris', 'serve', `register at Amazon: Redirect URI ${register.redirectUri}, Login URI ${register.loginUri}`));
  return doctorReport(now, ordered(findings, config), register);
}

/** --app narrows to one app and its profiles; --profile to one profile and its app. */
function scopeOf(config: Config, opts: DoctorOptions): { apps: string[]; profiles: string[] } {
  if (opts.profile !== undefined) {
    const profile = findProfile(config, opts.profile);
    if (opts.app !== undefined && profile.app !== opts.app) throw new UsageError(`profile ${opts.profile} belongs to app ${profile.app}, not ${opts.app}`);
    return { apps: [profile.app], profiles: [opts.profile] };
  }
  if (opts.app !== undefined) {
    findApp(config, opts.app);
    return { apps: [opts.app], profiles: Object.keys(config.profiles).filter((p) => config.profiles[p]!.app === opts.app) };
  }
  return { apps: Object.keys(config.apps), profiles: Object.keys(config.profiles) };
}

/** serve's base URL when the team set one; a malformed one is a finding, not the end of the run. */
function baseUrlOf(deps: Deps, config: Config): { base?: BaseUrl; finding?: Finding } {
  if (!deps.env.AMZ_TOKEN_BASE_URL?.trim() && !config.baseUrl) return {};
  try {
    return { base: chooseBaseUrl(undefined, deps.env, config) };
  } catch (error) {
    return { finding: failure('serve.base-url', 'serve', (error as Error).message, (error as UsageError).exitCode, 'amz-token config set base-url https://HOST/PATH') };
  }
}

/** deps whose store is the one doctor opened (a copy by descriptors: a spread would read stdin's getter). */
function withStore(deps: Deps, store: SecretStore): Deps {
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(deps)) as Deps;
  copy.secretStore = async () => store;
  return copy;
}

/** Config and the machine first, then each app, each profile (in config order), then serve. */
function ordered(findings: Finding[], config: Config): Finding[] {
  const apps = Object.keys(config.apps);
  const profiles = Object.keys(config.profiles);
  const rank = (f: Finding): number => {
    if (f.subject === 'config') return 0;
    if (f.subject === 'store') return 1;
    if (f.subject === 'clock') return 2;
    if (f.subject.startsWith('app ')) return 10 + Math.max(apps.indexOf(f.subject.slice(4)), -1) / (apps.length + 1);
    if (f.subject.startsWith('profile ')) return 20 + Math.max(profiles.indexOf(f.subject.slice(8)), -1) / (profiles.length + 1);
    return 30;
  };
  return findings.map((f, i) => ({ f, i, r: rank(f) })).sort((a, b) => a.r - b.r || a.i - b.i).map(({ f }) => f);
}
