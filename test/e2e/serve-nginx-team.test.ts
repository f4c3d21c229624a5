// End to end, the team setup of docs/serve.md: serve (behind nginx with TLS) on a "server" whose
// secrets live in a pass store, and an operator on another "machine" (own gpg key, own config
// folder, no keychain at all) sharing that store. The operator's invitation link, signed with the
// key both read from pass, works on the server once the operator's config.json reaches it (git in
// practice; a copy here), and the renewed token lands in pass, nowhere else.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type Result } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, requireTestKeyring, secretToolLookup } from '../support/cli.js';
import { confirmConsent } from '../support/flow.js';
import { startServeRig, type ServeRig } from '../support/serve-rig.js';
import { cookiesOf, proxyTarget, viaProxy } from '../support/nginx-tls.js';

const NO_KEYCHAIN = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };

interface Machine {
  env: Record<string, string> & { AMZ_TOKEN_CONFIG_DIR: string };
  fingerprint: string;
  sh(file: string, args: string[], input?: string): Promise<Result>;
}

let root: string;
const machines: Machine[] = [];
let rig: ServeRig | undefined;

/** A machine with a gpg key of its own (batch-made, no passphrase, as a server's would be) and the shared pass folder. */
async function machine(name: string, passDir: string): Promise<Machine> {
  const home = join(root, name);
  mkdirSync(join(home, 'gnupg'), { recursive: true, mode: 0o700 });
  const env = { HOME: home, GNUPGHOME: join(home, 'gnupg'), PASSWORD_STORE_DIR: passDir, AMZ_TOKEN_STORE: 'helper:pass', AMZ_TOKEN_CONFIG_DIR: join(home, 'config'), ...NO_KEYCHAIN, NO_COLOR: '1', TZ: 'UTC' };
  const sh = async (file: string, args: string[], input = '') => {
    const result = await execa(file, args, { env, input, reject: false, timeout: 60_000 });
    expect(result.exitCode, `${file} ${args.join(' ')}: ${String(result.stderr)}`).toBe(0);
    return result;
  };
  await sh('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--quick-gen-key', `${name} <${name}@example.test>`, 'future-default', 'default', 'never']);
  const listed = await sh('gpg', ['--batch', '--with-colons', '--list-secret-keys']);
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(String(listed.stdout))![1]!;
  const m = { env, fingerprint, sh };
  machines.push(m);
  return m;
}


beforeAll(() => {
  requireTestKeyring();
  root = mkdtempSync(join(tmpdir(), 'amz-token-serve-team-'));
});

afterAll(async () => {
  await rig?.close();
  for (const m of machines) await execa('gpgconf', ['--kill', 'gpg-agent'], { env: m.env, reject: false });
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('serve with the team store', () => {
  it("an operator's invitation from another machine works on the server through the shared pass store, and the renewed token lands in pass", async () => {
    const passDir = join(root, 'pass');
    const [server, operator] = [await machine('server', passDir), await machine('operator', passDir)];
    for (const [from, to] of [[server, operator], [operator, server]] as const) {
      const exported = await from.sh('gpg', ['--batch', '--armor', '--export', from.fingerprint]);
      await to.sh('gpg', ['--batch', '--import'], String(exported.stdout));
      await to.sh('gpg', ['--batch', '--yes', '--quick-lsign-key', from.fingerprint]);
    }
    await server.sh('pass', ['init', server.fingerprint, operator.fingerprint]);

    // The server: app, profile and serve, all on pass (no keychain reachable).
    const { AMZ_TOKEN_CONFIG_DIR: _unused, ...serverEnv } = server.env; // the rig's sandbox is the server's config folder
    rig = await startServeRig({ nginx: true, env: serverEnv });
    const profile = `${rig.s.prefix}-team`;
    const oldToken = await rig.profile(profile);
    const serverConfig = join(rig.s.configDir, 'config.json');

    // The operator's machine: a clone of the team's config.json, the same store.
    const operatorConfig = join(operator.env.AMZ_TOKEN_CONFIG_DIR, 'config.json');
    mkdirSync(operator.env.AMZ_TOKEN_CONFIG_DIR, { recursive: true, mode: 0o700 });
    copyFileSync(serverConfig, operatorConfig);
    const amz = (args: string[], env: Record<string, string> = {}) => execa('node', [BIN, ...args], { env: { ...operator.env, AMZ_TOKEN_LWA_URL: rig!.double.lwaUrl, ...env }, reject: false, timeout: 60_000 });
    const invited = await amz(['invite', '--profile', profile, '--base-url', rig.baseUrl, '--json']);
    expect(invited.exitCode, String(invited.stderr)).toBe(0);
    const { url, id } = JSON.parse(String(invited.stdout)) as { url: string; id: string };

    // Before the server has the operator's config.json, the link is unknown there: refused, nobody sent to Amazon.
    const early = await viaProxy(proxyTarget(rig.nginx!), url);
    expect(early.status).toBe(400);
    expect(early.body).not.toContain(rig.double.origin);

    // "git pull" on the server; serve re-reads config.json, no restart.
    writeFileSync(serverConfig, readFileSync(operatorConfig));
    const landing = await viaProxy(proxyTarget(rig.nginx!), url);
    expect(landing.status).toBe(200);
    const consent = /<a [^>]*id="continue"[^>]*href="([^"]+)"/.exec(landing.body)![1]!.replaceAll('&amp;', '&');
    const done = await viaProxy(proxyTarget(rig.nginx!), await confirmConsent(consent), 'GET', { cookie: cookiesOf(landing) });
    expect(done.status, done.body).toBe(303);
    expect(done.location).toMatch(/\/done$/);

    // The new token is in pass, as the operator reads it (a hash compared in the job: no secret in argv).
    const sha = (value: string) => createHash('sha256').update(value).digest('hex');
    const job = await amz(['exec', '--no-input', '--lwa-credentials', '--profile', profile, '--', 'node', '-e',
      'const h = require("node:crypto").createHash("sha256").update(process.env.LWA_REFRESH_TOKEN ?? "").digest("hex"); process.exit(/^Atzr\\x7c/.test(process.env.LWA_REFRESH_TOKEN ?? "") && h !== process.env.OLD ? 0 : 3)'],
      { OLD: sha(oldToken) });
    expect(job.exitCode, String(job.stderr)).toBe(0);
    expect(await secretToolLookup(`profile/${profile}/refresh-token`)).toBeNull();
    const storeText = String((await server.sh('bash', ['-c', 'cat $(find "$PASSWORD_STORE_DIR" -type f -name "*.gpg") | base64'])).stdout);
    expect(storeText).not.toContain('Atzr|');

    // The server's config.json (what it pushes back) marks the invitation used.
    copyFileSync(serverConfig, operatorConfig);
    const listed = await amz(['invite', 'list', '--json']);
    expect((JSON.parse(String(listed.stdout)) as Array<{ id: string; state: string }>).find((i) => i.id === id)?.state).toBe('used');
    expect((await viaProxy(proxyTarget(rig.nginx!), url)).status).toBe(410);
  });
});
