// Hardening: property-based tests (fast-check) of every parser that reads
// outside input. Each returns a typed result or throws a typed error, never
// anything else, and never hangs (each property runs hundreds of cases).
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseCallbackQuery, parsePasted } from '../../src/flow/callback-query.js';
import { parseConfig } from '../../src/config/config.js';
import { interpretTokenReply } from '../../src/amazon/lwa.js';
import { TransientFailure } from '../../src/amazon/http.js';
import { AmzTokenError, ConfigError } from '../../src/errors.js';

const RUNS = { numRuns: 500 };
const KNOWN = ['state', 'spapi_oauth_code', 'selling_partner_id', 'amazon_callback_uri', 'amazon_state', 'version', 'error', 'error_description', 'mws_auth_token'];
const param = fc.tuple(fc.oneof(fc.constantFrom(...KNOWN), fc.string()), fc.oneof(fc.string(), fc.string({ maxLength: 3000 }), fc.webUrl()));

describe('fuzzing the parsers', () => {
  it('the callback query parser always answers code, login or error', () => {
    fc.assert(
      fc.property(fc.array(param, { maxLength: 12 }), (pairs) => {
        const result = parseCallbackQuery(new URLSearchParams(pairs));
        expect(['code', 'login', 'error']).toContain(result.kind);
        if (result.kind === 'code') expect(result.code.length).toBeLessThanOrEqual(2048);
      }),
      RUNS,
    );
  });

  it('the pasted-URL parser always answers url, code, empty or invalid', () => {
    const pasted = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme', maxLength: 300 }),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.array(param, { maxLength: 6 }).map((pairs) => `https://relay.example.com/cb?${new URLSearchParams(pairs)}`),
      fc.tuple(fc.constantFrom(' ', '\r\n', '\t', ''), fc.webUrl()).map(([ws, url]) => `${ws}${url}${ws}`),
    );
    fc.assert(
      fc.property(pasted, (input) => {
        expect(['url', 'code', 'empty', 'invalid']).toContain(parsePasted(input).kind);
      }),
      RUNS,
    );
  });

  it('the config loader returns a config or throws a ConfigError naming the file', () => {
    const valid = {
      version: 1,
      apps: { a: { appId: 'amzn1.sp.solution.x', clientId: 'c', redirectUri: 'https://e/cb', draft: false, clientSecretCreatedAt: '2026-01-01T00:00:00.000Z' } },
      profiles: { p: { app: 'a', region: 'eu', marketplace: 'DE', role: 'seller', sellingPartnerId: 'A3X', expiresAt: '2027-01-01T00:00:00.000Z' } },
    };
    const mutated = fc
      .tuple(fc.constantFrom('apps.a.draft', 'apps.a.appId', 'profiles.p.region', 'profiles.p.expiresAt', 'profiles.p', 'version', 'apps'), fc.anything())
      .map(([path, value]) => {
        const copy = structuredClone(valid) as Record<string, unknown>;
        const keys = path.split('.');
        let node = copy as Record<string, unknown>;
        for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
        node[keys.at(-1)!] = value;
        return JSON.stringify(copy) ?? 'undefined';
      });
    const text = fc.oneof(fc.string(), fc.json(), mutated, fc.constant(JSON.stringify(valid)).map((t) => t.slice(0, 40)));
    fc.assert(
      fc.property(text, (input) => {
        try {
          const config = parseConfig(input, '/cfg/config.json');
          expect(config.version).toBe(1);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as Error).message.startsWith('/cfg/config.json: ')).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('the LWA reply parser returns a token reply or throws a typed error, never echoing a token', () => {
    const body = fc.oneof(
      fc.string(),
      fc.json(),
      fc.record({
        access_token: fc.oneof(fc.string(), fc.constant('Atza|abc'), fc.integer()),
        refresh_token: fc.oneof(fc.string(), fc.constant('Atzr|leak'), fc.constant(null)),
        token_type: fc.oneof(fc.constantFrom('bearer', 'Bearer', 'mac'), fc.string()),
        expires_in: fc.oneof(fc.integer(), fc.string(), fc.double()),
      }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
      fc.record({
        error: fc.oneof(fc.constantFrom('invalid_grant', 'invalid_client', 'unauthorized_client', 'server_error', 'temporarily_unavailable', 'access_denied'), fc.string()),
        error_description: fc.oneof(fc.string(), fc.constant('token Atzr|leak was bad'), fc.constant(null)),
      }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
    );
    const status = fc.oneof(fc.constantFrom(200, 400, 401, 403, 429, 500, 503), fc.integer({ min: 100, max: 599 }));
    fc.assert(
      fc.property(status, body, fc.constantFrom('code' as const, 'refresh' as const), (code, text, grant) => {
        try {
          const reply = interpretTokenReply(code, text, grant, 'app');
          expect(typeof reply.accessToken).toBe('string');
          expect(reply.expiresIn).toBeGreaterThan(0);
        } catch (error) {
          const typed = error instanceof AmzTokenError || error instanceof TransientFailure;
          expect(typed, String(error)).toBe(true);
          expect((error as Error).message).not.toContain('Atzr|leak');
          expect((error as Error).message).not.toContain('\n');
        }
      }),
      RUNS,
    );
  });
});
