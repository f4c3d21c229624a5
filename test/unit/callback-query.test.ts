import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { parseCallbackQuery, parsePasted } from '../../src/flow/callback-query.js';

const q = (search: string) => parseCallbackQuery(new URLSearchParams(search));
const CODE = 'ANaBcDeFgHiJkLmNoPqR';
const STATE = '8765.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

describe('parseCallbackQuery', () => {
  it('reads the code shape with its selling partner id', () => {
    expect(q(`state=${STATE}&selling_partner_id=A3SELLER&spapi_oauth_code=${CODE}`)).toEqual({
      kind: 'code',
      state: STATE,
      code: CODE,
      sellingPartnerId: 'A3SELLER',
    });
  });

  it('leaves sellingPartnerId out when Amazon sends none', () => {
    const result = q(`state=${STATE}&spapi_oauth_code=${CODE}`);
    expect(result).toEqual({ kind: 'code', state: STATE, code: CODE });
    expect(result).not.toHaveProperty('sellingPartnerId');
  });

  it('reads the Login URI detour shape', () => {
    expect(
      q('amazon_callback_uri=%2Fapps%2Fauthorize%2Fconfirm%2Fx&amazon_state=AMZ123&selling_partner_id=A3SELLER&version=beta'),
    ).toEqual({
      kind: 'login',
      amazonCallbackUri: '/apps/authorize/confirm/x',
      amazonState: 'AMZ123',
      sellingPartnerId: 'A3SELLER',
      version: 'beta',
    });
  });

  it.each([
    ['a code without state', `spapi_oauth_code=${CODE}`, /no state/],
    ['an empty state', `state=&spapi_oauth_code=${CODE}`, /no state/],
    ['nothing at all', '', /no spapi_oauth_code/],
    ['only a state', `state=${STATE}`, /no spapi_oauth_code/],
    ['an empty code', `state=${STATE}&spapi_oauth_code=`, /no spapi_oauth_code/],
    ['unknown parameters only', 'foo=bar', /no spapi_oauth_code/],
    ['amazon_state without amazon_callback_uri', 'amazon_state=X', /no amazon_callback_uri/],
    ['amazon_callback_uri without amazon_state', 'amazon_callback_uri=%2Fx', /no amazon_state/],
    ['a repeated state', `state=${STATE}&state=other&spapi_oauth_code=${CODE}`, /repeats the state parameter/],
    ['a repeated code', `state=${STATE}&spapi_oauth_code=${CODE}&spapi_oauth_code=x`, /repeats the spapi_oauth_code parameter/],
    ['a repeated amazon_state', 'amazon_callback_uri=%2Fx&amazon_state=a&amazon_state=b', /repeats the amazon_state parameter/],
    ['a repeated selling_partner_id', `state=${STATE}&spapi_oauth_code=${CODE}&selling_partner_id=A&selling_partner_id=B`, /repeats/],
    ['an error parameter', `state=${STATE}&error=access_denied`, /Amazon reported an error: "access_denied"/],
    ['an error next to a code', `state=${STATE}&spapi_oauth_code=${CODE}&error=access_denied`, /Amazon reported an error/],
    ['an error_description alone', 'error_description=Seller%20cancelled', /Amazon reported an error: "Seller cancelled"/],
    ['an empty error', 'error=', /Amazon reported an error without details/],
    ['an overlong code', `state=${STATE}&spapi_oauth_code=${'a'.repeat(2049)}`, /spapi_oauth_code parameter .* longer than 2048/],
    ['an overlong unknown parameter', `state=${STATE}&spapi_oauth_code=${CODE}&x=${'a'.repeat(2049)}`, /a parameter .* longer than 2048/],
  ])('rejects %s', (_name, search, reason) => {
    const result = q(search);
    expect(result.kind).toBe('error');
    expect(result.kind === 'error' && result.reason).toMatch(reason);
  });

  it('accepts values of exactly 2048 characters', () => {
    expect(q(`state=${STATE}&spapi_oauth_code=${'a'.repeat(2048)}`).kind).toBe('code');
  });

  it('ignores unknown repeated parameters (Amazon may add tracking ones)', () => {
    expect(q(`state=${STATE}&spapi_oauth_code=${CODE}&ref=a&ref=b`).kind).toBe('code');
  });

  it('never puts the code value into a reason', () => {
    const result = q(`state=${STATE}&state=${STATE}&spapi_oauth_code=${CODE}`);
    expect(result.kind === 'error' && result.reason).not.toContain(CODE);
  });

  it('escapes control characters and truncates a hostile error text', () => {
    const hostile = `evil\u001b[2J\nforged line "quoted"${'x'.repeat(500)}`;
    const result = q(new URLSearchParams({ error: hostile }).toString());
    expect(result.kind).toBe('error');
    const reason = result.kind === 'error' ? result.reason : '';
    expect(reason).not.toMatch(/[\u0000-\u001f]/);
    expect(reason).toContain('\\u001b');
    expect(reason).toContain('\\"quoted\\"');
    expect(reason.length).toBeLessThan(200);
    expect(reason).toContain('…');
  });
});

