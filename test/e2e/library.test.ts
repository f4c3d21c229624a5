// amz-token as a library (src/library.ts, the package's exports) used as a Node service would:
// a consumer project in a temporary folder with amz-token installed in its node_modules (a link to
// this package, so `require('amz-token')` and `import 'amz-token'` go through package.json's
// exports), run by Node from CommonJS and from ES modules against the Amazon double and the real
// keychain; an @sp-api-sdk client calls the Sellers API through tokenProvider() over https (the
// route of test/e2e/client-libraries.test.ts), and Amazon's own SDK with a token from accessToken();
// and tsc checks a typed consumer of each kind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { requireTestKeyring, sandbox, type Sandbox } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { throwawayCa } from '../support/throwaway-ca.js';
import { startAmazonDouble, type AmazonDouble } from '../amazon-double/index.js';
import { daysAgo } from '../support/job-rig.js';

const ROOT = resolve(import.meta.dirname, '../..');
const PRELOAD = join(ROOT, 'test/jobs/route-amazon-to-double.cjs');
const TSC = join(ROOT, 'node_modules/.bin/tsc');

let double: AmazonDouble;
let s: Sandbox;
let app: string;
let project: string;
let env: Record<string, string | undefined>;
const outputs: string[] = [];
const secrets: string[] = [FAKE.clientSecret];

/** What each consumer prints: facts about the tokens, never a token. */
const consumer = (kind: 'cjs' | 'mjs') => `${
  kind === 'cjs'
    ? "const { accessToken, tokenProvider, AmzTokenError, ExitCode } = require('amz-token');\nconst { createAxiosInstance } = require('@sp-api-sdk/common');\n(async () => {"
    : "import { accessToken, tokenProvider, AmzTokenError, ExitCode } from 'amz-token';\nimport { createAxiosInstance } from '@sp-api-sdk/common';\nimport { SellersSpApi } from '@amazon-sp-api-release/amazon-sp-api-sdk-js';\n{"
}
  const profile = process.env.PROFILE;
  const failure = async (name) => {
    try {
      await accessToken(name);
      return 'no error';
    } catch (error) {
      return { isAmzTokenError: error instanceof AmzTokenError, exitCode: error.exitCode, message: error.message };
    }
  };
  // Ten at once, in one process: one refresh at most.
  const tokens = await Promise.all(Array.from({ length: 10 }, () => accessToken(profile)));
  let same = 0;
  for (let i = 0; i < 1000; i++) if ((await accessToken(profile)) === tokens[0]) same += 1;
  const provider = tokenProvider(profile);
  // The @sp-api-sdk client: all it asks of \`auth\` is getAccessToken(), before each request.
  const { axios, endpoint } = createAxiosInstance({ auth: provider, region: 'eu' }, []);
  const { data } = await axios.get(\`\${endpoint}/sellers/v1/marketplaceParticipations\`);
${
  kind === 'mjs'
    ? `  // Amazon's own SDK takes the token per client, before its calls (as in the README).
  const amazonClient = new SellersSpApi.ApiClient('https://sellingpartnerapi-eu.amazon.com');
  amazonClient.applyXAmzAccessTokenToRequest(await accessToken(profile));
  const amazon = await new SellersSpApi.SellersApi(amazonClient).getMarketplaceParticipations();
  const amazonMarketplaces = amazon.payload.map((p) => p.marketplace.countryCode);`
    : '  const amazonMarketplaces = null;'
}
  console.log(JSON.stringify({
    shape: /^Atza\\|\\S+$/.test(tokens[0]),
    distinct: new Set(tokens).size,
    same,
    providerSame: (await provider.getAccessToken()) === tokens[0],
    marketplaces: data.payload.map((p) => p.marketplace.countryCode),
    amazonMarketplaces,
    exitCodes: { NOT_FOUND: ExitCode.NOT_FOUND, EXPIRED: ExitCode.EXPIRED },
    ghost: await failure(profile + '-ghost'),
    revoked: await failure(process.env.REVOKED),
    badName: await failure('../etc'),
  }));
${kind === 'cjs' ? '})();' : '}'}
`;

/** Typed consumers: what a service in TypeScript writes, checked by tsc against the published .d.cts/.d.mts. */
const typed = (kind: 'cts' | 'mts') => `${kind === 'cts' ? "import amz = require('amz-token');\nconst { accessToken, tokenProvider, AmzTokenError, ExitCode } = amz;" : "import { accessToken, tokenProvider, AmzTokenError, ExitCode } from 'amz-token';"}
import type { AccessTokenOptions, TokenProvider } from 'amz-token';
export async function use(): Promise<string> {
  const options: AccessTokenOptions = { minRemainingMs: 60_000, configDir: '/etc/amz-token' };
  const token: string = await accessToken('shop-de', options);
  const provider: TokenProvider = tokenProvider('shop-de');
  const code: 4 = ExitCode.EXPIRED;
  try {
    return (await provider.getAccessToken()) + token + code;
  } catch (error) {
    if (error instanceof AmzTokenError && error.exitCode === ExitCode.NOT_FOUND) return error.hint ?? error.message;
    throw error;
  }
}
`;

