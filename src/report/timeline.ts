// The geometry of the HTML report's timeline: a 13-month axis from the start of
// the current month, and one row per authorization and per client secret, each
// placed on it and sorted by what is due first. Data only; html.ts draws it.

import { addDays } from 'date-fns/addDays';
import { addMonths } from 'date-fns/addMonths';
import { format } from 'date-fns/format';
import { startOfMonth } from 'date-fns/startOfMonth';
import type { ExpiryState } from '../expiry.js';
import { dateState, dueTime, needsRenewal, renewCommand, setSecretCommand, type ProfileState, type StatusReport } from './status-report.js';

// 13 months from the first of this month: every grant made today (365 days) still
// ends on the axis, and the weeks just past show what lapsed recently.
export const TIMELINE_MONTHS = 13;

export interface TimelineMonth {
  /** "Jan" */
  label: string;
  /** "2027" on the first month and on every January, so the axis names each year once. */
  year?: string;
  /** Its share of the axis (months differ in length). */
  share: number;
}

export interface TimelineAxis {
  start: Date;
  end: Date;
  months: TimelineMonth[];
  /** Where the report's date (today, or --at) sits, 0..1. */
  today: number;
  /** Where the warning window that opens today ends, 0..1 (may pass the axis: clamped). */
  warningEnd: number;
}

export interface TimelineRow {
  kind: 'authorization' | 'client secret';
  /** The profile or app name. */
  name: string;
  /** Seller, marketplace, app: what tells rows apart at a glance. */
  detail: string;
  expiresAt: Date;
  /** The state the report gives it (a check may say rejected or unknown). */
  state: ProfileState;
  /** How its bar is drawn: by date, except that a token Amazon rejected is drawn as expired. */
  look: ExpiryState;
  /** Where the bar ends, 0..1, clamped to the axis. */
  end: number;
  /** Set when the expiry lies off the axis. */
  off?: 'before' | 'after';
  /** The command that fixes it, when something is due. */
  command?: string;
}

export function timelineAxis(at: Date, warnDays: number): TimelineAxis {
  const start = startOfMonth(at);
  const end = addMonths(start, TIMELINE_MONTHS);
  const span = end.getTime() - start.getTime();
  const months: TimelineMonth[] = [];
  for (let i = 0; i < TIMELINE_MONTHS; i++) {
    const from = addMonths(start, i);
    const share = (addMonths(start, i + 1).getTime() - from.getTime()) / span;
    months.push({ label: format(from, 'MMM'), ...(i === 0 || from.getMonth() === 0 ? { year: format(from, 'yyyy') } : {}), share });
  }
  return { start, end, months, today: position(start, end, at), warningEnd: clamp(position(start, end, addDays(at, warnDays))) };
}

/** Every authorization and client secret of the report on the axis, most urgent first. */
export function timelineRows(report: Pick<StatusReport, 'at' | 'warnDays' | 'profiles' | 'apps'>, axis: TimelineAxis): TimelineRow[] {
  const rows: TimelineRow[] = [];
  for (const p of report.profiles) {
    const expiresAt = new Date(p.expiresAt);
    rows.push({
      kind: 'authorization',
      name: p.profile,
      detail: `${p.sellingPartnerId} · ${p.marketplace}${p.role === 'vendor' ? ' vendor' : ''} · app ${p.app}`,
      expiresAt,
      state: p.state,
      look: p.state === 'rejected' ? 'expired' : dateState(report, p),
      ...placed(axis, expiresAt),
      ...(needsRenewal(report, p) ? { command: renewCommand(p.profile) } : {}),
    });
  }
  for (const a of report.apps) {
    const expiresAt = new Date(a.clientSecretExpiresAt);
    rows.push({
      kind: 'client secret',
      name: a.app,
      detail: 'LWA client secret of the app',
      expiresAt,
      state: a.state,
      look: a.state,
      ...placed(axis, expiresAt),
      ...(a.state !== 'ok' ? { command: setSecretCommand(a.app) } : {}),
    });
  }
  // Due first: a rejected token is due now, whatever its date says; then by expiry, then by name.
  const due = (row: TimelineRow) => dueTime(row.state, row.expiresAt);
  return rows.sort((a, b) => due(a) - due(b) || a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind));
}

function placed(axis: TimelineAxis, date: Date): Pick<TimelineRow, 'end' | 'off'> {
  const at = position(axis.start, axis.end, date);
  return { end: clamp(at), ...(at < 0 ? { off: 'before' as const } : at > 1 ? { off: 'after' as const } : {}) };
}

function position(start: Date, end: Date, date: Date): number {
  return (date.getTime() - start.getTime()) / (end.getTime() - start.getTime());
}

const clamp = (x: number) => Math.min(1, Math.max(0, x));
