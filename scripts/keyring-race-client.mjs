// Provokes gnome-keyring 42's first-call race (see KNOWN_RACE in secret-service.sh): ROUNDS rounds of
// PER new connections at once, each making one call to the Secret Service, and reports the round in
// which the daemon died, if it did. Raw D-Bus over node:net, as src/secrets/dbus-locked.ts speaks it,
// so that which call comes first on a connection is exact.
//
//   node scripts/keyring-race-client.mjs SS_DIR ROUNDS PER FIRST [hangup]
//   FIRST: open-session   OpenSession("plain") as the first call (what @napi-rs/keyring does)
//          get            Properties.Get(Collection, Locked) as the first call
//          ping-then-open Peer.Ping, its answer awaited, then OpenSession
//          ping-then-get  Peer.Ping, its answer awaited, then Properties.Get
//   hangup: close the connection right after sending the call, as a killed client does
import { createConnection } from 'node:net';
import { existsSync } from 'node:fs';

const [dir, rounds, per, first, hangup] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), process.argv[5], process.argv[6] === 'hangup'];
if (!dir || !(rounds > 0) || !(per > 0) || !['open-session', 'get', 'ping-then-open', 'ping-then-get'].includes(first)) {
  console.error('usage: node scripts/keyring-race-client.mjs SS_DIR ROUNDS PER open-session|get|ping-then-open|ping-then-get [hangup]');
  process.exit(64);
}

/** D-Bus marshalling, little-endian, just what these calls need. */
function writer() {
  const bytes = [];
  const w = {
    align: (n) => { while (bytes.length % n) bytes.push(0); return w; },
    byte: (v) => { bytes.push(v); return w; },
    uint32: (v) => { w.align(4); bytes.push(v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255); return w; },
    string: (s) => { const b = Buffer.from(s); w.uint32(b.length); bytes.push(...b, 0); return w; },
    signature: (s) => { bytes.push(s.length, ...Buffer.from(s), 0); return w; },
    buffer: () => Buffer.from(bytes),
  };
  return w;
}
function methodCall(serial, path, iface, member, dest, signature, body) {
  const fields = writer();
  const field = (code, type, write) => write(fields.align(8).byte(code).signature(type));
  field(1, 'o', (f) => f.string(path));
  field(2, 's', (f) => f.string(iface));
  field(3, 's', (f) => f.string(member));
  field(6, 's', (f) => f.string(dest));
  if (signature) field(8, 'g', (f) => f.signature(signature));
  const fieldBytes = fields.buffer();
  const header = Buffer.alloc(16);
  header.write('l', 0);
  header[1] = 1; // method call
  header[3] = 1; // protocol version
  header.writeUInt32LE(body?.length ?? 0, 4);
  header.writeUInt32LE(serial, 8);
  header.writeUInt32LE(fieldBytes.length, 12);
  const head = Buffer.concat([header, fieldBytes]);
  return Buffer.concat([head, Buffer.alloc((8 - (head.length % 8)) % 8), body ?? Buffer.alloc(0)]);
}
const SECRETS = '/org/freedesktop/secrets';
const hello = methodCall(1, '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'Hello', 'org.freedesktop.DBus');
const ping = methodCall(2, SECRETS, 'org.freedesktop.DBus.Peer', 'Ping', 'org.freedesktop.secrets');
const racedCall = first.endsWith('get')
  ? methodCall(3, `${SECRETS}/collection/login`, 'org.freedesktop.DBus.Properties', 'Get', 'org.freedesktop.secrets', 'ss', writer().string('org.freedesktop.Secret.Collection').string('Locked').buffer())
  : methodCall(3, SECRETS, 'org.freedesktop.Secret.Service', 'OpenSession', 'org.freedesktop.secrets', 'sv', writer().string('plain').signature('s').string('').buffer());

/** The reply serials in `data`, and what is left after the last whole message. */
function replies(data) {
  const serials = [];
  let at = 0;
  while (data.length - at >= 16) {
    const fieldsLength = data.readUInt32LE(at + 12);
    const length = 16 + fieldsLength + ((8 - ((16 + fieldsLength) % 8)) % 8) + data.readUInt32LE(at + 4);
    if (data.length - at < length) break;
    const message = data.subarray(at, at + length);
    if (message[1] === 2 || message[1] === 3) {
      for (let serial = 2; serial <= 3; serial++) if (message.includes(Buffer.from([5, 1, 0x75, 0, serial, 0, 0, 0]))) serials.push(serial);
    }
    at += length;
  }
  return { serials, rest: data.subarray(at) };
}

/** One connection: 'answered', 'sent' (hung up), or 'lost' (the daemon went away first). */
function oneClient() {
  return new Promise((resolve) => {
    const socket = createConnection(`${dir}/bus`);
    let buffer = Buffer.alloc(0);
    let authenticated = false;
    let outcome = 'lost';
    const end = () => { clearTimeout(timer); socket.destroy(); resolve(outcome); };
    const timer = setTimeout(end, 20_000);
    const sendRaced = () => {
      socket.write(racedCall);
      if (hangup) { outcome = 'sent'; socket.end(); end(); }
    };
    socket.on('error', end);
    socket.on('close', end);
    socket.on('connect', () => socket.write(`\0AUTH EXTERNAL ${Buffer.from(String(process.getuid())).toString('hex')}\r\n`));
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!authenticated) {
        const lineEnd = buffer.indexOf('\r\n');
        if (lineEnd < 0) return;
        authenticated = true;
        buffer = buffer.subarray(lineEnd + 2);
        socket.write(Buffer.concat([Buffer.from('BEGIN\r\n'), hello, first.startsWith('ping') ? ping : Buffer.alloc(0)]));
        if (!first.startsWith('ping')) return sendRaced();
      }
      const { serials, rest } = replies(buffer);
      buffer = rest;
      if (serials.includes(2)) sendRaced();
      if (serials.includes(3)) { outcome = 'answered'; end(); }
    });
  });
}

const died = () => existsSync(`${dir}/keyring.exit`) || existsSync(`${dir}/keyring-restart.1.exit`);
const tally = { answered: 0, sent: 0, lost: 0 };
for (let round = 1; round <= rounds; round++) {
  for (const outcome of await Promise.all(Array.from({ length: per }, oneClient))) tally[outcome]++;
  if (died()) {
    console.log(JSON.stringify({ first, hangup, died: true, round, ...tally }));
    process.exit(3);
  }
}
console.log(JSON.stringify({ first, hangup, died: false, rounds, ...tally }));
