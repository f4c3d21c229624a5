// `status --html`: the status report as one self-contained web page for a team:
// a 13-month timeline (what is due first at the top), then the table status
// prints, with the command to run. Inline CSS and SVG only, no script, nothing
// fetched: a Content-Security-Policy that allows exactly its stylesheet says so.

import { createHash } from 'node:crypto';
import { format } from 'date-fns/format';
import { relative } from '../dates.js';
import type { CheckResult, LiveCheck } from '../checks/result.js';
import { needsRenewal, renewCommand, setSecretCommand, type AppStatus, type ProfileState, type ProfileStatus, type StatusReport } from './status-report.js';
import { timelineAxis, timelineRows, TIMELINE_MONTHS, type TimelineAxis, type TimelineRow } from './timeline.js';
import { reportStylesheet } from './html-style.js';

/** The whole page. Everything from the report is escaped; the report holds no secret to leak. */
export function htmlReport(report: StatusReport): string {
  const at = new Date(report.at);
  const generatedAt = new Date(report.generatedAt);
  const axis = timelineAxis(at, report.warnDays);
  const rows = timelineRows(report, axis);
  const css = reportStylesheet({ monthShares: axis.months.map((m) => m.share), today: axis.today, warningEnd: axis.warningEnd });
  const styleHash = createHash('sha256').update(css, 'utf8').digest('base64');
  // Judged as of another date than the one it was made on (--at): say so beside the generation time.
  const asOf = report.at === report.generatedAt ? '' : ` · states as of <time datetime="${report.at}">${localTime(at)}</time>`;
  // The timeline's "today" is the date the states are judged at.
  const today = report.at === report.generatedAt ? 'today' : `${localDay(at)} (--at)`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-${styleHash}'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="amz-token status --html">
<title>SP-API authorizations · amz-token</title>
<style>${css}</style>
</head>
<body>
<div class="page">
<header>
<h1>SP-API authorizations</h1>
<p class="meta">Generated <time datetime="${report.generatedAt}">${localTime(generatedAt)}</time> (${timeZone(generatedAt)})${asOf} · ${count(report.profiles.length, 'authorization')}, ${count(report.apps.length, 'client secret')} · warning window ${count(report.warnDays, 'day')}</p>
${summary(rows, report.warnDays)}
${dueFirst(rows, at)}
<nav class="jump" aria-label="Sections"><a href="#timeline">Timeline</a><a href="#authorizations">Authorizations</a>${report.apps.length ? '<a href="#client-secrets">Client secrets</a>' : ''}</nav>
</header>
<main>
<section aria-labelledby="timeline">
<h2 id="timeline">Timeline: the next ${TIMELINE_MONTHS} months</h2>
<p class="note">Each bar runs from ${today === 'today' ? 'today' : localDay(at)} to the expiry date; most urgent first.</p>
${legend(report.warnDays, today)}
${timeline(axis, rows, at)}
</section>
<section aria-labelledby="authorizations">
<h2 id="authorizations">Authorizations</h2>
${profileTable(report)}
</section>
${report.apps.length ? `<section aria-labelledby="client-secrets">\n<h2 id="client-secrets">Client secrets</h2>\n${appTable(report)}\n</section>` : ''}
</main>
<footer>Written by <code>amz-token status --html</code> at ${localTime(generatedAt)} (${timeZone(generatedAt)}); times are in that time zone. Names, dates and ids only: this page holds no token or secret.</footer>
</div>
</body>
</html>
`;
}

const STATE_WORDS: Record<ProfileState, string> = {
  rejected: 'rejected by Amazon',
  expired: 'expired',
  expiring: 'expiring',
  unknown: 'check failed',
  ok: 'ok',
};

function summary(rows: readonly TimelineRow[], warnDays: number): string {
  const order: ProfileState[] = ['rejected', 'expired', 'expiring', 'unknown', 'ok'];
  const items = order
    .map((state) => [state, rows.filter((r) => r.state === state).length] as const)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `<li class="s-${state}"><b>${n}</b>${STATE_WORDS[state]}${state === 'expiring' ? ` within ${count(warnDays, 'day')}` : ''}</li>`);
  return `<ul class="summary" aria-label="Summary">${items.join('')}</ul>`;
}

function dueFirst(rows: readonly TimelineRow[], at: Date): string {
  const first = rows.find((r) => r.command !== undefined);
  if (!first) return '<p class="next">Nothing is due within the warning window.</p>';
  const what = first.kind === 'authorization' ? 'authorization' : 'client secret of app';
  const when = first.state === 'rejected' ? 'was rejected by Amazon' : `${first.expiresAt < at ? 'expired' : 'expires'} ${localDay(first.expiresAt)}, ${relative(first.expiresAt, at)}`;
  return `<p class="next">Due first: ${what} <b>${esc(first.name)}</b> ${when}. Run <code>${esc(first.command!)}</code></p>`;
}

function legend(warnDays: number, today: string): string {
  const swatch = (inner: string) => `<svg viewBox="0 0 28 12" aria-hidden="true" focusable="false">${inner}</svg>`;
  return `<ul class="legend" aria-label="Legend">
<li>${swatch('<rect class="bar-ok" x="0" y="2" width="28" height="8"/>')}ok</li>
<li>${swatch('<rect class="bar-expiring" x="0" y="2" width="28" height="8"/>')}expiring (striped)</li>
<li>${swatch('<rect class="bar-expired" x="1" y="2" width="26" height="8"/>')}expired or rejected (dashed outline: since when)</li>
<li>${swatch('<rect class="band" x="0" y="0" width="28" height="12"/>')}warning window (next ${count(warnDays, 'day')})</li>
<li>${swatch('<path class="today" d="M14 0V12"/>')}${today}</li>
</ul>`;
}

function timeline(axis: TimelineAxis, rows: readonly TimelineRow[], at: Date): string {
  const months = axis.months.map((m) => `<span><i>${m.year ?? ''}</i><b>${m.label}</b></span>`).join('');
  // Patterns live once in the page; every row's SVG refers to them.
  const defs = `<svg class="defs" aria-hidden="true" focusable="false"><defs><pattern id="stripes" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f2b84b"/><rect width="3" height="6" fill="#b35900"/></pattern></defs></svg>`;
  const head = `<div class="tl-row tl-head" aria-hidden="true"><div class="who">Authorization or client secret</div><div class="when">Expires</div><div class="months">${months}</div></div>`;
  const items = rows.map((row) => {
    const kind = row.kind === 'client secret' ? '<span class="kind">client secret</span>' : '';
    return `<li class="tl-row"><div class="who">${kind}<b>${esc(row.name)}</b><small>${esc(row.detail)}</small></div><div class="when">${badge(row.state)}<span><time datetime="${row.expiresAt.toISOString()}">${localDay(row.expiresAt)}</time> <small>${relative(row.expiresAt, at)}</small></span></div><div class="track" aria-hidden="true"><svg viewBox="0 0 1000 10" preserveAspectRatio="none" focusable="false">${bar(row, axis)}</svg></div></li>`;
  });
  return `<div class="timeline">${defs}${head}<ol class="rows">\n${items.join('\n')}\n</ol></div>`;
}

