// No home folder (HOME unset, a uid without a passwd entry, as in a container run with an
// arbitrary user): Node's homedir() throws. --help and an explicit AMZ_TOKEN_CONFIG_DIR must
// still work, and anything else gets one line and exit 2, not a stack trace.
// (Checked by hand with the built binary: `setpriv --reuid 12345 env -u HOME amz-token status`.)
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('node:os', async (original) => {
  const os = await original<typeof import('node:os')>();
  return {
    ...os,
    homedir: () => {
      throw Object.assign(new Error('A system error occurred: uv_os_homedir returned ENOENT (no such file or directory)'), { code: 'ERR_SYSTEM_ERROR' });
    },
  };
});

const saved = { ...process.env };
afterEach(() => {
  for (const name of ['AMZ_TOKEN_CONFIG_DIR', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('no home folder', () => {
  it('creating the real dependencies does not throw; the config folder, when asked for, is a usage error naming the fix', async () => {
    delete process.env.AMZ_TOKEN_CONFIG_DIR;
    delete process.env.XDG_CONFIG_HOME;
    const { createRealDeps } = await import('../../src/deps.js');
    const deps = createRealDeps();
    let thrown: unknown;
    try {
      void deps.configDir;
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ exitCode: 2, message: expect.stringMatching(/^cannot tell your home folder.*HOME is not set/), hint: expect.stringContaining('AMZ_TOKEN_CONFIG_DIR') });
  });

  it('AMZ_TOKEN_CONFIG_DIR and XDG_DATA_HOME need no home folder', async () => {
    process.env.AMZ_TOKEN_CONFIG_DIR = '/srv/amz-token/config';
    process.env.XDG_DATA_HOME = '/srv/data';
    const { createRealDeps } = await import('../../src/deps.js');
    const deps = createRealDeps();
    expect([deps.configDir, deps.dataDir]).toEqual(['/srv/amz-token/config', '/srv/data/amz-token']);
  });
});
