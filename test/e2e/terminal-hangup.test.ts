// Closing the terminal (issue 18, item 4): tmux runs amz-token on a real terminal, then
// `kill-session` closes it. A wrapper plays the shell's part (it passes SIGHUP on to its
// job) but outlives the job, to record how it ended: an exit code, not SIGABRT from
// Node's native "ResetStdio" assertion, nor death by SIGHUP.
import { describe, it, expect, afterAll } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, sandbox } from '../support/cli.js';
import { writeConfig } from '../support/config-file.js';

const work = mkdtempSync(join(tmpdir(), 'amz-token-hup-'));
const socket = `amz-token-hup-${process.pid}`;
const WRAPPER = join(work, 'wrapper.mjs');
writeFileSync(
  WRAPPER,
  `import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const [out, ...command] = process.argv.slice(2);
const child = spawn(command[0], command.slice(1), { stdio: 'inherit' });
process.on('SIGHUP', () => child.kill('SIGHUP'));
child.on('exit', (code, signal) => writeFileSync(out, JSON.stringify({ code, signal })));
`,
);

afterAll(async () => {
  await execa('tmux', ['-L', socket, 'kill-server'], { reject: false });
});

const settle = () => new Promise((ok) => setTimeout(ok, 50));

async function hangUpDuring(args: string[], shownWhenWaiting: string): Promise<{ code: number | null; signal: string | null }> {
  const s = sandbox();
  const secretsFile = join(mkdtempSync(join(tmpdir(), 'amz-token-hup-secrets-')), 'secrets.json');
  writeConfig(s.configDir, {
    apps: { 'my-app': { clientSecretCreatedAt: new Date().toISOString() } },
    profiles: { shop: { expiresAt: new Date(Date.now() + 300 * 86_400_000).toISOString(), authorizedAt: new Date().toISOString() } },
  });
  writeFileSync(secretsFile, JSON.stringify({ 'app/my-app/client-secret': 'amzn1.oa2-cs.v1.fake', 'profile/shop/refresh-token': 'Atzr|fake' }), { mode: 0o600 });
  const session = `s${Math.random().toString(36).slice(2, 8)}`;
  const out = join(work, `${session}.json`);
  const env = { ...s.env, AMZ_TOKEN_STORE: 'file', AMZ_TOKEN_SECRETS_FILE: secretsFile };
  const exports = Object.entries(env).map(([name, value]) => `${name}='${value}'`).join(' ');
  const command = `env ${exports} ${process.execPath} ${WRAPPER} ${out} ${process.execPath} ${BIN} ${args.join(' ')}`;
  await execa('tmux', ['-L', socket, 'new-session', '-d', '-s', session, '-x', '120', '-y', '30', command]);
  // Bounded by a count, not by a clock reading: the test waits for the prompt, it times nothing.
  let screen = '';
  for (let i = 0; i < 600 && !screen.includes(shownWhenWaiting); i++) {
    await settle();
    screen = String((await execa('tmux', ['-L', socket, 'capture-pane', '-p', '-t', session], { reject: false })).stdout);
  }
  expect(screen).toContain(shownWhenWaiting);
  await execa('tmux', ['-L', socket, 'kill-session', '-t', session]);
  for (let i = 0; i < 600 && !existsSync(out); i++) await settle();
  return JSON.parse(readFileSync(out, 'utf8')) as { code: number | null; signal: string | null };
}

describe('the terminal closes while amz-token waits on it', () => {
  it('request: exit 6, no abort', async () => {
    const ended = await hangUpDuring(['request', '--profile', 'new', '--app', 'my-app', '--marketplace', 'DE', '--no-browser', '--port', '0', '--timeout', '120'], 'press Enter');
    expect(ended).toEqual({ code: 6, signal: null });
  });

  it("remove's confirmation: exit 130 (cancelled, nothing removed), no abort", async () => {
    const ended = await hangUpDuring(['remove', '--profile', 'shop'], '[y/N]');
    expect(ended).toEqual({ code: 130, signal: null });
  });
});
