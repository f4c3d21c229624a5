// Proves the Amazon double enforces the rules the CLI's tests rely on, over real HTTP.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startAmazonDouble, startStaticServer, type AmazonDouble, type DoubleApp, type DoubleOptions } from '../amazon-double/index.js';

const APP: DoubleApp = {
  applicationId: 'amzn1.sp.solution.11111111-2222-3333-4444-555555555555',
  clientId: 'amzn1.application-oa2-client.aaaaaaaaaaaaaaaa',
  clientSecret: 'amzn1.oa2-cs.v1.1111111111111111',
  redirectUris: ['https://relay.example.com/amz/callback', 'http://127.0.0.1:8765/cb?tenant=a%20b'],
  loginUri: 'https://relay.example.com/amz/login',
};
const DRAFT: DoubleApp = {
  applicationId: 'amzn1.sp.solution.99999999-8888-7777-6666-555555555555',
  clientId: 'amzn1.application-oa2-client.dddddddddddddddd',
  clientSecret: 'amzn1.oa2-cs.v1.dddddddddddddddd',
  redirectUris: ['https://relay.example.com/draft/callback'],
  draft: true,
};
const OTHER: DoubleApp = {
  applicationId: 'amzn1.sp.solution.00000000-0000-0000-0000-000000000000',
  clientId: 'amzn1.application-oa2-client.oooooooooooooooo',
  clientSecret: 'amzn1.oa2-cs.v1.oooooooooooooooo',
  redirectUris: ['https://other.example.com/callback'],
};
const FIVE_MINUTES = 5 * 60 * 1000;

const started: AmazonDouble[] = [];
let clock = 1_700_000_000_000;

async function start(options: Partial<DoubleOptions> = {}): Promise<AmazonDouble> {
  clock = 1_700_000_000_000;
  const double = await startAmazonDouble({ apps: [APP, DRAFT, OTHER], now: () => clock, ...options });
  started.push(double);
  return double;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((double) => double.close()));
});

function consentUrl(double: AmazonDouble, params: Record<string, string>): string {
  return `${double.origin}/apps/authorize/consent?${new URLSearchParams(params)}`;
}

async function openConsent(double: AmazonDouble, params: Record<string, string>): Promise<string> {
  const res = await fetch(consentUrl(double, params));
  const html = await res.text();
  expect(res.status, html).toBe(200);
  const id = /name="consent_id" value="([^"]+)"/.exec(html)?.[1];
  expect(id).toBeDefined();
  return id!;
}

