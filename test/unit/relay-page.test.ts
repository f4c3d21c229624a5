import { createHash } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

import { UsageError } from '../../src/errors.js';
import { startCallbackServer } from '../../src/flow/callback-server.js';
import { renderRelayPage } from '../../src/flow/relay-page.js';
import { createState } from '../../src/flow/state.js';

const PAGE = renderRelayPage({ defaultPort: 8765, callbackPath: '/callback' });

function inlineScript(html: string): string {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
  expect(scripts).toHaveLength(1);
  return scripts[0]?.[1] ?? '';
}

/** Runs the page's script against a fake browser; returns where it navigated (if anywhere). */
function runRelay(html: string, href: string) {
  const url = new URL(href);
  const navigations: string[] = [];
  const address = { value: '', addEventListener: () => {}, select: () => {} };
  const status = { textContent: '' };
  const location = {
    href: url.href,
    search: url.search,
    replace: (target: string) => navigations.push(target),
    assign: (target: string) => navigations.push(target),
  };
  runInNewContext(inlineScript(html), {
    location,
    document: { getElementById: (id: string) => ({ address, status })[id] ?? null },
    URLSearchParams,
  });
  return { navigations, address, status };
}

describe('renderRelayPage', () => {
  it('loads nothing from anywhere: no src, href, url() or @import, and only the loopback address', () => {
    expect(PAGE).not.toMatch(/\b(src|href|action|srcset)\s*=/i);
    expect(PAGE).not.toMatch(/url\s*\(|@import|<link|<iframe|<img|<object|<embed/i);
    const absolute = PAGE.match(/\bhttps?:\/\/[^'"\s]*/gi) ?? [];
    expect(absolute).toEqual(['http://127.0.0.1:']);
  });

  it('holds no secret-looking value', () => {
    expect(PAGE).not.toMatch(/amzn1\.|Atz[ar]\||client_secret|spapi_oauth_code=/);
  });

  it('keeps referrers, robots and foreign scripts out', () => {
    expect(PAGE).toContain('<meta name="referrer" content="no-referrer">');
    const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(PAGE)?.[1] ?? '';
    const hash = createHash('sha256').update(inlineScript(PAGE), 'utf8').digest('base64');
    expect(policy).toContain(`script-src 'sha256-${hash}'`);
    expect(policy).toMatch(/^default-src 'none';/);
  });

  it('shows the paste-back fallback and a noscript message', () => {
    expect(PAGE).toContain('If the terminal did not react, copy this address and paste it into amz-token');
    expect(PAGE).toMatch(/<textarea id="address"[^>]*\breadonly\b/);
    expect(PAGE).toMatch(/<noscript>[\s\S]*paste it into amz-token[\s\S]*<\/noscript>/);
    expect(PAGE).toMatch(/<html lang="en">/);
    expect(PAGE).toContain('<main>');
  });

  it('includes the fallback port', () => {
    expect(inlineScript(PAGE)).toContain('var DEFAULT_PORT = 8765;');
  });

  it('forwards the code shape to the port named in the state, with the whole query', () => {
    const search = '?state=41234.AbCdEf_-123&selling_partner_id=A3SELLER&spapi_oauth_code=ANcode123';
    const { navigations, address } = runRelay(PAGE, `https://relay.example.com/amz/${search}`);
    expect(navigations).toEqual([`http://127.0.0.1:41234/callback${search}`]);
    expect(address.value).toBe(`https://relay.example.com/amz/${search}`);
  });

  it('forwards the Login URI detour (no state of ours) to the default port', () => {
    const search = '?amazon_callback_uri=%2Fapps%2Fauthorize%2Fconfirm%2Fx&amazon_state=AMZ&selling_partner_id=A3&version=beta';
    const { navigations } = runRelay(PAGE, `https://relay.example.com/amz${search}`);
    expect(navigations).toEqual([`http://127.0.0.1:8765/callback${search}`]);
  });

  it.each([
    ['a port out of range', '99999.abc'],
    ['no port', 'abc'],
    ['port zero', '0.abc'],
    ['a leading zero', '08765x.abc'],
  ])('falls back to the default port for a state with %s', (_name, state) => {
    const { navigations } = runRelay(PAGE, `https://relay.example.com/?state=${state}&spapi_oauth_code=X`);
    expect(navigations).toEqual([`http://127.0.0.1:8765/callback?state=${state}&spapi_oauth_code=X`]);
  });

  it('forwards an Amazon error too, so the terminal hears about it', () => {
    const { navigations } = runRelay(PAGE, 'https://relay.example.com/?error=access_denied');
    expect(navigations).toEqual(['http://127.0.0.1:8765/callback?error=access_denied']);
  });

  it('stays put when the address carries nothing to forward', () => {
    const { navigations, status } = runRelay(PAGE, 'https://relay.example.com/amz');
    expect(navigations).toEqual([]);
    expect(status.textContent).toMatch(/carries none/);
  });

  it('uses the configured callback path', () => {
    const page = renderRelayPage({ defaultPort: 9000, callbackPath: '/amz-token/cb' });
    expect(runRelay(page, 'https://r.example/?amazon_state=A&amazon_callback_uri=%2Fx').navigations).toEqual([
      'http://127.0.0.1:9000/amz-token/cb?amazon_state=A&amazon_callback_uri=%2Fx',
    ]);
  });

  it.each([
    ['a port of 0', { defaultPort: 0, callbackPath: '/callback' }],
    ['a fractional port', { defaultPort: 80.5, callbackPath: '/callback' }],
    ['a path that could close the script', { defaultPort: 8765, callbackPath: '/</script><script>alert(1)//' }],
    ['a path with quotes', { defaultPort: 8765, callbackPath: "/a'b" }],
  ])('refuses %s', (_name, options) => {
    expect(() => renderRelayPage(options)).toThrow(UsageError);
  });

  it('lands on the real callback server, which accepts the code', async () => {
    const server = await startCallbackServer({
      host: '127.0.0.1',
      port: 0,
      path: '/callback',
      expectedState: (port) => createState(port, (n) => Buffer.alloc(n, 3)),
      centralOrigin: 'https://sellercentral.amazon.com',
      draft: false,
      log: () => {},
    });
    try {
      const page = renderRelayPage({ defaultPort: 1, callbackPath: '/callback' });
      const search = `?state=${server.state}&selling_partner_id=A3&spapi_oauth_code=ANrelayed123`;
      const [target] = runRelay(page, `https://relay.example.com/amz${search}`).navigations;
      const response = await fetch(String(target), { redirect: 'manual' });
      expect(response.status).toBe(303);
      await expect(server.code()).resolves.toEqual({ code: 'ANrelayed123', sellingPartnerId: 'A3', via: 'callback' });
      await fetch(new URL(String(response.headers.get('location')), String(target)));
    } finally {
      await server.close();
    }
  });
});
