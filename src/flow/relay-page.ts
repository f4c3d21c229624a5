// The static page an operator hosts at their https Redirect URI (and Login URI):
// it hands Amazon's query string on to amz-token's loopback server on 127.0.0.1.

import { createHash } from 'node:crypto';

import { UsageError } from '../errors.js';
import { isValidCallbackPath } from './loopback-http.js';
import { PAGE_STYLE } from './pages.js';
import { STATE_PORT_PREFIX } from './state.js';

export interface RelayPageOptions {
  /** Where to forward when the query has no state of ours (the Login URI detour). */
  defaultPort: number;
  callbackPath: string;
}

export function renderRelayPage(opts: RelayPageOptions): string {
  if (!Number.isInteger(opts.defaultPort) || opts.defaultPort < 1 || opts.defaultPort > 65535) {
    throw new UsageError(`the relay page needs a port from 1 to 65535, got ${String(opts.defaultPort)}`, 'pick one with --port');
  }
  if (!isValidCallbackPath(opts.callbackPath)) {
    throw new UsageError(`the callback path must start with "/" and hold only letters, digits and . _ ~ - /, got ${JSON.stringify(opts.callbackPath)}`);
  }
  const script = relayScript(opts);
  // A hash instead of 'unsafe-inline': whatever else ends up on the host cannot run here.
  const scriptHash = createHash('sha256').update(script, 'utf8').digest('base64');
  const policy = `default-src 'none'; script-src 'sha256-${scriptHash}'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <meta name="robots" content="noindex, nofollow">
  <meta http-equiv="Content-Security-Policy" content="${policy}">
  <title>Returning to amz-token</title>
  <style>${PAGE_STYLE}
  textarea { box-sizing: border-box; width: 100%; margin-bottom: 1rem; font: 0.875rem/1.4 ui-monospace, Menlo, Consolas, monospace; padding: 0.5rem; }
  label { display: block; margin-bottom: 0.5rem; }
  </style>
</head>
<body>
  <main>
    <p class="product">amz-token</p>
    <h1>Returning to amz-token</h1>
    <p id="status" role="status">Handing Amazon's answer to amz-token on this computer…</p>
    <noscript><p>JavaScript is off, so this page cannot hand the answer on by itself. Copy the address from the address bar and paste it into amz-token.</p></noscript>
    <label for="address">If the terminal did not react, copy this address and paste it into amz-token:</label>
    <textarea id="address" rows="5" readonly spellcheck="false" autocomplete="off"></textarea>
    <p>If the browser shows an error page instead of this one, copy the address from its address bar.</p>
  </main>
  <script>${script}</script>
</body>
</html>
`;
}

function relayScript(opts: RelayPageOptions): string {
  // JSON-encoded and "<"-escaped: nothing from the options can close the script element.
  const literal = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');
  return `
(function () {
  'use strict';
  var DEFAULT_PORT = ${literal(opts.defaultPort)};
  var CALLBACK_PATH = ${literal(opts.callbackPath)};
  var PORT_IN_STATE = new RegExp(${literal(STATE_PORT_PREFIX.source)});
  var FORWARDED = ['spapi_oauth_code', 'state', 'amazon_callback_uri', 'amazon_state', 'error'];
  var search = location.search || '';
  var address = document.getElementById('address');
  var status = document.getElementById('status');
  if (address) {
    address.value = location.href;
    address.addEventListener('focus', function () { address.select(); });
  }
  var params = new URLSearchParams(search);
  var carriesAnswer = FORWARDED.some(function (name) { return params.has(name); });
  if (!carriesAnswer) {
    if (status) status.textContent = 'This page forwards Amazon\\'s authorization to amz-token, but this address carries none.';
    return;
  }
  var port = DEFAULT_PORT;
  var match = PORT_IN_STATE.exec(params.get('state') || '');
  if (match && Number(match[1]) <= 65535) port = Number(match[1]);
  if (status) status.textContent = 'Handing Amazon\\'s answer to amz-token on port ' + port + '…';
  // replace(): the address holding the one-time code does not stay in history.
  location.replace('http://127.0.0.1:' + port + CALLBACK_PATH + search);
})();
`;
}
