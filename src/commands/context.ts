// What every command's run() receives: its collaborators and the global flags.

import type { Deps } from '../deps.js';
import type { GlobalOptions, Output } from '../output.js';
import { NotFoundError, UsageError } from '../errors.js';
import { profileName } from '../validate.js';
import { loadConfig, type Config, type ProfileRecord, type AppRecord } from '../config/config.js';

export interface CommandContext {
  deps: Deps;
  out: Output;
  global: GlobalOptions;
}

/** --profile, else AMZ_TOKEN_PROFILE; undefined when neither is set. */
export function selectedProfileName(ctx: CommandContext): string | undefined {
  const name = ctx.global.profile ?? (ctx.deps.env.AMZ_TOKEN_PROFILE || undefined);
  return name === undefined ? undefined : profileName(name);
}

export function requireProfileName(ctx: CommandContext): string {
  const name = selectedProfileName(ctx);
  if (name === undefined) throw new UsageError('this command needs --profile <name> (or AMZ_TOKEN_PROFILE)');
  return name;
}

export function readConfig(ctx: CommandContext): Promise<Config> {
  return loadConfig(ctx.deps.configDir, (line) => ctx.out.warn(line));
}

export function findProfile(config: Config, name: string): ProfileRecord {
  const profile = config.profiles[name];
  if (!profile) {
    const known = Object.keys(config.profiles);
    throw new NotFoundError(
      `no profile named "${name}"`,
      known.length ? `known profiles: ${known.join(', ')}` : 'create one with amz-token import or amz-token request',
    );
  }
  return profile;
}

export function findApp(config: Config, name: string): AppRecord {
  const app = config.apps[name];
  if (!app) {
    const known = Object.keys(config.apps);
    throw new NotFoundError(`no app named "${name}"`, known.length ? `known apps: ${known.join(', ')}` : 'register one with amz-token app add');
  }
  return app;
}