beforeAll(async () => {
  requireTestKeyring();
  const ca = throwawayCa();
  double = await startAmazonDouble({
    apps: [{ applicationId: FAKE.appId, clientId: FAKE.clientId, clientSecret: FAKE.clientSecret, redirectUris: ['https://relay.example.com/amz/'] }],
    sellingPartnerId: 'A3TESTSELLER01',
    tls: ca.server,
  });
  s = sandbox();
  app = `${s.prefix}-app`;
  const added = await s.run(['app', 'add', app, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/amz/', '--secret-created', daysAgo(10)], {
    input: FAKE.clientSecret,
  });
  expect(added.exitCode, String(added.stderr)).toBe(0);

  // The consumer project: amz-token and @sp-api-sdk/common installed (linked) in its node_modules.
  project = mkdtempSync(join(tmpdir(), 'amz-token-consumer-'));
  mkdirSync(join(project, 'node_modules/@sp-api-sdk'), { recursive: true });
  symlinkSync(ROOT, join(project, 'node_modules/amz-token'));
  symlinkSync(join(ROOT, 'node_modules/@sp-api-sdk/common'), join(project, 'node_modules/@sp-api-sdk/common'));
  mkdirSync(join(project, 'node_modules/@amazon-sp-api-release'));
  symlinkSync(join(ROOT, 'node_modules/@amazon-sp-api-release/amazon-sp-api-sdk-js'), join(project, 'node_modules/@amazon-sp-api-release/amazon-sp-api-sdk-js'));
  writeFileSync(join(project, 'package.json'), '{ "name": "a-service", "private": true }\n');
  writeFileSync(join(project, 'service.cjs'), consumer('cjs'));
  writeFileSync(join(project, 'service.mjs'), consumer('mjs'));
  writeFileSync(join(project, 'typed.cts'), typed('cts'));
  writeFileSync(join(project, 'typed.mts'), typed('mts'));

  env = {
    ...s.env,
    AMZ_TOKEN_LWA_URL: double.lwaUrl,
    // A runtime folder of its own: the CommonJS and the ES module service share it.
    XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'amz-token-runtime-')),
    // The SDK keeps its built-in https host; the preload sends it to the double, whose CA the service trusts.
    NODE_OPTIONS: `--require ${JSON.stringify(PRELOAD)}`,
    NODE_EXTRA_CA_CERTS: ca.caFile,
    AMAZON_DOUBLE_TLS_PORT: String(double.tlsPort),
    HTTPS_PROXY: undefined,
    https_proxy: undefined,
  };
});

afterAll(async () => {
  await double?.close();
  for (const text of outputs) {
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/Atz[ar]\|/);
  }
});

async function importProfile(name: string): Promise<string> {
  const refreshToken = double.issueRefreshToken(FAKE.clientId);
  secrets.push(refreshToken);
  const imported = await s.run(['import', '--profile', name, '--app', app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3TESTSELLER01', '--authorized-at', daysAgo(10)], {
    input: refreshToken,
  });
  expect(imported.exitCode, String(imported.stderr)).toBe(0);
  return refreshToken;
}

const refreshCalls = () => double.requests.filter((r) => r.form?.grant_type === 'refresh_token').length;

describe('the library from CommonJS and from ES modules', () => {
  it('gives a token from one refresh for ten concurrent calls, serves 1,000 more from memory, feeds an @sp-api-sdk client, and throws the CLI\'s exit codes; a second process reads the shared cache', async () => {
    const profile = `${s.prefix}-svc`;
    const revoked = `${s.prefix}-revoked`;
    await importProfile(profile);
    double.revoke(await importProfile(revoked));
    const before = refreshCalls();
    const sellersBefore = double.sellersRequests.length;

    const expected = (service: string) => ({
      shape: true,
      distinct: 1,
      same: 1000,
      providerSame: true,
      marketplaces: ['DE'],
      amazonMarketplaces: service === 'service.mjs' ? ['DE'] : null,
      exitCodes: { NOT_FOUND: 5, EXPIRED: 4 },
      ghost: { isAmzTokenError: true, exitCode: 5, message: `no profile named "${profile}-ghost"` },
      revoked: { isAmzTokenError: true, exitCode: 4, message: expect.stringContaining('invalid_grant') },
      badName: { isAmzTokenError: true, exitCode: 2, message: expect.stringContaining('is not a valid name') },
      service,
    });
    for (const service of ['service.cjs', 'service.mjs']) {
      const result = await execa('node', [service], { cwd: project, env: { ...env, PROFILE: profile, REVOKED: revoked }, reject: false, timeout: 60_000 });
      outputs.push(String(result.stdout), String(result.stderr));
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect({ ...JSON.parse(String(result.stdout)), service }).toEqual(expected(service));
    }
    // One refresh of the profile for both processes (the second read the runtime cache), one for the revoked one in each.
    expect(refreshCalls() - before).toBe(1 + 2);
    // @sp-api-sdk from each service, Amazon's SDK from the ES module one: all over https, all accepted.
    expect(double.sellersRequests.slice(sellersBefore)).toEqual(Array.from({ length: 3 }, () => ({ secure: true, accepted: true, at: expect.any(Number) })));
  });

  it('type-checks a TypeScript consumer of each kind against the published types, and rejects one that misuses them', async () => {
    // A service's own tsconfig: strict, Node's module rules, no @types at all (the types must stand alone), library types checked too.
    const tsc = (files: string[]) => {
      const compilerOptions = { noEmit: true, strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022'], types: [], skipLibCheck: false };
      writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));
      return execa(TSC, ['-p', 'tsconfig.json'], { cwd: project, reject: false });
    };
    const good = await tsc(['typed.cts', 'typed.mts']);
    expect(good.exitCode, String(good.stdout)).toBe(0);

    writeFileSync(join(project, 'misused.mts'), "import { accessToken } from 'amz-token';\nexport const n: number = await accessToken('shop-de', { minRemainingMs: 'soon' });\n");
    const bad = await tsc(['misused.mts']);
    expect(bad.exitCode).not.toBe(0);
    expect(String(bad.stdout)).toMatch(/misused\.mts.*error TS2322/);
  });
});
