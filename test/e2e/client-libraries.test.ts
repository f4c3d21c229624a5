// The real SP-API client libraries as jobs under `amz-token exec`: a small job
// per library (test/jobs/), written as an operator would, calls
// GET /sellers/v1/marketplaceParticipations, once with the access token amz-token
// hands over and once refreshing by itself (--lwa-credentials). The libraries
// keep their built-in https hosts; test/jobs/route-amazon-to-double.cjs sends
// those connections to the double's https listener, whose certificate (for
// *.amazon.com) comes from a throwaway CA the job trusts via NODE_EXTRA_CA_CERTS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { requireTestKeyring, sandbox, type Sandbox } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { day } from '../support/dates.js';
import { throwawayCa } from '../support/throwaway-ca.js';
import { startAmazonDouble, type AmazonDouble } from '../amazon-double/index.js';

const JOBS = resolve(import.meta.dirname, '../jobs');
const PRELOAD = join(JOBS, 'route-amazon-to-double.cjs');

const LIBRARIES = [
  // [job file, library name it reports, how it sends its own LWA refresh]
  ['amazon-sp-api.mjs', 'amazon-sp-api', 'json'],
  ['sp-api-sdk.mjs', '@sp-api-sdk', 'json'],
  ['amazon-sp-api-sdk-js.mjs', 'amazon-sp-api-sdk-js', 'form'],
] as const;

let double: AmazonDouble;
let s: Sandbox;
let profile: string;
let refreshToken: string;
let jobEnv: Record<string, string | undefined>;
const outputs: string[] = [];

beforeAll(async () => {
  requireTestKeyring();
  const ca = throwawayCa();
  double = await startAmazonDouble({
    apps: [{ applicationId: FAKE.appId, clientId: FAKE.clientId, clientSecret: FAKE.clientSecret, redirectUris: ['https://relay.example.com/amz/'] }],
    sellingPartnerId: 'A3TESTSELLER01',
    tls: ca.server,
  });
  s = sandbox();
  profile = `${s.prefix}-de`;
  const app = `${s.prefix}-app`;
  const added = await s.run(
    ['app', 'add', app, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/amz/', '--secret-created', day(-60)],
    { input: FAKE.clientSecret },
  );
  expect(added.exitCode, String(added.stderr)).toBe(0);
  refreshToken = double.issueRefreshToken(FAKE.clientId);
  const imported = await s.run(
    ['import', '--profile', profile, '--app', app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3TESTSELLER01', '--authorized-at', new Date().toISOString().slice(0, 10)],
    { input: refreshToken },
  );
  expect(imported.exitCode, String(imported.stderr)).toBe(0);
  jobEnv = {
    // amz-token itself mints at the double over plain http; only the jobs' https goes through the preload.
    AMZ_TOKEN_LWA_URL: double.lwaUrl,
    NODE_OPTIONS: `--require ${JSON.stringify(PRELOAD)}`,
    NODE_EXTRA_CA_CERTS: ca.caFile,
    AMAZON_DOUBLE_TLS_PORT: String(double.tlsPort),
    // A home without ~/.amzspapi/credentials, which amazon-sp-api would prefer to the environment.
    HOME: mkdtempSync(join(tmpdir(), 'amz-token-home-')),
    // Nothing may detour the libraries' requests through a proxy.
    HTTPS_PROXY: undefined,
    https_proxy: undefined,
    HTTP_PROXY: undefined,
    http_proxy: undefined,
  };
});

afterAll(async () => {
  await double?.close();
  // amz-token's own output never shows a secret (the jobs print only marketplaces).
  for (const text of outputs) {
    expect(text).not.toContain(refreshToken);
    expect(text).not.toContain(FAKE.clientSecret);
    expect(text).not.toMatch(/Atz[ar]\|/);
  }
});

async function runJob(job: string, lwaCredentials: boolean) {
  const tokenCalls = double.requests.length;
  const sellersCalls = double.sellersRequests.length;
  const result = await s.run(['exec', '--profile', profile, ...(lwaCredentials ? ['--lwa-credentials'] : []), '--', 'node', join(JOBS, job)], { env: jobEnv, timeout: 60_000 });
  outputs.push(String(result.stdout), String(result.stderr));
  return { result, tokenRequests: double.requests.slice(tokenCalls), sellersRequests: double.sellersRequests.slice(sellersCalls) };
}

describe('real SP-API client libraries run as jobs under amz-token exec', () => {
  it.each(LIBRARIES)('%s (%s) calls the Sellers API with the access token amz-token hands over, and never asks LWA itself', async (job, library) => {
    const { result, tokenRequests, sellersRequests } = await runJob(job, false);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(JSON.parse(String(result.stdout))).toEqual({ library, marketplaces: ['DE'] });
    // Over https, through the library's own built-in host, with a token the double minted and accepted.
    expect(sellersRequests).toEqual([{ secure: true, accepted: true, at: expect.any(Number) }]);
    // The job made no LWA request; amz-token made at most one (the first run mints, later ones reuse the cache), over plain http.
    expect(tokenRequests.filter((r) => r.secure)).toEqual([]);
    expect(tokenRequests.length).toBeLessThanOrEqual(1);
  });

  it.each(LIBRARIES)('%s (%s) with --lwa-credentials refreshes by itself at LWA, sending a %s body, and calls the Sellers API', async (job, library, bodyKind) => {
    const { result, tokenRequests, sellersRequests } = await runJob(job, true);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(JSON.parse(String(result.stdout))).toEqual({ library, marketplaces: ['DE'] });
    const own = tokenRequests.filter((r) => r.secure);
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ path: '/auth/o2/token', body: bodyKind, form: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: FAKE.clientId } });
    expect(sellersRequests).toEqual([{ secure: true, accepted: true, at: expect.any(Number) }]);
  });
});
