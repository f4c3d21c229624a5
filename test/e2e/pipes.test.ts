// End to end: a reader that goes away early (`amz-token --help | head -1`) is
// not an error: no stack trace, and the command's own exit code.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, sandbox } from '../support/cli.js';
import { writeConfig } from '../support/config-file.js';

/**
 * Runs amz-token with stdout a pipe whose reader has already closed it: the
 * reader closes its end, then lets the writer start through a FIFO. No timing.
 */
async function intoClosedPipe(args: string[], env: Record<string, string> = {}) {
  const fifo = join(mkdtempSync(join(tmpdir(), 'amz-token-pipe-')), 'go');
  const quoted = ['node', BIN, ...args].map((word) => `'${word}'`).join(' ');
  const script = `mkfifo '${fifo}'; { read _ < '${fifo}'; ${quoted}; echo "exit=$?" >&2; } | { exec <&-; echo go > '${fifo}'; }`;
  const result = await execa('sh', ['-c', script], { env, reject: false, timeout: 30_000 });
  const stderr = String(result.stderr);
  return { exit: Number(/exit=(\d+)\s*$/.exec(stderr)?.[1]), stderr: stderr.replace(/exit=\d+\s*$/, '') };
}

describe('a closed pipe on stdout', () => {
  it('--help exits 0 quietly, with no EPIPE stack trace', async () => {
    const { exit, stderr } = await intoClosedPipe(['--help']);
    expect(stderr).toBe('');
    expect(exit).toBe(0);
  });

  it('status keeps its exit code (4: expired) and prints no stack trace', async () => {
    const s = sandbox();
    writeConfig(s.configDir, { apps: { 'my-app': { clientSecretCreatedAt: new Date().toISOString() } }, profiles: { lapsed: { expiresAt: '2020-01-01T00:00:00.000Z' } } });
    const { exit, stderr } = await intoClosedPipe(['status'], s.env);
    expect(stderr).not.toMatch(/EPIPE|at .*\.cjs/);
    expect(exit).toBe(4);
  });
});
