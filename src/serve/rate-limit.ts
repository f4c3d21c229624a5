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
