// Whom serve believes about a request's client: the peer itself, unless the peer is a proxy
// the operator named with --trust-proxy (by default one on this host). Only then is
// X-Forwarded-For read, right to left, up to the first address that is not a trusted proxy:
// each proxy appends the address it saw, so everything left of that is the client's own word.

import { BlockList, isIP, type Server, type Socket } from 'node:net';
import { UsageError } from '../errors.js';

export interface TrustedProxies {
  /** The operator's list as given, for the start-up line. */
  readonly spec: string;
  has(address: string): boolean;
}

export const DEFAULT_TRUST_PROXY = '127.0.0.1,::1';

/** `ADDR|CIDR,...`; "none" trusts no proxy (serve faces the internet itself). */
export function trustedProxies(spec: string, flag = '--trust-proxy'): TrustedProxies {
  const list = new BlockList();
  const entries = spec.trim() === 'none' ? [] : spec.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
    if (!family || extra !== undefined || !(prefix >= 0 && prefix <= (family === 6 ? 128 : 32))) {
      throw new UsageError(`${flag} takes addresses or CIDR ranges separated by commas (e.g. 127.0.0.1,10.0.0.0/8), or "none"; "${entry.slice(0, 60)}" is neither`);
    }
    list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return {
    spec,
    has(address) {
      const plain = unmapped(address);
      const family = isIP(plain);
      return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

/** An IPv4 peer on a dual-stack socket reads "::ffff:1.2.3.4": the IPv4 address is what counts. */
export function unmapped(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? match[1]! : address;
}

/**
 * The client a request is counted against: the peer, or behind trusted proxies the right-most
 * X-Forwarded-For address that is not one of them. An entry that is not an address ends the walk.
 */
export function clientOf(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: TrustedProxies): string {
  let client = unmapped(peer ?? 'unknown');
  if (!trusted.has(client) || forwardedFor === undefined) return client;
  const entries = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').slice(-32);
  for (const raw of entries.reverse()) {
    const entry = unmapped(raw.trim());
    if (entry.length > 64 || !isIP(entry)) break;
    client = entry;
    if (!trusted.has(entry)) break;
  }
  return client;
}

/** Whether a listen host is reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || /^127\./.test(host) || host === '::1';
}

/** Closes a new connection at once when its peer (not a trusted proxy) holds `max` already. */
export function limitConnectionsPerPeer(server: Server, trusted: TrustedProxies, max: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const peer = unmapped(socket.remoteAddress ?? 'unknown');
    if (trusted.has(peer)) return;
    const count = (open.get(peer) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      return;
    }
    open.set(peer, count);
    socket.once('close', () => {
      const left = (open.get(peer) ?? 1) - 1;
      if (left <= 0) open.delete(peer);
      else open.set(peer, left);
    });
  });
}
