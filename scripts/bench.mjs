// Owns `npm run bench`: start-up time and memory of the built CLI against bare `node -e 0`;
// serve's figures come from scripts/bench-serve.mjs.
// A measurement that prints figures, not a test: it never fails on speed.
//
//   npm run bench [-- --runs 60] [-- --keep-env] [-- --no-serve]
//
// Every row runs without NODE_EXTRA_CA_CERTS and NODE_OPTIONS (--keep-env keeps them): both add a
// fixed cost to every Node start, `node -e 0` included (a CA bundle read at start-up: ~70 ms on a
// machine that sets it for every process), which shrinks every ratio without making amz-token faster.
// The CLI's compile cache (Node 22.1+) lives in the bench's own folder, warm after the warm-up rounds.
//
// Every round runs each command once, in a rotating order, so that load from other work on
// the machine hits all of them alike (hyperfine would run one command's runs back to back).
// The offline rows use fake profiles written straight into config.json in a throwaway
// AMZ_TOKEN_CONFIG_DIR; status without --check never touches network or keychain. The rows of
// `token`, `exec` and `status --check` use a real keychain (the private Secret Service of
// scripts/secret-service.sh, started here and stopped at the end) and, for LWA, a minimal token
// endpoint on loopback in a process of its own (the bench's own event loop is blocked while it times).
// A cached `token` is measured three ways: the shared runtime cache with the keychain as the store,
// the same with a pass-based team store (scripts/bench-team.mjs), and AMZ_TOKEN_CACHE=store (the
// token in the keychain, as before the runtime cache). The library row times 1,000 cached calls in
// one process. `--help` is measured twice: to /dev/null (dist/help.txt) and at a terminal (a
// pseudo-terminal from script(1), against `node -e 0` under the same wrapper).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLoopbackLwa } from './bench-lwa.mjs';
import { teamStoreProfile } from './bench-team.mjs';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin/amz-token.js');
const runsArg = process.argv.indexOf('--runs');
const rounds = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 40;
const WARMUP_ROUNDS = 3;
const KEEP_ENV = process.argv.includes('--keep-env');
const DROPPED_ENV = ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'].filter((name) => !KEEP_ENV && process.env[name] !== undefined);
const RSS_RUNS = 5;
const SERVE = !process.argv.includes('--no-serve');
const LIBRARY_RUNS = 7;

