// Test-only preload (NODE_OPTIONS=--require <this file>): the SP-API client
// libraries have Amazon's https hosts built in (api.amazon.com for LWA,
// sellingpartnerapi-{na,eu,fe}.amazon.com). This sends their TLS connections
// for *.amazon.com to the Amazon double's https listener on 127.0.0.1 instead.
// Nothing else changes: the TLS handshake still names and verifies the real
// host (SNI, certificate), against the double's throwaway CA, which the test
// trusts through NODE_EXTRA_CA_CERTS. No library's code is touched.
//
// All three libraries reach Amazon through node:https (amazon-sp-api directly,
// axios and superagent underneath), whose agent opens sockets with tls.connect.
'use strict';
const tls = require('node:tls');

const port = Number(process.env.AMAZON_DOUBLE_TLS_PORT);
if (!Number.isInteger(port) || port <= 0) throw new Error('route-amazon-to-double: set AMAZON_DOUBLE_TLS_PORT to the double\'s https port');
const AMAZON_HOST = /(^|\.)amazon\.com\.?$/i;

const connect = tls.connect;
tls.connect = function connectToDoubleForAmazon(...args) {
  const options = args[0];
  if (options !== null && typeof options === 'object') {
    const host = options.servername || options.host;
    if (typeof host === 'string' && AMAZON_HOST.test(host)) {
      return connect.call(this, { ...options, host: '127.0.0.1', port, servername: host }, ...args.slice(1));
    }
  }
  return connect.apply(this, args);
};
