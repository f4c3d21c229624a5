// The benches' team store: a pass store (docker-credential-pass, gpg) as a team shares it, with a
// fresh gpg key without passphrase in a throwaway GNUPGHOME, and a config.json whose "store" is
// helper:pass. Returns undefined, with a note, where pass, gpg or the helper is not installed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `cli(dir, env, args, input)` runs amz-token; returns { dir, env, stop } for a profile `profile` of the team store. */
export function teamStoreProfile({ work, cli, env: baseEnv, profile, app }) {
  const missing = ['pass', 'gpg', 'docker-credential-pass'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  if (missing.length) {
    console.error(`bench: ${missing.join(', ')} not installed; leaving out the team-store row`);
    return undefined;
  }
  const home = join(work, 'team');
  const env = { ...baseEnv, GNUPGHOME: join(home, 'gnupg'), PASSWORD_STORE_DIR: join(home, 'pass') };
  mkdirSync(env.GNUPGHOME, { recursive: true, mode: 0o700 });
  const stop = () => spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, ...env } });
  const sh = (command, args) => {
    const run = spawnSync(command, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
    return run.stdout;
  };
  try {
    sh('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--quick-gen-key', 'bench <bench@example.test>', 'future-default', 'default', 'never']);
    const fingerprint = /^fpr:+([0-9A-F]+):/m.exec(sh('gpg', ['--batch', '--with-colons', '--list-secret-keys']))[1];
    sh('pass', ['init', fingerprint]);
    const dir = join(home, 'config');
    const store = { ...env, AMZ_TOKEN_STORE: 'helper:pass' };
    const today = new Date().toISOString().slice(0, 10);
    cli(dir, store, ['app', 'add', app, '--app-id', 'amzn1.sp.solution.00000000-0000-0000-0000-000000000000', '--client-id', 'amzn1.application-oa2-client.00000000000000000000000000000000',
      '--redirect-uri', 'https://relay.example.com/amz-token/', '--secret-created', today], 'amzn1.oa2-cs.v1.bench0000000000000000000000000000');
    cli(dir, store, ['import', '--profile', profile, '--app', app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3BENCH0000001', '--authorized-at', today], 'Atzr|bench-refresh-token');
    // The team's choice lives in config.json, as a team commits it: no AMZ_TOKEN_STORE from here on.
    const file = join(dir, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ version: config.version, store: 'helper:pass', ...config }, null, 2) + '\n', { mode: 0o600 });
    cli(dir, env, ['token', '--profile', profile]); // fills the cache
    return { dir, env, stop };
  } catch (error) {
    stop();
    throw error;
  }
}
