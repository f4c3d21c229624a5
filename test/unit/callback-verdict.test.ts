// The one decision behind the callback server and paste-back, as a table:
// what arrived and what the flow expects in, a verdict out.
import { describe, expect, it } from 'vitest';
import { afterRejectedCode, judgePaste, judgeQuery, type Expectation } from '../../src/flow/callback-verdict.js';
import { browserAnswer, terminalAnswer } from '../../src/flow/callback-answers.js';
import { parseCallbackQuery } from '../../src/flow/callback-query.js';

const STATE = '47613.s3cretstate';
const CENTRAL = new URL('https://sellercentral-europe.amazon.com');
const waiting = (more: Partial<Expectation> = {}): Expectation => ({ state: STATE, central: CENTRAL, draft: false, ...more });
const query = (search: string) => parseCallbackQuery(new URLSearchParams(search));

describe('judgeQuery', () => {
  it.each([
    ['a code with our state', `state=${STATE}&selling_partner_id=A3X&spapi_oauth_code=CODE1234`, waiting(), 'accepted'],
    ['a code with another state', `state=47613.other&spapi_oauth_code=CODE1234`, waiting(), 'wrong-state'],
    ['Amazon error', 'error=access_denied', waiting(), 'unusable'],
    ['no code', `state=${STATE}`, waiting(), 'unusable'],
    ['the Login URI step', 'amazon_callback_uri=%2Fapps%2Fauthorize%2Fcallback&amazon_state=AS', waiting(), 'login-detour'],
    ['a detour to a host that is not Amazon', 'amazon_callback_uri=https%3A%2F%2Fevil.example%2F&amazon_state=AS', waiting(), 'unusable'],
    ['the winning callback again', `state=${STATE}&spapi_oauth_code=WON12345`, waiting({ received: { code: 'WON12345', via: 'callback' } }), 'repeat-of-received'],
    ['another code after the winner', `state=${STATE}&spapi_oauth_code=OTHER123`, waiting({ received: { code: 'WON12345', via: 'callback' } }), 'already-received'],
    ['the seller\'s callback behind a pasted code on trial', `state=${STATE}&spapi_oauth_code=OTHER123`, waiting({ received: { code: 'PASTED12', via: 'paste' } }), 'accepted'],
    ['the pasted code\'s own callback, while it is on trial', `state=${STATE}&spapi_oauth_code=PASTED12`, waiting({ received: { code: 'PASTED12', via: 'paste' } }), 'repeat-of-received'],
    ['a forged callback behind a pasted code', `state=47613.other&spapi_oauth_code=OTHER123`, waiting({ received: { code: 'PASTED12', via: 'paste' } }), 'wrong-state'],
  ])('%s: %s', (_name, search, expected, kind) => {
    expect(judgeQuery(query(search), 'callback', expected).kind).toBe(kind);
  });

  it('keeps the selling partner id and where the code came from', () => {
    expect(judgeQuery(query(`state=${STATE}&selling_partner_id=A3X&spapi_oauth_code=CODE1234`), 'paste', waiting())).toEqual({
      kind: 'accepted',
      result: { code: 'CODE1234', sellingPartnerId: 'A3X', via: 'paste' },
    });
  });

  it('continues the detour on Amazon with its amazon_state, our state and, for drafts, version=beta', () => {
    const verdict = judgeQuery(query('amazon_callback_uri=%2Fapps%2Fauthorize%2Fcallback&amazon_state=AS'), 'callback', waiting({ draft: true }));
    expect(verdict.kind).toBe('login-detour');
    const next = new URL((verdict as { url: string }).url);
    expect(next.origin).toBe(CENTRAL.origin);
    expect(Object.fromEntries(next.searchParams)).toEqual({ amazon_state: 'AS', state: STATE, version: 'beta' });
  });
});

describe('judgePaste', () => {
  it.each([
    ['the whole address', `https://relay.example.com/cb?state=${STATE}&spapi_oauth_code=CODE1234`, waiting(), 'accepted'],
    ['a bare code', 'ANdNAVhyhqirUelHGEHA', waiting(), 'accepted'],
    ['a stray word', 'password123', waiting(), 'not-an-answer'],
    ['a bare code on renew, which must name the seller', 'ANdNAVhyhqirUelHGEHA', waiting({ sellerMustBeNamed: true }), 'not-an-answer'],
    ['an address without selling_partner_id on renew', `?state=${STATE}&spapi_oauth_code=CODE1234`, waiting({ sellerMustBeNamed: true }), 'unusable'],
    ['a whole address on renew', `?state=${STATE}&selling_partner_id=A3X&spapi_oauth_code=CODE1234`, waiting({ sellerMustBeNamed: true }), 'accepted'],
    ['anything while a pasted code is on trial', 'ANdNAVhyhqirUelHGEHA', waiting({ received: { code: 'X1234567', via: 'paste' } }), 'already-received'],
    ['nothing', '   ', waiting(), 'nothing-pasted'],
    ['prose', 'hello there, is this thing on?', waiting(), 'not-an-answer'],
    ['anything once a code won', 'ANcode0123456789', waiting({ received: { code: 'X1234567', via: 'callback' } }), 'already-received'],
    ['anything once the flow stopped waiting', 'ANcode0123456789', waiting({ closed: true }), 'not-waiting'],
  ])('%s', (_name, input, expected, kind) => {
    expect(judgePaste(input, expected).kind).toBe(kind);
  });
});

describe('afterRejectedCode', () => {
  it('sets a pasted code aside and waits on; a callback\'s code rejected ends the flow', () => {
    expect(afterRejectedCode({ code: 'ANdNAVhyhqirUelHGEHA', via: 'paste' })).toBe('keep-waiting');
    expect(afterRejectedCode({ code: 'ANdNAVhyhqirUelHGEHA', via: 'callback' })).toBe('give-up');
  });
});

describe('the two renderers of a verdict', () => {
  it('a winning callback goes to the done page; a paste is told it was accepted', () => {
    const verdict = judgeQuery(query(`state=${STATE}&spapi_oauth_code=CODE1234`), 'callback', waiting());
    expect(browserAnswer(verdict, '/cb/done')).toEqual({ status: 303, location: '/cb/done' });
    expect(terminalAnswer(judgePaste(`?state=${STATE}&spapi_oauth_code=CODE1234`, waiting()))).toEqual({ accepted: true, message: 'accepted the pasted address' });
  });

  it('a wrong state is a 400 page for the browser and one line for the terminal, neither quoting the code', () => {
    const verdict = judgeQuery(query('state=47613.other&spapi_oauth_code=CODE1234'), 'callback', waiting());
    const answer = browserAnswer(verdict, '/cb/done');
    expect(answer).toMatchObject({ status: 400, stray: 'ignored a callback with the wrong state' });
    expect(JSON.stringify(answer)).not.toContain('CODE1234');
    expect(terminalAnswer(verdict).message).toMatch(/state does not match/);
  });
});
