// doctor's reading of config.json: without changing it (loadConfig would tighten a loose
// mode), with its and its folder's privacy as findings, and leniently: an app whose ids
// are swapped or malformed is a finding of that app, and the rest of the setup is still checked.

import { lstatSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { AmzTokenError, ExitCode } from '../../errors.js';
import { configFile, emptyConfig, parseConfig, type Config } from '../../config/config.js';
import * as validate from '../../validate.js';
import { failure, ok, skipped, warning, type Finding } from './finding.js';

export interface ConfigReading {
  /** What can be checked further; undefined when config.json cannot be read at all. */
  config?: Config;
  findings: Finding[];
}

export function readConfigLeniently(configDir: string): ConfigReading {
  const file = configFile(configDir);
  const findings: Finding[] = [];
  let text: string;
  try {
    const info = lstatSync(file);
    if (info.isSymbolicLink() || !info.isFile()) {
      return { findings: [failure('config.file', 'config', `${file} is not a regular file`, ExitCode.USAGE, `move it away and keep config.json a plain file`)] };
    }
    findings.push(privacy('config.mode', file, info.mode, 0o600, 'config.json'));
    findings.push(privacy('config.folder', dirname(file), statSync(dirname(file)).mode, 0o700, 'the config folder'));
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { config: emptyConfig(), findings: [failure('config.file', 'config', `${file} does not exist: no app or profile to check`, ExitCode.NOT_FOUND, 'amz-token app add NAME ... (README: Getting started)')] };
    return { findings: [failure('config.file', 'config', `${file} cannot be read (${code ?? (error as Error).message})`, ExitCode.USAGE)] };
  }
  let raw: { apps?: Record<string, Record<string, unknown>>; profiles?: Record<string, { app?: unknown }> };
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { findings: [...findings, failure('config.file', 'config', `${file} is not valid JSON (${(error as Error).message})`, ExitCode.USAGE, 'fix or move the file; amz-token will not overwrite it')] };
  }
  // Each app's ids first, by the rules the flags apply: a broken app is its own finding, and is left out below.
  if (raw && typeof raw.apps === 'object' && raw.apps !== null) {
    for (const [name, app] of Object.entries(raw.apps)) {
      const problem = idProblem(app ?? {}, name, file);
      if (!problem) continue;
      findings.push(problem);
      delete raw.apps[name];
      for (const [profile, record] of Object.entries(raw.profiles ?? {})) {
        if (record?.app !== name) continue;
        delete raw.profiles![profile];
        findings.push(skipped('profile.grant', `profile ${profile}`, `not checked: its app ${name} has broken ids`));
      }
    }
  }
  try {
    const config = parseConfig(JSON.stringify(raw), file);
    findings.push(ok('config.file', 'config', `${file} reads as amz-token's format (${Object.keys(config.apps).length} apps, ${Object.keys(config.profiles).length} profiles)`));
    for (const [name, app] of Object.entries(config.apps)) findings.push(ok('app.ids', `app ${name}`, `application id ${clip(app.appId)} and LWA client id ${clip(app.clientId)} have their forms`));
    return { config, findings };
  } catch (error) {
    const message = error instanceof AmzTokenError ? error.message : String(error);
    return { findings: [...findings, failure('config.file', 'config', message, ExitCode.USAGE, 'fix or move the file; amz-token will not overwrite it')] };
  }
}

/** Mode bits beyond `wanted` are a warning: config.json holds no secret, but names every seller and app. */
function privacy(check: string, path: string, mode: number, wanted: number, what: string): Finding {
  const actual = mode & 0o777;
  if ((actual & 0o077) === 0) return ok(check, 'config', `${what} is private to you (mode ${actual.toString(8)})`);
  return warning(check, 'config', `${what} ${path} is open to others (mode ${actual.toString(8)})`, `chmod ${wanted.toString(8)} ${path}`);
}

const APP_ID = /^amzn1\.(sp\.solution|sellerapps\.app)\./;
const CLIENT_ID = /^amzn1\.application-oa2-client\./;

/** The app's ids against their forms; swapped ids named as such (Amazon answers MD1000 to a client id). */
function idProblem(app: Record<string, unknown>, name: string, file: string): Finding | undefined {
  const appId = typeof app.appId === 'string' ? app.appId : '';
  const clientId = typeof app.clientId === 'string' ? app.clientId : '';
  const fix = `edit ${file}: apps.${name}.appId holds the application id (amzn1.sp.solution.…), apps.${name}.clientId the LWA client id (amzn1.application-oa2-client.…)`;
  if (CLIENT_ID.test(appId) && APP_ID.test(clientId)) {
    return failure('app.ids', `app ${name}`, 'the application id and the LWA client id are swapped (Amazon answers MD1000; LWA rejects the client)', ExitCode.APP_REJECTED, fix);
  }
  try {
    validate.applicationId(appId, `apps.${name}.appId`);
    validate.clientId(clientId, `apps.${name}.clientId`);
    return undefined;
  } catch (error) {
    return failure('app.ids', `app ${name}`, (error as Error).message, ExitCode.APP_REJECTED, fix);
  }
}

/** Ids are not secrets, but a line has room for their start only. */
const clip = (id: string) => (id.length > 40 ? `${id.slice(0, 38)}…` : id);
