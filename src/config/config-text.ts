// config.json's text as a write leaves it: "store" right after "version", where a teammate
// reading the file looks first, and only ever a text its loader accepts. One bad value would stop
// every command on every machine that shares the file, so such a change is refused and the old
// file stays. Loaded by writers only, with atomic-file.ts.

import { ConfigError } from '../errors.js';

/** `parse`: config.ts's parseConfig (passed in, so that this module does not import its importer). */
export function configText<C extends { version: number; store?: string }>(config: C, file: string, parse: (text: string, file: string) => unknown): string {
  const { version, store, ...rest } = config;
  const text = JSON.stringify({ version, store, ...rest }, null, 2) + '\n';
  try {
    parse(text, file);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(file, `was not changed: the change would make it invalid (${error.message.slice(file.length + 2)})`);
    throw error;
  }
  return text;
}
