// How often `remind` mails a seller and how long its links work: numbers of their own, so that
// --help can state them without loading the plan (and serve's invitation checks) at start-up.

/** At most one reminder per profile per week: Amazon's own cadence in the month before a lapse. */
export const REMINDER_INTERVAL_DAYS = 7;
/** A link made for a reminder works this long: the next week's reminder carries the same link. */
export const REMINDER_LINK_DAYS = 14;
/** A pending link is mailed again only while it works at least this long; else a fresh one replaces it. */
export const MIN_LINK_DAYS = 2;
