// Owns `npm run bench`: start-up time and memory of the built CLI against bare `node -e 0`.
// A measurement that prints figures, not a test: it never fails on speed.
//
//   npm run bench [-- --runs 60]
//
// Every round runs each command once, in a rotating order, so that load from other work on
// the machine hits all of them alike (hyperfine would run one command's runs back to back).
// Offline only: the configs are fake profiles written straight into config.json in a
// throwaway AMZ_TOKEN_CONFIG_DIR; status without --check never touches network or keychain.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin/amz-token.js');
const runsArg = process.argv.indexOf('--runs');
const rounds = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 40;
const WARMUP_ROUNDS = 3;
const RSS_RUNS = 5;

buildIfNeeded();
const work = mkdtempSync(join(tmpdir(), 'amz-token-bench-'));
try {
  const configs = { 1: fakeConfig(1), 20: fakeConfig(20), 2000: fakeConfig(2000) };
  const cases = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'amz-token --help', args: [bin, '--help'], dir: configs[20] },
    { name: 'amz-token status (20 profiles)', args: [bin, 'status'], dir: configs[20] },
    { name: 'amz-token status --json (1 profile)', args: [bin, 'status', '--json'], dir: configs[1] },
    { name: 'amz-token status --json (2,000 profiles)', args: [bin, 'status', '--json'], dir: configs[2000] },
  ];
  for (const c of cases) c.times = [];
  for (let round = 0; round < WARMUP_ROUNDS + rounds; round++) {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(round + i) % cases.length];
      const ms = timeOnce(c);
      if (round >= WARMUP_ROUNDS) c.times.push(ms);
    }
  }
  const rss = peakRssMB([bin, 'status'], configs[2000]);

  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const [node, help, status20, json1, json2000] = cases.map((c) => median(c.times));
  const rows = [
    ['what', 'median', 'ratio', 'target', ''],
    ['node -e 0', ms(node), '1.00x', '', ''],
    ['amz-token --help', ms(help), ratio(help / node), '<= 1.4x node -e 0', verdict(help / node <= 1.4)],
    ['amz-token status, 20 profiles', ms(status20), ratio(status20 / node), '<= 1.4x node -e 0', verdict(status20 / node <= 1.4)],
    ['amz-token status --json, 1 profile', ms(json1), ratio(json1 / node), '', ''],
    ['amz-token status --json, 2,000 profiles', ms(json2000), ratio(json2000 / json1), '<= 1.5x the 1-profile run', verdict(json2000 / json1 <= 1.5)],
    [`peak RSS, status, 2,000 profiles (${rss.how})`, `${rss.mb.toFixed(1)} MB`, '', '<= 80 MB', verdict(rss.mb <= 80)],
  ];
  console.log(`amz-token start-up: medians of ${rounds} interleaved runs each (after ${WARMUP_ROUNDS} warm-up rounds); node ${process.version}, ${os()}`);
  console.log('');
  for (const line of table(rows)) console.log(line);
  console.log('');
  console.log('Ratios are what to compare between machines; the milliseconds depend on the machine and its load.');
} finally {
  rmSync(work, { recursive: true, force: true });
}

function buildIfNeeded() {
  const bundle = join(root, 'dist/amz-token.cjs');
  const newest = (dir) =>
    readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile())
      .reduce((t, e) => Math.max(t, statSync(join(e.parentPath ?? e.path, e.name)).mtimeMs), 0);
  const stale = !existsSync(bundle) || statSync(bundle).mtimeMs < Math.max(newest(join(root, 'src')), statSync(join(root, 'package.json')).mtimeMs);
  if (!stale) return;
  console.error('bench: building first (npm run build)');
  const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

/** A config folder with `count` profiles of one app, written as JSON (the format of src/config/config.ts). */
function fakeConfig(count) {
  const dir = join(work, `config-${count}`);
  mkdirSync(dir, { mode: 0o700 });
  const config = {
    version: 1,
    apps: {
      'bench-app': {
        appId: 'amzn1.sp.solution.00000000-0000-0000-0000-000000000000',
        clientId: 'amzn1.application-oa2-client.00000000000000000000000000000000',
        redirectUri: 'https://relay.example.com/amz-token/',
        draft: false,
        clientSecretCreatedAt: new Date(Date.now() - 10 * 86_400_000).toISOString(),
      },
    },
    profiles: {},
  };
  const marketplaces = ['DE', 'FR', 'IT', 'ES', 'UK'];
  for (let i = 0; i < count; i++) {
    const authorizedAt = new Date(Date.now() - (i % 300) * 86_400_000);
    config.profiles[`shop-${String(i).padStart(4, '0')}`] = {
      app: 'bench-app',
      region: 'eu',
      marketplace: marketplaces[i % marketplaces.length],
      role: i % 10 === 0 ? 'vendor' : 'seller',
      sellingPartnerId: `A${String(i).padStart(13, '0')}`,
      authorizedAt: authorizedAt.toISOString(),
      expiresAt: new Date(authorizedAt.getTime() + 365 * 86_400_000).toISOString(),
    };
  }
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  return dir;
}

function envFor(dir) {
  const env = { ...process.env, NO_COLOR: '1' };
  if (dir) env.AMZ_TOKEN_CONFIG_DIR = dir;
  return env;
}

function timeOnce(c) {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, c.args, { env: envFor(c.dir), stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  // 0 ok, 3 expiring: the fake profiles include both. Anything else means the figure is wrong.
  if (run.status !== 0 && run.status !== 3) {
    throw new Error(`${c.name} exited ${run.status}: ${String(run.stderr).slice(0, 500)}`);
  }
  return elapsed;
}

/** Median peak RSS: GNU time's %M if installed (Debian: time), else the child's own maxRSS at exit. */
function peakRssMB(args, dir) {
  const gnuTime = existsSync('/usr/bin/time');
  const probe = join(work, 'rss.mjs');
  const out = join(work, 'rss.txt');
  writeFileSync(probe, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(out)}, String(process.resourceUsage().maxRSS)));\n`);
  const kbs = [];
  for (let i = 0; i < RSS_RUNS; i++) {
    if (gnuTime) {
      const run = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { env: envFor(dir), stdio: ['ignore', 'ignore', 'pipe'] });
      kbs.push(Number(String(run.stderr).trim().split('\n').pop()));
    } else {
      spawnSync(process.execPath, ['--import', probe, ...args], { env: envFor(dir), stdio: 'ignore' });
      kbs.push(Number(readFileSync(out, 'utf8')));
    }
  }
  kbs.sort((a, b) => a - b);
  return { mb: kbs[Math.floor(kbs.length / 2)] / 1024, how: gnuTime ? '/usr/bin/time' : 'maxRSS' };
}

function ms(x) {
  return `${x.toFixed(1)} ms`;
}
function ratio(x) {
  return `${x.toFixed(2)}x`;
}
function verdict(ok) {
  return ok ? 'met' : 'MISSED';
}
function os() {
  const cores = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s/gm)?.length;
    } catch {
      return undefined;
    }
  })();
  return `${process.platform}-${process.arch}${cores ? `, ${cores} cores` : ''}`;
}
function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === 1 || i === 2 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd());
}