/**
 * Time left as a filled bar from today to the expiry. Broken ones as a dashed outline between
 * the expiry and today: the time overdue, or for a token Amazon rejected early, the time lost.
 */
function bar(row: TimelineRow, axis: TimelineAxis): string {
  if (row.look !== 'expired') {
    return `<rect class="bar-${row.look}" x="${x1000(axis.today)}" y="0" width="${x1000(Math.max(row.end - axis.today, 0.002))}" height="10"/>`;
  }
  const from = Math.min(row.end, axis.today);
  const outline = `<rect class="bar-expired" x="${x1000(from)}" y="0" width="${x1000(Math.max(Math.abs(axis.today - row.end), 0.002))}" height="10" vector-effect="non-scaling-stroke"/>`;
  // Lapsed before the axis begins: a solid stub at the left edge says "earlier than this".
  return row.off === 'before' ? `${outline}<rect class="stub" x="0" y="-2" width="4" height="14"/>` : outline;
}

function profileTable(report: StatusReport): string {
  const checks = report.checks;
  const deep = report.deep === true;
  const at = new Date(report.at);
  const head = ['Profile', 'Seller', 'Region', 'App', 'Expires', 'State', ...(checks ? ['Check'] : []), ...(checks && deep ? ['Marketplaces'] : []), 'Next step'];
  const body = report.profiles.map((p, i) => {
    const check = checks?.[i];
    const cells = [
      cell('Profile', esc(p.profile), 'name'),
      cell('Seller', `${esc(p.sellingPartnerId)} <small>${esc(p.marketplace)}${p.role === 'vendor' ? ', vendor' : ''}</small>`),
      cell('Region', esc(p.region)),
      cell('App', esc(p.app)),
      cell('Expires', `<time datetime="${esc(p.expiresAt)}">${localTime(new Date(p.expiresAt))}</time><small>${relative(new Date(p.expiresAt), at)}</small>`),
      cell('State', badge(p.state)),
      ...(check ? [cell('Check', `${CHECK_WORDS[check.result]}<small>${esc(check.message)}</small>`, 'wide')] : []),
      ...(check && deep ? [cell('Marketplaces', marketplaces(check))] : []),
      nextStepCell(profileNextStep(report, p, check)),
    ];
    return `<tr>${cells.join('')}</tr>`;
  });
  return table(head, body);
}

