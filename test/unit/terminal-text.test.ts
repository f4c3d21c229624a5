// Text from outside reaches the terminal neutralised: controls, separators and
// the bidirectional controls that could make a name or a message read as another.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { scrub } from '../../src/amazon/http.js';
import { interpretTokenReply } from '../../src/amazon/lwa.js';
import { scrubHelperOutput } from '../../src/secrets/credential-helper.js';
import { printable } from '../../src/output.js';
import * as validate from '../../src/validate.js';
import { fakeEnvironment } from '../support/fake-deps.js';

const BIDI = ['\u202e', '\u202a', '\u202b', '\u202c', '\u202d', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c'];
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/;

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('bidi controls are neutralised wherever ESC and C1 are', () => {
  it.each(BIDI.map((c) => [`U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`, c]))('%s', (_name, c) => {
    expect(printable(`a${c}b\u001b[2Jc\u009bd`)).toBe('a?b?[2Jc?d');
    // A profile name in a shared config.json, echoed by the error that refuses it.
    const config = JSON.stringify({ version: 1, profiles: { [`shop${c}ed-pohs`]: {} } });
    expect(messageOf(() => parseConfig(config, '/cfg/config.json'))).not.toMatch(UNSAFE);
    // What an operator typed, echoed by the flag's error.
    expect(messageOf(() => validate.profileName(`x${c}y/`))).not.toMatch(UNSAFE);
    // Login with Amazon's error text, and a credential helper's.
    expect(scrub(`bad ${c}request`)).toBe('bad ?request');
    expect(messageOf(() => interpretTokenReply(400, JSON.stringify({ error: 'invalid_grant', error_description: `no${c}pe` }), 'refresh', 'my-app'))).not.toMatch(UNSAFE);
    expect(scrubHelperOutput(`gpg: ${c}fail`)).toBe('gpg: ?fail');
  });

  it('a config entry name with U+202E reaches stderr as ?, not as the control', async () => {
    const env = fakeEnvironment();
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(env.deps.configDir, { recursive: true, mode: 0o700 });
    writeFileSync(`${env.deps.configDir}/config.json`, JSON.stringify({ version: 1, apps: { 'evil\u202etxt.exe': {} } }), { mode: 0o600 });
    const result = await env.run(['status']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('evil?txt.exe');
    expect(result.stderr.replace(/\n/g, '')).not.toMatch(UNSAFE);
  });
});
