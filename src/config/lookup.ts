// Finding an app or a profile by name in a loaded config, with the error an
// operator needs when it is not there (exit 5, and the names that do exist).

import { NotFoundError } from '../errors.js';
import type { AppRecord, Config, ProfileRecord } from './config.js';

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
