// Finding an app or a profile by name in a loaded config, with the error an
// operator needs when it is not there (exit 5, and the names that do exist).

import { NotFoundError } from '../errors.js';
import type { AppRecord, Config, ProfileRecord } from './config.js';

/** How many known names a "not found" hint shows; a team may have thousands. */
const NAMES_SHOWN = 5;

export function findProfile(config: Config, name: string): ProfileRecord {
  const profile = config.profiles[name];
  if (!profile) {
    const known = Object.keys(config.profiles);
    throw new NotFoundError(
      `no profile named "${name}"`,
      known.length ? `known profiles: ${someNames(known, name, 'amz-token status')}` : 'create one with amz-token import or amz-token request',
    );
  }
  return profile;
}

export function findApp(config: Config, name: string): AppRecord {
  const app = config.apps[name];
  if (!app) {
    const known = Object.keys(config.apps);
    throw new NotFoundError(`no app named "${name}"`, known.length ? `known apps: ${someNames(known, name, 'amz-token app list')}` : 'register one with amz-token app add');
  }
  return app;
}

/** A few names, those sharing the longest start with `wanted` first (a typo finds its match), and how many more. */
export function someNames(known: string[], wanted: string, listsThem: string): string {
  if (known.length <= NAMES_SHOWN) return known.join(', ');
  const shared = (name: string) => {
    let length = 0;
    while (length < name.length && name[length] === wanted[length]) length += 1;
    return length;
  };
  const closest = known
    .map((name) => ({ name, shared: shared(name) }))
    .sort((a, b) => b.shared - a.shared || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, NAMES_SHOWN)
    .map((candidate) => candidate.name);
  return `${closest.join(', ')} and ${(known.length - NAMES_SHOWN).toLocaleString('en-US')} more (${listsThem} lists them)`;
}