async function postConfirm(double: AmazonDouble, form: Record<string, string>): Promise<Response> {
  return fetch(`${double.origin}/apps/authorize/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
    redirect: 'manual',
  });
}

/** Consent + Confirm, returning the Location Amazon sends the browser to. */
async function authorize(double: AmazonDouble, params: Record<string, string>): Promise<URL> {
  const consentId = await openConsent(double, params);
  const res = await postConfirm(double, { consent_id: consentId, authorize: 'yes', action: 'confirm' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!, double.origin);
}

async function token(double: AmazonDouble, form: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(double.lwaUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    body: new URLSearchParams(form),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

function exchange(double: AmazonDouble, code: string, redirectUri: string, app: DoubleApp = APP) {
  return token(double, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    client_id: app.clientId,
    client_secret: app.clientSecret,
  });
}

function refresh(double: AmazonDouble, refreshToken: string, app: DoubleApp = APP) {
  return token(double, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: app.clientId,
    client_secret: app.clientSecret,
  });
}

const invalidGrant = { status: 400, json: { error: 'invalid_grant', error_description: expect.any(String) } };

describe('consent page', () => {
  it('renders the checkbox, a disabled Confirm and Cancel, and keeps state and redirect server-side', async () => {
    const double = await start();
    const res = await fetch(consentUrl(double, { application_id: APP.applicationId, state: 'STATE-xyz' }));
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('<input type="checkbox" id="authorize"');
    expect(html).toMatch(/<button[^>]*id="confirm"[^>]*disabled[^>]*>Confirm<\/button>/);
    expect(html).toContain('id="cancel"');
    expect(html).toContain('I authorize');
    expect(html).not.toContain('STATE-xyz');
    expect(html).not.toContain(APP.redirectUris[0]);
  });

  it('answers an unknown application with a 400 MD1000 page that escapes what it echoes', async () => {
    const double = await start();
    const res = await fetch(consentUrl(double, { application_id: '<img src=x>', state: 's' }));
    const html = await res.text();
    expect(res.status).toBe(400);
    expect(html).toContain('MD1000');
    expect(html).toContain('&lt;img src=x&gt;');
    expect(html).not.toContain('<img');
  });

  it('refuses a draft app without version=beta (MD1000) and accepts it with', async () => {
    const double = await start();
    const without = await fetch(consentUrl(double, { application_id: DRAFT.applicationId, state: 's' }));
    expect(without.status).toBe(400);
    expect(await without.text()).toContain('MD1000');
    const withBeta = await fetch(consentUrl(double, { application_id: DRAFT.applicationId, state: 's', version: 'beta' }));
    expect(withBeta.status).toBe(200);
  });

  it('requires redirect_uri to equal a registered URI exactly (MD5101) and to carry no fragment (MD5110)', async () => {
    const double = await start();
    for (const uri of ['https://relay.example.com/amz/callback/', 'https://RELAY.example.com/amz/callback', OTHER.redirectUris[0]!]) {
      const res = await fetch(consentUrl(double, { application_id: APP.applicationId, state: 's', redirect_uri: uri }));
      expect(res.status, uri).toBe(400);
      expect(await res.text()).toContain('MD5101');
    }
    const fragment = await fetch(
      consentUrl(double, { application_id: APP.applicationId, state: 's', redirect_uri: `${APP.redirectUris[0]}#x` }),
    );
    expect(fragment.status).toBe(400);
    expect(await fragment.text()).toContain('MD5110');
  });

  it('uses the first registered redirect URI when none is given', async () => {
    const double = await start();
    const location = await authorize(double, { application_id: APP.applicationId, state: 's' });
    expect(`${location.origin}${location.pathname}`).toBe(APP.redirectUris[0]);
  });

  it('rejects a consent request without state', async () => {
    const double = await start();
    const res = await fetch(consentUrl(double, { application_id: APP.applicationId }));
    expect(res.status).toBe(400);
  });
});

describe('confirm and cancel', () => {
  it('refuses Confirm without the ticked checkbox, and allows it once ticked', async () => {
    const double = await start();
    const consentId = await openConsent(double, { application_id: APP.applicationId, state: 's' });
    const unticked = await postConfirm(double, { consent_id: consentId, action: 'confirm' });
    expect(unticked.status).toBe(400);
    expect(unticked.headers.get('location')).toBeNull();
    const ticked = await postConfirm(double, { consent_id: consentId, authorize: 'yes', action: 'confirm' });
    expect(ticked.status).toBe(302);
  });

  it('redirects with state, selling_partner_id and a code, keeping the query already on the redirect URI', async () => {
    const double = await start();
    const redirectUri = APP.redirectUris[1]!;
    const res = await postConfirm(double, {
      consent_id: await openConsent(double, { application_id: APP.applicationId, state: 'a b&c', redirect_uri: redirectUri }),
      authorize: 'yes',
      action: 'confirm',
    });
    const location = res.headers.get('location')!;
    expect(location.startsWith(`${redirectUri}&state=`)).toBe(true);
    const params = new URL(location).searchParams;
    expect(params.get('tenant')).toBe('a b');
    expect(params.get('state')).toBe('a b&c');
    expect(params.get('selling_partner_id')).toBe('A3TESTSELLER01');
    expect(params.get('spapi_oauth_code')).toMatch(/^AN[A-Za-z]{18}$/);
  });

  it('shows a cancel page, never redirects, and forgets the consent', async () => {
    const double = await start();
    const consentId = await openConsent(double, { application_id: APP.applicationId, state: 's' });
    const res = await postConfirm(double, { consent_id: consentId, action: 'cancel' });
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('You cancelled');
    const late = await postConfirm(double, { consent_id: consentId, authorize: 'yes', action: 'confirm' });
    expect(late.status).toBe(400);
  });

  it('reports the selling partner id current at Confirm time', async () => {
    const double = await start();
    double.sellingPartnerId = 'A2OTHERSELLER9';
    const location = await authorize(double, { application_id: APP.applicationId, state: 's' });
    expect(location.searchParams.get('selling_partner_id')).toBe('A2OTHERSELLER9');
  });
});