buildIfNeeded();
const work = mkdtempSync(join(tmpdir(), 'amz-token-bench-'));
let keychain;
try {
  const configs = { 1: fakeConfig(1), 20: fakeConfig(20), 2000: fakeConfig(2000) };
  const cases = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'amz-token --help', args: [bin, '--help'], dir: configs[20] },
    { name: 'amz-token status (20 profiles)', args: [bin, 'status'], dir: configs[20] },
    { name: 'amz-token status --json (1 profile)', args: [bin, 'status', '--json'], dir: configs[1] },
    { name: 'amz-token status --json (2,000 profiles)', args: [bin, 'status', '--json'], dir: configs[2000] },
  ];
  keychain = await keychainProfile();
  if (keychain) {
    const { dir, env, team } = keychain;
    cases.push(
      { name: 'true', cmd: 'true', args: [] },
      { name: 'amz-token token (cached)', args: [bin, 'token', '--profile', 'bench-de'], dir, env },
      { name: 'amz-token exec -- true (cached)', args: [bin, 'exec', '--profile', 'bench-de', '--', 'true'], dir, env },
      { name: 'amz-token status --check (1 profile)', args: [bin, 'status', '--check', '--profile', 'bench-de'], dir, env },
      // No amz-token at all: the floor that token's keychain read puts under it (loading the binding,
      // which opens a D-Bus connection per entry, then one read), for reading the token row.
      { name: 'keychain read alone', args: ['-e', keychainReadAlone()], dir, env },
      { name: 'amz-token token (cached in the keychain, AMZ_TOKEN_CACHE=store)', args: [bin, 'token', '--profile', 'bench-de'], dir, env: { ...env, AMZ_TOKEN_CACHE: 'store' } },
      team
        ? { name: 'amz-token token (cached, team store)', args: [bin, 'token', '--profile', 'bench-team'], dir: team.dir, env: team.env }
        : { name: '(no team store)', args: ['-e', '0'] },
    );
  }
  // --help at a terminal: commander wraps it to the width, so bin/amz-token.js serves it from the
  // texts pre-rendered for each width (dist/help-widths.json), not dist/help.txt. Each run gets a
  // pseudo-terminal 100 columns wide from script(1), and so does `node -e 0`: what --help adds over
  // it there, over the bare `node -e 0`, is the ratio. (Subtracting the wrapper's own time, `script`
  // running `true`, is no fairer: script's start overlaps the child's on 2 cores, so node -e 0 minus
  // it came out at half of the bare node -e 0, and every ratio grew with it.)
  const terminal = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
  if (terminal) {
    const onTerminal = (command) => ['-qec', `stty cols 100 rows 40 && exec ${command}`, '/dev/null'];
    cases.push(
      { name: 'on a terminal: node -e 0', cmd: 'script', args: onTerminal(`${shellWord(process.execPath)} -e 0`) },
      { name: 'on a terminal: amz-token --help', cmd: 'script', args: onTerminal(`${shellWord(process.execPath)} ${shellWord(bin)} --help`), dir: configs[20] },
    );
  } else console.error('bench: no script(1) (Debian: bsdutils); leaving out --help at a terminal');
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
  const [node, help, status20, json1, json2000, trueCmd, token, exec, check, keychainAlone, tokenInStore, tokenTeam] = cases.map((c) => median(c.times));
  const medianOf = (name) => median(cases.find((c) => c.name === name).times);
  const rows = [
    ['what', 'median', 'ratio', 'target', ''],
    ['node -e 0', ms(node), '1.00x', '', ''],
    ['amz-token --help (stdout /dev/null)', ms(help), ratio(help / node), '<= 1.6x node -e 0', verdict(help / node <= 1.6)],
  ];
  if (terminal) {
    const [nodeThere, helpThere] = ['node -e 0', 'amz-token --help'].map((what) => medianOf(`on a terminal: ${what}`));
    const helpRatio = (node + helpThere - nodeThere) / node;
    rows.push(
      ['on a terminal (script, 100 columns): node -e 0', ms(nodeThere), '', '', ''],
      ['on a terminal: amz-token --help (ratio: node -e 0 + what it adds there)', ms(helpThere), ratio(helpRatio), '<= 1.6x node -e 0', verdict(helpRatio <= 1.6)],
    );
  }
  rows.push(
    ['amz-token status, 20 profiles', ms(status20), ratio(status20 / node), '<= 1.4x node -e 0', verdict(status20 / node <= 1.4)],
    ['amz-token status --json, 1 profile', ms(json1), ratio(json1 / node), '', ''],
    ['amz-token status --json, 2,000 profiles', ms(json2000), ratio(json2000 / json1), '<= 1.5x the 1-profile run', verdict(json2000 / json1 <= 1.5)],
    [`peak RSS, status, 2,000 profiles (${rss.how})`, `${rss.mb.toFixed(1)} MB`, '', '<= 80 MB', verdict(rss.mb <= 80)],
  );
  if (keychain) {
    // exec's target allows for starting `true`: its ratio is (exec - true) / node.
    rows.push(
      ['true (what exec starts)', ms(trueCmd), ratio(trueCmd / node), '', ''],
      ['amz-token token, cached (runtime cache), keychain store', ms(token), ratio(token / node), '<= 1.3x node -e 0', verdict(token / node <= 1.3)],
      keychain.team
        ? ['amz-token token, cached (runtime cache), team store (pass)', ms(tokenTeam), ratio(tokenTeam / node), '<= 1.3x node -e 0', verdict(tokenTeam / node <= 1.3)]
        : ['amz-token token, team store (pass)', 'n/a', '', '<= 1.3x node -e 0', 'not measured: pass not installed'],
      ['amz-token exec -- true, cached (minus true)', ms(exec), ratio((exec - trueCmd) / node), '<= 1.5x node -e 0 + true', verdict((exec - trueCmd) / node <= 1.5)],
      ['amz-token status --check, 1 profile, LWA on loopback', ms(check), ratio(check / node), '<= 2x node -e 0', verdict(check / node <= 2)],
      ['amz-token token, cached in the keychain (AMZ_TOKEN_CACHE=store)', ms(tokenInStore), ratio(tokenInStore / node), '', ''],
      ['(floor of the line above) the keychain read alone: node + @napi-rs/keyring', ms(keychainAlone), ratio(keychainAlone / node), '', ''],
    );
    const library = libraryCalls(keychain);
    rows.push(['library: 1,000 cached accessToken() calls in one process', ms(library), '', 'well under 100 ms', verdict(library < 100)]);
  }
  console.log(`amz-token start-up: medians of ${rounds} interleaved runs each (after ${WARMUP_ROUNDS} warm-up rounds); node ${process.version}, ${os()}`);
  if (DROPPED_ENV.length) console.log(`(${DROPPED_ENV.join(' and ')} unset for every row, node -e 0 included: --keep-env keeps them)`);
  else if (KEEP_ENV) console.log('(the environment as it is: NODE_EXTRA_CA_CERTS or NODE_OPTIONS, if set, add to every row)');
  console.log('');
  for (const line of table(rows)) console.log(line);
  console.log('');
  console.log('Ratios are what to compare between machines; the milliseconds depend on the machine and its load.');

  // serve's section (scripts/bench-serve.mjs): needs the keychain for its profiles.
  if (keychain && SERVE) {
    const { benchServe } = await import('./bench-serve.mjs');
    const serveRows = await benchServe({ bin, env: keychain.env });
    if (serveRows) {
      console.log('');
      console.log('amz-token serve on loopback (no proxy), Node http client with a keep-alive agent in this process:');
      console.log('');
      for (const line of table([['what', 'figure', 'answers'], ...serveRows])) console.log(line);
    }
  }
} finally {
  keychain?.stop();
  rmSync(work, { recursive: true, force: true });
}

