// The per-client limit on invitation, login and callback attempts: a fixed
// window per client address, in a map of bounded size, so a flood costs memory
// no more than a few megabytes and a real seller elsewhere is never held back.

export interface AttemptLimit {
  /** Counts an attempt; false once the client has used up its window. */
  allow(client: string, nowMs: number): boolean;
}

export function attemptLimit(options: { attempts: number; windowMs: number; maxClients?: number }): AttemptLimit {
  const maxClients = options.maxClients ?? 10_000;
  const windows = new Map<string, { count: number; endsAt: number }>();
  return {
    allow(client, nowMs) {
      let window = windows.get(client);
      if (!window || window.endsAt <= nowMs) {
        if (windows.size >= maxClients) {
          for (const [key, value] of windows) if (value.endsAt <= nowMs) windows.delete(key);
          // Still full: forget the oldest windows (insertion order) rather than grow.
          for (const key of windows.keys()) {
            if (windows.size < maxClients) break;
            windows.delete(key);
          }
        }
        windows.delete(client);
        window = { count: 0, endsAt: nowMs + options.windowMs };
        windows.set(client, window);
      }
      window.count += 1;
      return window.count <= options.attempts;
    },
  };
}

const LOOPBACK_PEER = /^(127\.|::1$|::ffff:127\.)/;

/**
 * The client an attempt is counted against. Behind a reverse proxy on this machine every
 * request comes from loopback: then the address the proxy saw, the last X-Forwarded-For
 * entry (the proxy appends it; earlier ones are the client's own word). Otherwise the peer.
 */
export function clientOf(peer: string | undefined, forwardedFor: string | string[] | undefined): string {
  const address = peer ?? 'unknown';
  if (!LOOPBACK_PEER.test(address) || forwardedFor === undefined) return address;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  const last = header.split(',').pop()?.trim();
  return last && last.length <= 64 ? last : address;
}
