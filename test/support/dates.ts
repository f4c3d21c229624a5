// Dates that tests feed the CLI, counted from the clock the CLI itself reads, so that no test goes
// stale (.ci/run runs the suite once more with the clock years ahead to prove it).

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Midnight UTC of the day `days` from today (negative: ago). The e2e sandbox runs the CLI with TZ=UTC. */
export function dayFromToday(days: number, now = new Date()): Date {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(midnight + days * DAY_MS);
}

/** The same day as the YYYY-MM-DD a user would type for a date flag. */
export function day(days: number, now = new Date()): string {
  return dayFromToday(days, now).toISOString().slice(0, 10);
}

/** `date` plus `days`, as an ISO string like the ones config.json holds. */
export function isoPlusDays(date: Date | string, days: number): string {
  return new Date(new Date(date).getTime() + days * DAY_MS).toISOString();
}

/** An ISO date-time `days` from now (negative: ago), to the millisecond, for config.json fixtures. */
export function isoFromNow(days: number, now = new Date()): string {
  return new Date(now.getTime() + days * DAY_MS).toISOString();
}