/**
 * A profile whose refresh token, client secret and cached access token sit in a real keychain
 * (a private Secret Service), with LWA on loopback; undefined, with a note, where there is no
 * Secret Service to start (the keychain rows are then left out).
 */
async function keychainProfile() {
  const started = spawnSync('bash', [join(root, 'scripts/secret-service.sh'), 'start'], { encoding: 'utf8' });
  if (started.status !== 0) {
    console.error(`bench: no private Secret Service (${started.stderr.trim().split('\n').pop()}); leaving out the token, exec and status --check rows`);
    return undefined;
  }
  const ssEnv = Object.fromEntries([...started.stdout.matchAll(/^export (\w+)=(.*)$/gm)].map(([, name, value]) => [name, value.replace(/\\(.)/g, '$1')]));
  const lwa = await startLoopbackLwa();
  let team;
  const stop = () => {
    team?.stop();
    lwa.server.kill();
    spawnSync('bash', [join(root, 'scripts/secret-service.sh'), 'stop', ssEnv.AMZ_TOKEN_TEST_SS_DIR], { stdio: 'inherit' });
  };
  try {
    const dir = join(work, 'config-keychain');
    const env = { ...ssEnv, AMZ_TOKEN_LWA_URL: lwa.url };
    const cli = (args, input, extra = {}) => {
      const run = spawnSync(process.execPath, [bin, ...args], { env: { ...envFor(dir), ...env, ...extra }, input, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`amz-token ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
    };
    const today = new Date().toISOString().slice(0, 10);
    cli(['app', 'add', 'bench-app', '--app-id', 'amzn1.sp.solution.00000000-0000-0000-0000-000000000000', '--client-id', 'amzn1.application-oa2-client.00000000000000000000000000000000',
      '--redirect-uri', 'https://relay.example.com/amz-token/', '--secret-created', today], 'amzn1.oa2-cs.v1.bench0000000000000000000000000000');
    cli(['import', '--profile', 'bench-de', '--app', 'bench-app', '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3BENCH0000001', '--authorized-at', today], 'Atzr|bench-refresh-token');
    cli(['token', '--profile', 'bench-de']); // fills the cache: the token and exec rows then make no LWA call
    cli(['token', '--profile', 'bench-de'], undefined, { AMZ_TOKEN_CACHE: 'store' }); // and the keychain's, for the store row
    const teamCli = (teamDir, teamEnv, args, input) => {
      const run = spawnSync(process.execPath, [bin, ...args], { env: { ...envFor(teamDir), ...teamEnv }, input, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`amz-token ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
    };
    team = teamStoreProfile({ work, cli: teamCli, env, profile: 'bench-team', app: 'bench-team-app' });
    return { dir, env, team, stop };
  } catch (error) {
    stop();
    throw error;
  }
}


/** Median over LIBRARY_RUNS processes of the time 1,000 cached accessToken() calls take, after one call that fills the process's memory. */
function libraryCalls({ dir, env }) {
  const library = JSON.stringify(join(root, 'dist/library.cjs'));
  const program = `const { accessToken } = require(${library});
    (async () => {
      await accessToken('bench-de');
      const started = process.hrtime.bigint();
      for (let i = 0; i < 1000; i++) await accessToken('bench-de');
      console.log(Number(process.hrtime.bigint() - started) / 1e6);
    })();`;
  const times = [];
  for (let i = 0; i < LIBRARY_RUNS; i++) {
    const run = spawnSync(process.execPath, ['-e', program], { env: { ...envFor(dir), ...env }, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`the library row exited ${run.status}: ${run.stderr}`);
    times.push(Number(run.stdout.trim()));
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/** A node -e program that reads the cached access token as amz-token does, and nothing else. */
function keychainReadAlone() {
  const binding = JSON.stringify(join(root, 'node_modules/@napi-rs/keyring'));
  return `new (require(${binding}).AsyncEntry)('amz-token', 'profile/bench-de/access-token', { linux: { store: 'secret-service' } }).getPassword().then((v) => { if (!v) process.exit(1); });`;
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
  const env = { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: join(work, 'cache') };
  for (const name of DROPPED_ENV) delete env[name];
  if (dir) env.AMZ_TOKEN_CONFIG_DIR = dir;
  return env;
}

function timeOnce(c) {
  const started = process.hrtime.bigint();
  const run = spawnSync(c.cmd ?? process.execPath, c.args, { env: { ...envFor(c.dir), ...c.env }, stdio: ['ignore', 'ignore', 'pipe'] });
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

/** A word for sh -c, quoted. */
function shellWord(word) {
  return `'${word.replaceAll("'", "'\\''")}'`;
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
