// Reading "Locked" out of a Properties.GetAll reply (src/secrets/dbus-locked.ts). The lock
// check itself, against a real gnome-keyring, is in test/e2e/locked-keyring.test.ts.
import { describe, it, expect } from 'vitest';
import { lockedFromProperties } from '../../src/secrets/dbus-locked.js';

// gnome-keyring 42.1's reply for an unlocked login collection with one item, as it came off the bus.
const GNOME_KEYRING_REPLY =
  'b000000000000000050000004974656d730002616f000000300000002b0000002f6f72672f667265656465736b746f702f736563726574732f636f6c6c656374696f6e2f6c6f67696e2f31000000000005000000' +
  '4c6162656c00017300000000050000004c6f67696e00000000000000060000004c6f636b6564000162000000000000000000000007000000437265617465640001740000c525106b00000000080000004d6f646966696564000174000000000000000000';

type Value = ['b', boolean] | ['s' | 'o', string] | ['t', bigint] | ['ao', string[]] | ['ay', number[]] | ['v' | '(ss)', string];

/** An a{sv} body, marshalled as D-Bus does (little-endian, offsets from the body's start). */
function properties(entries: Array<[string, ...Value]>): Buffer {
  const bytes: number[] = [];
  const align = (n: number) => {
    while (bytes.length % n) bytes.push(0);
  };
  const uint32 = (value: number) => {
    align(4);
    bytes.push(value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, value >>> 24);
  };
  const string = (value: string) => {
    uint32(Buffer.byteLength(value));
    bytes.push(...Buffer.from(value), 0);
  };
  uint32(0); // the array's length, filled in below
  align(8);
  const start = bytes.length;
  for (const [name, type, value] of entries) {
    align(8);
    string(name);
    bytes.push(type.length, ...Buffer.from(type), 0);
    if (type === 'b') uint32(value ? 1 : 0);
    else if (type === 's' || type === 'o') string(value as string);
    else if (type === 't') {
      align(8);
      bytes.push(...Buffer.from(new BigUint64Array([value as bigint]).buffer));
    } else if (type === 'ao') {
      uint32(0);
      const lengthAt = bytes.length - 4;
      const first = bytes.length;
      for (const path of value as string[]) string(path);
      bytes.splice(lengthAt, 4, ...Buffer.from(new Uint32Array([bytes.length - first]).buffer));
    } else if (type === 'ay') {
      uint32((value as number[]).length);
      bytes.push(...(value as number[]));
    } else bytes.push(...Buffer.from(value as string)); // a type the reader does not skip: never read
  }
  bytes.splice(0, 4, ...Buffer.from(new Uint32Array([bytes.length - start]).buffer));
  return Buffer.from(bytes);
}

const ITEMS: [string, ...Value] = ['Items', 'ao', ['/org/freedesktop/secrets/collection/login/1', '/org/freedesktop/secrets/collection/login/22']];

describe('lockedFromProperties', () => {
  it("reads gnome-keyring's own reply, and the same reply built here", () => {
    expect(lockedFromProperties(Buffer.from(GNOME_KEYRING_REPLY, 'hex'))).toBe(false);
    const built = properties([['Items', 'ao', ['/org/freedesktop/secrets/collection/login/1']], ['Label', 's', 'Login'], ['Locked', 'b', false], ['Created', 't', 1796220357n], ['Modified', 't', 0n]]);
    expect(built.toString('hex')).toBe(GNOME_KEYRING_REPLY);
  });

  it('finds Locked wherever it is, past strings, arrays and 64-bit values', () => {
    expect(lockedFromProperties(properties([['Locked', 'b', true]]))).toBe(true);
    expect(lockedFromProperties(properties([ITEMS, ['Label', 's', 'Anmeldung ü'], ['Created', 't', 1n], ['Locked', 'b', true]]))).toBe(true);
    expect(lockedFromProperties(properties([['Label', 's', 'x'], ['Raw', 'ay', [1, 2, 3]], ['Modified', 't', 5n], ['Locked', 'b', false]]))).toBe(false);
    expect(lockedFromProperties(properties([['Items', 'ao', []], ['Locked', 'b', true]]))).toBe(true);
  });

  it('cannot tell (undefined) when Locked is missing, not a boolean, behind a value it cannot skip, or cut off', () => {
    expect(lockedFromProperties(properties([ITEMS, ['Label', 's', 'Login']]))).toBeUndefined();
    expect(lockedFromProperties(properties([]))).toBeUndefined();
    expect(lockedFromProperties(properties([['Locked', 's', 'true']]))).toBeUndefined();
    expect(lockedFromProperties(properties([['Extra', 'v', '\u0001b\u0000\u0000\u0001\u0000\u0000\u0000'], ['Locked', 'b', true]]))).toBeUndefined();
    const whole = Buffer.from(GNOME_KEYRING_REPLY, 'hex');
    for (const length of [0, 3, 8, 60, 126, 130]) expect(lockedFromProperties(whole.subarray(0, length)), `cut at ${length}`).toBeUndefined();
    expect(lockedFromProperties(Buffer.alloc(0))).toBeUndefined();
  });
});