function appTable(report: StatusReport): string {
  const at = new Date(report.at);
  const body = report.apps.map((a: AppStatus) => {
    const expires = new Date(a.clientSecretExpiresAt);
    const next = a.state === 'ok' ? undefined : `Rotate it in the Developer Console, then <code>${esc(setSecretCommand(a.app))}</code>`;
    return `<tr>${cell('App', esc(a.app), 'name')}${cell('Client secret expires', `<time datetime="${esc(a.clientSecretExpiresAt)}">${localTime(expires)}</time><small>${relative(expires, at)}</small>`)}${cell('State', badge(a.state))}${nextStepCell(next)}</tr>`;
  });
  return table(['App', 'Client secret expires', 'State', 'Next step'], body);
}

const CHECK_WORDS: Record<CheckResult, string> = {
  ok: 'ok',
  rejected: 'rejected',
  unknown: 'unknown',
  'app-rejected': 'app rejected',
  'store-unavailable': 'keychain unavailable',
  'not-found': 'not stored',
  failed: 'error',
};

/** The command (or, failing one, the check's hint) for a profile that needs something; undefined when none does. */
function profileNextStep(report: StatusReport, p: ProfileStatus, check: LiveCheck | undefined): string | undefined {
  if (needsRenewal(report, p)) return `<code>${esc(renewCommand(p.profile))}</code>`;
  if (check?.result === 'app-rejected') return `<code>${esc(setSecretCommand(p.app))}</code>`;
  if (check?.hint) return esc(check.hint);
  return undefined;
}

/** A dash when nothing is due; the stacked layout on narrow screens leaves such a cell out. */
function nextStepCell(html: string | undefined): string {
  return html === undefined ? cell('Next step', '—', 'none') : cell('Next step', html, 'wide');
}

function marketplaces(check: LiveCheck): string {
  if (check.marketplaces) return check.marketplaces.length ? esc(check.marketplaces.join(', ')) : 'none';
  return check.deepSkipped ? 'skipped (vendor)' : '—';
}

function table(head: readonly string[], body: readonly string[]): string {
  return `<table>\n<thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}

/** A cell that also names its column, for the stacked layout on narrow screens. */
function cell(label: string, html: string, className?: string): string {
  return `<td data-label="${label}"${className ? ` class="${className}"` : ''}><div>${html}</div></td>`;
}

function badge(state: ProfileState): string {
  return `<span class="badge b-${state}">${state}</span>`;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
const x1000 = (fraction: number) => (fraction * 1000).toFixed(1);
const localDay = (date: Date) => format(date, 'yyyy-MM-dd');
const localTime = (date: Date) => format(date, 'yyyy-MM-dd HH:mm');
const timeZone = (date: Date) => format(date, "'UTC'xxx");