describe('authorization code exchange', () => {
  it('exchanges a code once for an LWA-shaped reply; the second use is invalid_grant', async () => {
    const double = await start();
    const code = (await authorize(double, { application_id: APP.applicationId, state: 's' })).searchParams.get('spapi_oauth_code')!;
    const first = await exchange(double, code, APP.redirectUris[0]!);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({
      access_token: expect.stringMatching(/^Atza\|/),
      refresh_token: expect.stringMatching(/^Atzr\|/),
      token_type: 'bearer',
      expires_in: 3600,
    });
    expect(await exchange(double, code, APP.redirectUris[0]!)).toEqual(invalidGrant);
  });

  it('keeps a code valid for just under five minutes by the injected clock', async () => {
    const double = await start();
    const fresh = double.issueCode({ applicationId: APP.applicationId, redirectUri: APP.redirectUris[0]! });
    const stale = double.issueCode({ applicationId: APP.applicationId, redirectUri: APP.redirectUris[0]! });
    clock += FIVE_MINUTES - 1;
    expect((await exchange(double, fresh, APP.redirectUris[0]!)).status).toBe(200);
    clock += 1;
    expect(await exchange(double, stale, APP.redirectUris[0]!)).toEqual(invalidGrant);
  });

  it('requires the exact redirect_uri the code was issued for, and burns the code on a mismatch', async () => {
    const double = await start();
    const code = double.issueCode({ applicationId: APP.applicationId, redirectUri: APP.redirectUris[1]! });
    expect(await exchange(double, code, 'http://127.0.0.1:8765/cb?tenant=a+b')).toEqual(invalidGrant);
    expect(await exchange(double, code, APP.redirectUris[1]!)).toEqual(invalidGrant);
  });

  it('binds a code to the effective redirect URI when the consent URL named none', async () => {
    const double = await start();
    const code = (await authorize(double, { application_id: APP.applicationId, state: 's' })).searchParams.get('spapi_oauth_code')!;
    expect((await exchange(double, code, APP.redirectUris[0]!)).status).toBe(200);
  });

  it('refuses a code issued to another client', async () => {
    const double = await start();
    const code = double.issueCode({ applicationId: APP.applicationId, redirectUri: APP.redirectUris[0]! });
    expect(await exchange(double, code, APP.redirectUris[0]!, OTHER)).toEqual(invalidGrant);
  });

  it('authenticates the client first: wrong secret or unknown client is 401 invalid_client and burns nothing', async () => {
    const double = await start();
    const code = double.issueCode({ applicationId: APP.applicationId, redirectUri: APP.redirectUris[0]! });
    const wrongSecret = await exchange(double, code, APP.redirectUris[0]!, { ...APP, clientSecret: 'amzn1.oa2-cs.v1.wrong' });
    expect(wrongSecret).toEqual({ status: 401, json: { error: 'invalid_client', error_description: expect.any(String) } });
    const unknown = await exchange(double, code, APP.redirectUris[0]!, { ...APP, clientId: 'amzn1.application-oa2-client.nobody' });
    expect(unknown.status).toBe(401);
    expect((await exchange(double, code, APP.redirectUris[0]!)).status).toBe(200);
  });

  it('answers missing parameters, other content types and other grants like LWA', async () => {
    const double = await start();
    const auth = { client_id: APP.clientId, client_secret: APP.clientSecret };
    expect(await token(double, { ...auth, grant_type: 'authorization_code', redirect_uri: APP.redirectUris[0]! })).toMatchObject({
      status: 400,
      json: { error: 'invalid_request' },
    });
    expect(await token(double, { grant_type: 'refresh_token', refresh_token: 'Atzr|x', client_id: APP.clientId })).toMatchObject({
      status: 400,
      json: { error: 'invalid_request' },
    });
    expect(await token(double, { ...auth, grant_type: 'password' })).toMatchObject({
      status: 400,
      json: { error: 'unsupported_grant_type' },
    });
    const text = await fetch(double.lwaUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: new URLSearchParams({ ...auth, grant_type: 'refresh_token', refresh_token: 'Atzr|x' }).toString(),
    });
    expect(text.status).toBe(400);
    expect(await text.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('logs token requests with their form', async () => {
    const double = await start();
    await refresh(double, 'Atzr|unknown');
    expect(double.requests).toEqual([
      {
        method: 'POST',
        path: '/auth/o2/token',
        form: expect.objectContaining({ grant_type: 'refresh_token', refresh_token: 'Atzr|unknown' }),
        body: 'form',
        secure: false,
        at: clock,
      },
    ]);
  });
});

describe('JSON bodies at the token endpoint, as real LWA accepts them', () => {
  async function jsonToken(double: AmazonDouble, body: unknown, type = 'application/json') {
    const res = await fetch(double.lwaUrl, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it('refreshes with a JSON body (as @sp-api-sdk/auth and amazon-sp-api send it) and logs it as json', async () => {
    const double = await start();
    const refreshToken = double.issueRefreshToken(APP.clientId);
    const reply = await jsonToken(double, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: APP.clientId, client_secret: APP.clientSecret }, 'application/json;charset=UTF-8');
    expect(reply).toEqual({ status: 200, json: { access_token: expect.stringMatching(/^Atza\|/), token_type: 'bearer', expires_in: 3600 } });
    expect(double.requests[0]).toMatchObject({ body: 'json', form: { grant_type: 'refresh_token', refresh_token: refreshToken } });
  });

  it('exchanges a code sent as JSON, once, like a form', async () => {
    const double = await start();
    const location = await authorize(double, { application_id: APP.applicationId, state: 's', redirect_uri: APP.redirectUris[0]! });
    const code = location.searchParams.get('spapi_oauth_code')!;
    const body = { grant_type: 'authorization_code', code, redirect_uri: APP.redirectUris[0]!, client_id: APP.clientId, client_secret: APP.clientSecret };
    expect((await jsonToken(double, body)).json).toMatchObject({ refresh_token: expect.stringMatching(/^Atzr\|/) });
    expect(await jsonToken(double, body)).toEqual(invalidGrant);
  });

  it('applies the same rules to JSON: invalid_client, invalid_grant, missing parameters', async () => {
    const double = await start();
    const auth = { client_id: APP.clientId, client_secret: APP.clientSecret };
    expect(await jsonToken(double, { ...auth, client_secret: 'amzn1.oa2-cs.v1.wrong', grant_type: 'refresh_token', refresh_token: 'Atzr|x' })).toMatchObject({ status: 401, json: { error: 'invalid_client' } });
    expect(await jsonToken(double, { ...auth, grant_type: 'refresh_token', refresh_token: 'Atzr|x' })).toEqual(invalidGrant);
    expect(await jsonToken(double, { ...auth, grant_type: 'refresh_token' })).toMatchObject({ status: 400, json: { error: 'invalid_request' } });
    // Only string members count: a number is as good as missing.
    expect(await jsonToken(double, { ...auth, grant_type: 'refresh_token', refresh_token: 12 })).toMatchObject({ status: 400, json: { error: 'invalid_request' } });
  });

  it('answers a JSON body that is not an object with invalid_request', async () => {
    const double = await start();
    for (const body of ['not json', '[1,2]', 'null', '"text"']) {
      expect(await jsonToken(double, body), body).toMatchObject({ status: 400, json: { error: 'invalid_request' } });
    }
  });
});

describe('refresh tokens and the Sellers API', () => {
  it('refreshes without a new refresh token; the access token works until it expires', async () => {
    const double = await start();
    const refreshToken = double.issueRefreshToken(APP.clientId);
    const reply = await refresh(double, refreshToken);
    expect(reply).toEqual({
      status: 200,
      json: { access_token: expect.stringMatching(/^Atza\|/), token_type: 'bearer', expires_in: 3600 },
    });
    const call = (accessToken?: string) =>
      fetch(`${double.spApiOrigin}/sellers/v1/marketplaceParticipations`, {
        headers: accessToken === undefined ? {} : { 'x-amz-access-token': accessToken },
      });
    const ok = await call(reply.json.access_token as string);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ payload: [{ marketplace: { id: 'A1PA6795UKMFR9', countryCode: 'DE' } }] });
    const denied = { errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.' }] };
    for (const bad of [undefined, 'Atza|forged']) {
      const res = await call(bad);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual(denied);
    }
    clock += 3600 * 1000;
    expect((await call(reply.json.access_token as string)).status).toBe(403);
  });

  it('refuses unknown, revoked and other clients\' refresh tokens', async () => {
    const double = await start();
    const refreshToken = double.issueRefreshToken(APP.clientId);
    expect(await refresh(double, 'Atzr|never-issued')).toEqual(invalidGrant);
    expect(await refresh(double, refreshToken, OTHER)).toEqual(invalidGrant);
    expect((await refresh(double, refreshToken)).status).toBe(200);
    double.revoke(refreshToken);
    expect(await refresh(double, refreshToken)).toEqual(invalidGrant);
  });

  it('refuses to mint for unknown apps, so a typo in a test fails loudly', async () => {
    const double = await start();
    expect(() => double.issueRefreshToken('amzn1.application-oa2-client.nobody')).toThrow();
    expect(() => double.issueCode({ applicationId: 'nope', redirectUri: 'https://x' })).toThrow();
  });
});

describe('Login URI detour', () => {
  async function callback(double: AmazonDouble, amazonCallbackUri: string, params: Record<string, string>): Promise<Response> {
    const url = new URL(amazonCallbackUri, double.origin);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return fetch(url, { redirect: 'manual' });
  }

  it('goes to the Login URI first, then to the redirect URI with the state given on the callback', async () => {
    const double = await start({ loginDetour: true });
    const login = await authorize(double, { application_id: APP.applicationId, state: 'consent-state' });
    expect(`${login.origin}${login.pathname}`).toBe(APP.loginUri);
    expect(login.searchParams.get('spapi_oauth_code')).toBeNull();
    expect(login.searchParams.get('selling_partner_id')).toBe('A3TESTSELLER01');
    expect(login.searchParams.get('version')).toBeNull();
    const amazonCallbackUri = login.searchParams.get('amazon_callback_uri')!;
    expect(amazonCallbackUri).toBe(`${double.origin}/apps/authorize/callback`);
    const amazonState = login.searchParams.get('amazon_state')!;

    const res = await callback(double, amazonCallbackUri, { amazon_state: amazonState, state: 'app-state' });
    expect(res.status).toBe(302);
    const final = new URL(res.headers.get('location')!);
    expect(`${final.origin}${final.pathname}`).toBe(APP.redirectUris[0]);
    expect(final.searchParams.get('state')).toBe('app-state');
    const code = final.searchParams.get('spapi_oauth_code')!;
    expect((await exchange(double, code, APP.redirectUris[0]!)).status).toBe(200);

    const replay = await callback(double, amazonCallbackUri, { amazon_state: amazonState, state: 'app-state' });
    expect(replay.status).toBe(400);
  });

  it('rejects an amazon_state it never issued', async () => {
    const double = await start({ loginDetour: true });
    const res = await callback(double, '/apps/authorize/callback', { amazon_state: 'forged', state: 's' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('sends a relative callback and uses the redirect URI when no Login URI is registered', async () => {
    const double = await start();
    double.loginDetour = 'relative';
    const login = await authorize(double, { application_id: OTHER.applicationId, state: 's' });
    expect(`${login.origin}${login.pathname}`).toBe(OTHER.redirectUris[0]);
    expect(login.searchParams.get('amazon_callback_uri')).toBe('/apps/authorize/callback');
    const res = await callback(double, '/apps/authorize/callback', {
      amazon_state: login.searchParams.get('amazon_state')!,
      state: 'other-state',
    });
    expect(new URL(res.headers.get('location')!).searchParams.get('state')).toBe('other-state');
  });

  it('adds version=beta for a draft app and requires it back on the callback', async () => {
    const double = await start({ loginDetour: true });
    const params = { application_id: DRAFT.applicationId, state: 's', version: 'beta' };
    const first = await authorize(double, params);
    expect(first.searchParams.get('version')).toBe('beta');
    const without = await callback(double, first.searchParams.get('amazon_callback_uri')!, {
      amazon_state: first.searchParams.get('amazon_state')!,
      state: 's',
    });
    expect(without.status).toBe(400);
    expect(await without.text()).toContain('MD1000');

    const second = await authorize(double, params);
    const withBeta = await callback(double, second.searchParams.get('amazon_callback_uri')!, {
      amazon_state: second.searchParams.get('amazon_state')!,
      state: 's',
      version: 'beta',
    });
    expect(withBeta.status).toBe(302);
    expect(new URL(withBeta.headers.get('location')!).searchParams.get('spapi_oauth_code')).toBeTruthy();
  });
});

describe('faults', () => {
  it('fails the next failTimes token requests with tokenStatus, then answers normally', async () => {
    const double = await start();
    const refreshToken = double.issueRefreshToken(APP.clientId);
    double.faults = { tokenStatus: 503, failTimes: 2 };
    const first = await refresh(double, refreshToken);
    expect(first).toEqual({ status: 503, json: { error: 'temporarily_unavailable', error_description: expect.any(String) } });
    expect((await refresh(double, refreshToken)).status).toBe(503);
    expect((await refresh(double, refreshToken)).status).toBe(200);
    expect(double.requests).toHaveLength(3);
  });

  it('fails every token request while tokenStatus is set without failTimes, even invalid ones', async () => {
    const double = await start();
    double.faults.tokenStatus = 429;
    expect((await refresh(double, 'Atzr|unknown')).status).toBe(429);
    expect((await refresh(double, 'Atzr|unknown')).status).toBe(429);
  });

  it('sends a raw body instead of the reply', async () => {
    const double = await start();
    double.faults.body = '<html>not json</html>';
    const res = await fetch(double.lwaUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<html>not json</html>');
  });

  it('still answers when replies are delayed', async () => {
    const double = await start();
    double.faults.delayMs = 20;
    expect((await refresh(double, double.issueRefreshToken(APP.clientId))).status).toBe(200);
  });

  it('hangs token requests until close(), which tears down their sockets', async () => {
    const double = await start();
    double.faults.hang = true;
    const pending = [refresh(double, 'Atzr|a'), refresh(double, 'Atzr|b')];
    const settled = Promise.allSettled(pending);
    await vi.waitFor(() => expect(double.requests).toHaveLength(2));
    expect(double.maxInFlight).toBe(2);
    await double.close();
    const results = await settled;
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });
});

describe('routing and the static server', () => {
  it('answers 404 to anything else', async () => {
    const double = await start();
    expect((await fetch(`${double.origin}/nope`)).status).toBe(404);
    expect((await fetch(double.lwaUrl)).status).toBe(404);
    expect(double.requests).toHaveLength(0);
  });

  it('serves the given files whatever the query, and 404 otherwise', async () => {
    const server = await startStaticServer({ '/relay.html': { body: '<p>relay</p>', type: 'text/html' } });
    try {
      const res = await fetch(`${server.origin}/relay.html?spapi_oauth_code=x&state=y`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html');
      expect(await res.text()).toBe('<p>relay</p>');
      expect((await fetch(`${server.origin}/other.html`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('grantless tokens and rotation', () => {
  const grantless = (secret: string, scope = 'sellingpartnerapi::client_credential:rotation') => ({
    grant_type: 'client_credentials',
    scope,
    client_id: APP.clientId,
    client_secret: secret,
  });
  const rotate = (double: AmazonDouble, accessToken: string) =>
    fetch(`${double.origin}/applications/2023-11-30/clientSecret`, { method: 'POST', headers: { 'x-amz-access-token': accessToken } });

  it('refuses the plural scope ("credentials") with invalid_scope, as LWA does', async () => {
    const double = await start();
    const reply = await token(double, grantless(APP.clientSecret, 'sellingpartnerapi::client_credentials:rotation'));
    expect(reply).toMatchObject({ status: 400, json: { error: 'invalid_scope' } });
  });

  it('answers not enrolled without a queue, refuses a token of another scope, and 429 with Retry-After when throttled', async () => {
    const double = await start();
    const notifications = (await token(double, grantless(APP.clientSecret, 'sellingpartnerapi::notifications'))).json.access_token as string;
    expect((await rotate(double, notifications)).status).toBe(403);
    const rotation = (await token(double, grantless(APP.clientSecret))).json.access_token as string;
    const refused = await rotate(double, rotation);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain('not enrolled for rotation notification');
    double.faults.rotationThrottled = 1;
    double.faults.retryAfterSeconds = 3;
    const throttled = await rotate(double, rotation);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('3');
  });

  it('keeps the old secret working for seven days after a rotation, then refuses it', async () => {
    const held = { ...APP, secretQueueUrl: 'http://127.0.0.1:9/000000000000/q' };
    const double = await start({ apps: [held] });
    double.faults.holdNotifications = true;
    const rotation = (await token(double, grantless(APP.clientSecret))).json.access_token as string;
    expect((await rotate(double, rotation)).status).toBe(204);
    const fresh = double.currentSecret(APP.clientId);
    expect(fresh).toMatch(/^amzn1\.oa2-cs\.v1\./);
    expect(fresh).not.toBe(APP.clientSecret);
    clock += 7 * 24 * 3600 * 1000 - 1;
    expect((await token(double, grantless(APP.clientSecret))).status).toBe(200);
    clock += 1;
    expect((await token(double, grantless(APP.clientSecret))).status).toBe(401);
    expect((await token(double, grantless(fresh))).status).toBe(200);
  });
});
