// Hardening matrix: secrets. Full scenarios run with known fake secrets; then
// everything the tool wrote or showed is searched for them: stdout, stderr,
// the config folder, the relay page, the callback pages, and every process's
// command line while a flow runs (the browser's included).
import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import { execa } from 'execa';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { requireTestKeyring, secretToolLookup } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { flowRig, driverFinished, relayPageHtml, type FlowRig } from '../support/flow.js';

beforeAll(() => requireTestKeyring());
const rigs: FlowRig[] = [];
afterEach(async () => {
  while (rigs.length) await rigs.pop()!.close();
});

/** Every secret a run could leak: ours, and every token the double handed out. */
function secretsOf(r: FlowRig, extra: string[] = []): string[] {
  const issued = r.double.requests.flatMap((q) => [q.form?.code, q.form?.refresh_token, q.form?.client_secret]);
  return [FAKE.clientSecret, FAKE.refreshToken, ...extra, ...issued].filter((s): s is string => typeof s === 'string' && s.length > 4);
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(readFileSync(path, 'utf8'));
  }
  return out;
}

describe('no secret leaks', () => {
  it('request, status, renew and remove: outputs, files, pages and process arguments hold no secret', async () => {
    const r = await flowRig();
    rigs.push(r);
    const profile = `${r.s.prefix}-leak`;
    const seen: string[] = [];

    // Watch every process's arguments while the flow (and its browser) run.
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const ps = await execa('ps', ['-eo', 'args'], { reject: false });
        seen.push(String(ps.stdout));
        await new Promise((ok) => setTimeout(ok, 100));
      }
    })();
    const request = await r.s.run(['request', '--profile', profile, '--app', r.app, '--marketplace', 'DE', '--timeout', '60']);
    const landed = await driverFinished(r);
    watching = false;
    await watcher;
    expect(request.exitCode, String(request.stderr)).toBe(0);
    const refreshToken = (await secretToolLookup(`profile/${profile}/refresh-token`))!;
    expect(refreshToken).toMatch(/^Atzr\|/);
    expect(seen.join('\n')).toContain('browser-driver.mjs'); // the watcher did see the browser

    const others = await Promise.all([
      r.s.run(['status', '--json']),
      r.s.run(['status']),
      r.s.run(['app', 'list', '--json']),
      r.s.run(['relay-page', '--app', r.app]),
    ]);
    const relay = await relayPageHtml(47613);
    const removed = await r.s.run(['remove', '--profile', profile, '--yes']);
    expect(removed.exitCode).toBe(0);

    const everything = [
      String(request.stdout),
      String(request.stderr),
      ...others.flatMap((o) => [String(o.stdout), String(o.stderr)]),
      String(removed.stdout),
      String(removed.stderr),
      relay,
      JSON.stringify(landed), // the success page as the browser saw it
      readFileSync(r.driverLog, 'utf8'),
      ...filesUnder(dirname(r.s.configDir)),
      ...seen,
    ].join('\n');
    const secrets = secretsOf(r, [refreshToken]);
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/Atz[ar]\|[A-Za-z0-9]/);
  });

  it('the consent URL carries application id, state and redirect URI, and nothing secret', async () => {
    const r = await flowRig();
    rigs.push(r);
    const run = r.s.start(['request', '--profile', `${r.s.prefix}-url`, '--app', r.app, '--marketplace', 'DE', '--no-browser', '--timeout', '2']);
    const result = await run.child;
    expect(result.exitCode).toBe(6);
    const url = new URL(/(http\S+\/apps\/authorize\/consent\?\S+)/.exec(run.stderr())![1]!);
    expect([...url.searchParams.keys()].sort()).toEqual(['application_id', 'redirect_uri', 'state']);
    expect(url.searchParams.get('state')).toMatch(/^\d+\.[A-Za-z0-9_-]{43}$/);
    expect(run.stderr()).not.toContain(FAKE.clientSecret);
  });
});