describe('parsePasted', () => {
  it.each([
    ['an empty line', '', { kind: 'empty' }],
    ['whitespace and CR/LF', ' \r\n\t ', { kind: 'empty' }],
    ['a bare code', `  ${CODE}\r\n`, { kind: 'code', code: CODE }],
    ['a bare code shaped like Amazon\'s: "AN" and 18 letters', 'ANdNAVhyhqirUelHGEHA', { kind: 'code', code: 'ANdNAVhyhqirUelHGEHA' }],
  ])('reads %s', (_name, input, expected) => {
    expect(parsePasted(input)).toEqual(expected);
  });

  it('parses a full https address', () => {
    expect(parsePasted(`https://relay.example.com/amz?state=${STATE}&selling_partner_id=A3&spapi_oauth_code=${CODE}\n`)).toEqual({
      kind: 'url',
      query: { kind: 'code', state: STATE, code: CODE, sellingPartnerId: 'A3' },
    });
  });

  it('parses a full http loopback address (from a browser error page)', () => {
    expect(parsePasted(`HTTP://127.0.0.1:8765/callback?state=${STATE}&spapi_oauth_code=${CODE}`)).toEqual({
      kind: 'url',
      query: { kind: 'code', state: STATE, code: CODE },
    });
  });

  it('parses a bare query string starting with ?', () => {
    expect(parsePasted(`?state=${STATE}&spapi_oauth_code=${CODE}`)).toEqual({
      kind: 'url',
      query: { kind: 'code', state: STATE, code: CODE },
    });
  });

  it('parses a query string without ? and an address without scheme', () => {
    const expected = { kind: 'url', query: { kind: 'code', state: STATE, code: CODE } };
    expect(parsePasted(`state=${STATE}&spapi_oauth_code=${CODE}`)).toEqual(expected);
    expect(parsePasted(`127.0.0.1:8765/callback?state=${STATE}&spapi_oauth_code=${CODE}#frag`)).toEqual(expected);
  });

  it('passes on the parse errors of an address', () => {
    expect(parsePasted(`https://relay.example.com/?spapi_oauth_code=${CODE}`)).toEqual({
      kind: 'url',
      query: { kind: 'error', reason: 'the callback has spapi_oauth_code but no state' },
    });
  });

  it.each([
    ['a stray word of eight or more characters', 'password123'],
    ['base64-looking text', 'abc+/=._~-XYZ'],
    ['a code with a character too many', 'ANdNAVhyhqirUelHGEHAx'],
    ['a too-short code', 'abc'],
    ['prose', 'I pressed confirm but nothing happened'],
    ['a broken URL', 'https://exa mple.com/?x'],
    ['an absurdly long paste', 'a'.repeat(20_000)],
    ['a non-http URL', 'ftp://example.com/?state=1'],
  ])('rejects %s', (_name, input) => {
    const result = parsePasted(input);
    expect(result.kind).toBe('invalid');
  });

  it('says a code cut short is cut short, and to paste the whole address', () => {
    expect(parsePasted('ANdNAVhyhqirUel')).toEqual({
      kind: 'invalid',
      reason: "that looks like an authorization code cut short (Amazon's have 20 characters); paste the whole address from the browser",
    });
  });

  it('does not echo the pasted text in the reason', () => {
    const result = parsePasted('secret value with spaces');
    expect(result.kind === 'invalid' && result.reason).not.toContain('secret');
  });
});

describe('never throws', () => {
  it('parseCallbackQuery on arbitrary parameters', () => {
    const names = fc.oneof(
      fc.constantFrom('state', 'spapi_oauth_code', 'selling_partner_id', 'amazon_callback_uri', 'amazon_state', 'version', 'error', 'error_description'),
      fc.string(),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(names, fc.oneof(fc.string(), fc.string({ unit: 'binary', minLength: 2040, maxLength: 2100 })))), (pairs) => {
        const result = parseCallbackQuery(new URLSearchParams(pairs));
        expect(['code', 'login', 'error']).toContain(result.kind);
      }),
    );
  });

  it('parseCallbackQuery on arbitrary query strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (search) => {
        expect(['code', 'login', 'error']).toContain(parseCallbackQuery(new URLSearchParams(search)).kind);
      }),
    );
  });

  it('parsePasted on arbitrary text', () => {
    const prefixes = fc.constantFrom('', 'https://', 'http://127.0.0.1:8765/callback?', '?', 'spapi_oauth_code=', 'HTTPS://[', ' \r\n');
    fc.assert(
      fc.property(prefixes, fc.string({ unit: 'binary' }), (prefix, rest) => {
        expect(['url', 'code', 'empty', 'invalid']).toContain(parsePasted(prefix + rest).kind);
      }),
    );
  });
});
