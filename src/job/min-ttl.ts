// How long a job's access token must still be valid (exec and env's --min-ttl): here, free of
// commander, so that exec's fast path (src/exec-fast.ts) applies the same numbers as the flag.

/** Default --min-ttl: a job started now may run most of the token's hour without it expiring under it. */
export const DEFAULT_MIN_TTL_MINUTES = 50;
/** Access tokens live 60 minutes: a fresh one has 60, so a minimum above 59 could never be met by the cache. */
export const MAX_MIN_TTL_MINUTES = 59;
