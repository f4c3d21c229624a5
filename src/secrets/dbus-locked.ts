// Whether the Secret Service's default collection is locked: the collection's
// properties read with one D-Bus call, spoken over the session bus's socket with
// node:net. A few lines of the wire protocol rather than dbus-send: `token` must
// not load node:child_process (bundle.test.ts), and no dependency.
//
// Properties.GetAll, not Properties.Get(Locked): gnome-keyring 42 (Debian 12)
// aborts now and then under CPU load, and every client loses its keychain, when a
// connection's first call is a Get on a collection (GLib's "invoke_get_property_in_
// idle_cb: assertion failed: (error != NULL)"): it may serve the call before it has
// recorded the caller (KNOWN_RACE in scripts/secret-service.sh). No kill is needed.
// GetAll leaves out a property it cannot read instead. Measured: Get as the first
// call brought the daemon down within 76 to 203 rounds of 120 checks, GetAll in
// none of 1,074 rounds.

import { createConnection } from 'node:net';

type Answer = boolean | 'no answer' | undefined;

/** true/false; 'no answer' when the bus or the Secret Service does not reply in time; undefined when it cannot tell. */
export function defaultCollectionLocked(busAddress: string, timeoutMs: number): Promise<Answer> {
  const path = socketPath(busAddress);
  if (path === undefined) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    let settled = false;
    const socket = createConnection(path);
    const done = (answer: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done('no answer'), timeoutMs);
    timer.unref();
    let buffer = Buffer.alloc(0);
    let authenticated = false;
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
    socket.on('connect', () => {
      const uid = String(process.getuid?.() ?? 0);
      socket.write(`\0AUTH EXTERNAL ${Buffer.from(uid).toString('hex')}\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!authenticated) {
        const end = buffer.indexOf('\r\n');
        if (end < 0) return;
        if (!buffer.subarray(0, end).toString().startsWith('OK ')) return done(undefined);
        authenticated = true;
        buffer = buffer.subarray(end + 2);
        socket.write(Buffer.concat([Buffer.from('BEGIN\r\n'), hello(), getCollectionProperties()]));
      }
      for (;;) {
        const message = nextMessage(buffer);
        if (!message) return;
        buffer = buffer.subarray(message.length);
        if (message.replySerial !== 2) continue;
        if (message.type === 3) return done(undefined); // an error: no default collection, no Secret Service
        return done(lockedFromProperties(message.body));
      }
    });
  });
}

/** unix:path=… or unix:abstract=… (the first of several addresses); others are not spoken here. */
function socketPath(address: string): string | undefined {
  for (const entry of address.split(';')) {
    if (!entry.startsWith('unix:')) continue;
    const options = Object.fromEntries(entry.slice(5).split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), decodeURIComponent(kv.slice(kv.indexOf('=') + 1))]));
    if (options.path) return options.path;
    if (options.abstract) return `\0${options.abstract}`;
  }
  return undefined;
}

class Writer {
  private bytes: number[] = [];
  get length(): number {
    return this.bytes.length;
  }
  align(n: number): this {
    while (this.bytes.length % n) this.bytes.push(0);
    return this;
  }
  byte(value: number): this {
    this.bytes.push(value);
    return this;
  }
  uint32(value: number): this {
    this.align(4);
    this.bytes.push(value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, (value >>> 24) & 0xff);
    return this;
  }
  string(value: string): this {
    const utf8 = Buffer.from(value);
    this.uint32(utf8.length);
    this.bytes.push(...utf8, 0);
    return this;
  }
  signature(value: string): this {
    this.bytes.push(value.length, ...Buffer.from(value), 0);
    return this;
  }
  buffer(): Buffer {
    return Buffer.from(this.bytes);
  }
}

function methodCall(serial: number, fields: { path: string; iface: string; member: string; dest: string }, body?: { signature: string; data: Buffer }): Buffer {
  const header = new Writer().byte(0x6c).byte(1).byte(0).byte(1).uint32(body?.data.length ?? 0).uint32(serial);
  const array = new Writer();
  const field = (code: number, type: string, write: (w: Writer) => void) => write(array.align(8).byte(code).signature(type));
  field(1, 'o', (w) => w.string(fields.path));
  field(2, 's', (w) => w.string(fields.iface));
  field(3, 's', (w) => w.string(fields.member));
  field(6, 's', (w) => w.string(fields.dest));
  if (body) field(8, 'g', (w) => w.signature(body.signature));
  header.uint32(array.length);
  const head = Buffer.concat([header.buffer(), array.buffer()]);
  const padded = Buffer.concat([head, Buffer.alloc((8 - (head.length % 8)) % 8)]);
  return body ? Buffer.concat([padded, body.data]) : padded;
}

function hello(): Buffer {
  return methodCall(1, { path: '/org/freedesktop/DBus', iface: 'org.freedesktop.DBus', member: 'Hello', dest: 'org.freedesktop.DBus' });
}

function getCollectionProperties(): Buffer {
  const body = new Writer().string('org.freedesktop.Secret.Collection').buffer();
  return methodCall(
    2,
    { path: '/org/freedesktop/secrets/aliases/default', iface: 'org.freedesktop.DBus.Properties', member: 'GetAll', dest: 'org.freedesktop.secrets' },
    { signature: 's', data: body },
  );
}

/** Sizes of D-Bus's fixed-size types, which are also their alignments. */
const FIXED_SIZE: Readonly<Record<string, number>> = { y: 1, n: 2, q: 2, b: 4, i: 4, u: 4, h: 4, x: 8, t: 8, d: 8 };

/** Alignment of a value by the first character of its type. */
function alignmentOf(type: string): number {
  const first = type[0]!;
  return FIXED_SIZE[first] ?? ('sao'.includes(first) ? 4 : '({'.includes(first) ? 8 : 1);
}

/**
 * "Locked" from the body of a GetAll reply (a{sv}: Items, Label, Locked, Created, Modified),
 * or undefined when it is missing or a value before it has a type not skipped here.
 */
export function lockedFromProperties(body: Buffer): boolean | undefined {
  let at = 0;
  const align = (n: number) => {
    at += (n - (at % n)) % n;
  };
  const uint32 = () => {
    align(4);
    const value = body.readUInt32LE(at); // past the end: a RangeError, caught below
    at += 4;
    return value;
  };
  const signature = () => {
    const length = body.readUInt8(at);
    const text = body.toString('latin1', at + 1, at + 1 + length);
    at += length + 2;
    return text;
  };
  try {
    const length = uint32();
    align(8);
    const end = at + length;
    if (end > body.length) return undefined;
    while (at < end) {
      align(8);
      const nameLength = uint32();
      const name = body.toString('utf8', at, at + nameLength);
      at += nameLength + 1;
      const type = signature();
      if (name === 'Locked') return type === 'b' ? uint32() === 1 : undefined;
      if (Object.hasOwn(FIXED_SIZE, type)) {
        align(FIXED_SIZE[type]!);
        at += FIXED_SIZE[type]!;
      } else if (type === 's' || type === 'o') {
        const bytes = uint32(); // read first: `at += uint32()` would add to the old `at`
        at += bytes + 1;
      } else if (type === 'g') {
        signature();
      } else if (type[0] === 'a') {
        const bytes = uint32(); // an array's length is in bytes, counted from its first element
        align(alignmentOf(type.slice(1)));
        at += bytes;
      } else {
        return undefined; // a variant or struct: not in a collection's properties
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** One whole message from the front of `data` (little-endian only, as every Linux bus sends here), or undefined. */
function nextMessage(data: Buffer): { length: number; type: number; replySerial?: number; body: Buffer } | undefined {
  if (data.length < 16) return undefined;
  if (data[0] !== 0x6c) throw new Error('big-endian D-Bus message');
  const bodyLength = data.readUInt32LE(4);
  const fieldsLength = data.readUInt32LE(12);
  const bodyStart = 16 + fieldsLength + ((8 - ((16 + fieldsLength) % 8)) % 8);
  const length = bodyStart + bodyLength;
  if (data.length < length) return undefined;
  let replySerial: number | undefined;
  for (let at = 16; at < 16 + fieldsLength; ) {
    at += (8 - (at % 8)) % 8;
    const code = data[at]!;
    const signatureLength = data[at + 1]!;
    const type = String.fromCharCode(data[at + 2]!);
    at += 3 + signatureLength;
    if (type === 'u' || type === 's' || type === 'o') {
      at += (4 - (at % 4)) % 4;
      const value = data.readUInt32LE(at);
      if (code === 5 && type === 'u') replySerial = value;
      at += type === 'u' ? 4 : 4 + value + 1;
    } else if (type === 'g') {
      at += 1 + data[at]! + 1;
    } else break;
  }
  return { length, type: data[1]!, replySerial, body: data.subarray(bodyStart, length) };
}
