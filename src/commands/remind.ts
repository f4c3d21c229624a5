// `amz-token remind`: mail each seller whose authorization lapses soon a renewal link of their
// own, so that nobody has to copy links into mails. A dry run unless --send; the decision is
// src/mail/reminder-plan.ts, the sending src/mail/send-reminders.ts (loaded only with --send).

import { Option } from '@commander-js/extra-typings';
import { ExitCode, mostUrgent } from '../errors.js';
import { readConfig, type CommandContext } from '../context.js';
import { findProfile } from '../config/lookup.js';
import { DEFAULT_WARN_DAYS } from '../expiry.js';
import { formatDate } from '../dates.js';
import { table } from '../output.js';
import type { Reminder } from '../mail/reminder-plan.js';
import { REMINDER_INTERVAL_DAYS, REMINDER_LINK_DAYS } from '../mail/cadence.js';
import type { SendOutcome } from '../mail/send-reminders.js';
import { helpFooter } from './help.js';
import type { CommandLine, Program } from './command-line.js';
import { wholeNumber } from './options.js';

const { OK, USAGE, EXPIRING, NOT_FOUND, AMAZON_UNAVAILABLE, STORE_UNAVAILABLE } = ExitCode;
export const REMIND_EXIT_CODES = [OK, USAGE, EXPIRING, NOT_FOUND, AMAZON_UNAVAILABLE, STORE_UNAVAILABLE] as const;

export interface RemindOptions {
  warnDays: number;
  send: boolean;
  /** --profile: this profile's seller only. */
  profile?: string;
}

export async function runRemind(ctx: CommandContext, opts: RemindOptions): Promise<ExitCode> {
  const config = await readConfig(ctx);
  const now = ctx.deps.now();
  if (opts.profile !== undefined) findProfile(config, opts.profile);
  const { planReminders } = await import('../mail/reminder-plan.js');
  let plan = planReminders(config, now, opts.warnDays, opts.profile);
  let outcomes = new Map<string, SendOutcome>();
  let failure: (Error & { hint?: string }) | undefined;
  if (opts.send) {
    const { sendReminders, mailSettings } = await import('../mail/send-reminders.js');
    if (plan.some((r) => r.action === 'send')) {
      const run = await sendReminders(ctx, config, opts.warnDays, opts.profile);
      ({ plan, outcomes, failure } = run);
    } else {
      mailSettings(ctx, config); // missing settings are exit 2 even on a quiet day: cron should say so at once
    }
  }
  const rows = plan.map((r) => row(r, outcomes.get(r.profile), opts.send));
  const noAddress = plan.filter((r) => r.action === 'no-address');
  const exitCode = mostUrgent([...(failure ? [AMAZON_UNAVAILABLE] : []), ...(noAddress.length ? [EXPIRING] : [])]);
  if (ctx.global.json) {
    ctx.out.json({ at: now.toISOString(), warnDays: opts.warnDays, send: opts.send, reminders: rows });
  } else if (rows.length > 0 && !ctx.global.quiet) {
    // -q (cron): only what needs doing, below; a morning with nothing to fix mails nobody.
    const lines = table(
      [['PROFILE', 'TO', 'LANG', 'EXPIRES', 'REMINDER'], ...rows.map((r) => [r.profile, r.to ?? '-', r.language ?? '-', formatDate(new Date(r.expiresAt), now), describe(r, now)])],
      ctx.out.width ? { maxWidth: ctx.out.width } : {},
    );
    for (const line of lines) ctx.out.result(line);
  }
  for (const r of noAddress) ctx.out.warn(`${r.profile} ${r.daysLeft > 0 ? `lapses in ${r.daysLeft} day${r.daysLeft === 1 ? '' : 's'}` : 'has lapsed'} and has no mail address; run: amz-token profile set ${r.profile} --email ADDR [--language de]`);
  // Each mail that failed, by profile (a refused recipient fails alone); the fix once.
  for (const r of rows.filter((x) => x.action === 'failed')) ctx.out.problem(`${r.profile}: not sent to ${r.to}: ${r.error}`);
  if (failure?.hint) ctx.out.warn(`  ${failure.hint}`);
  ctx.out.info(summary(rows, opts));
  return exitCode;
}

interface Row {
  profile: string;
  sellingPartnerId: string;
  marketplace: string;
  expiresAt: string;
  daysLeft: number;
  to: string | null;
  language: string | null;
  /** would-send (dry run), sent, failed, not-tried (after a failure that stops the run), reminded (within the week), no-address. */
  action: 'would-send' | 'sent' | 'failed' | 'not-tried' | 'reminded' | 'no-address';
  invitation?: string;
  /** A pending link mailed again (true), or a new one (false); dry run and sent alike. */
  reusesLink?: boolean;
  lastRemindedAt?: string;
  nextReminderAt?: string;
  error?: string;
}

function row(r: Reminder, outcome: SendOutcome | undefined, send: boolean): Row {
  const base = { profile: r.profile, sellingPartnerId: r.record.sellingPartnerId, marketplace: r.record.marketplace, expiresAt: r.expiresAt, daysLeft: r.daysLeft };
  if (r.action === 'no-address') return { ...base, to: null, language: null, action: 'no-address' };
  if (r.action === 'reminded') return { ...base, to: r.to, language: r.record.contact?.language ?? null, action: 'reminded', lastRemindedAt: r.sentAt, nextReminderAt: r.nextAt };
  const link = send ? { invitation: outcome?.invitation ?? r.invitation?.id } : r.invitation ? { invitation: r.invitation.id, reusesLink: true } : { reusesLink: false };
  return {
    ...base,
    to: r.to,
    language: r.language,
    action: send ? (outcome?.status ?? 'not-tried') : 'would-send',
    ...(link.invitation ? { invitation: link.invitation } : {}),
    ...('reusesLink' in link ? { reusesLink: link.reusesLink } : {}),
    ...(r.record.reminded ? { lastRemindedAt: r.record.reminded.sentAt } : {}),
    ...(outcome?.error ? { error: outcome.error } : {}),
  };
}

function describe(r: Row, now: Date): string {
  switch (r.action) {
    case 'would-send':
      return r.reusesLink ? `would send (its pending link ${r.invitation})` : 'would send (a new link)';
    case 'sent':
      return `sent (link ${r.invitation})`;
    case 'failed':
      return 'failed: not sent, tried again next run';
    case 'not-tried':
      return 'not sent: the mail server failed first';
    case 'reminded':
      return `reminded ${formatDate(new Date(r.lastRemindedAt!), now)}; next not before ${r.nextReminderAt!.slice(0, 10)}`;
    case 'no-address':
      return 'no address';
  }
}

function summary(rows: Row[], opts: RemindOptions): string {
  const count = (action: Row['action']) => rows.filter((r) => r.action === action).length;
  const n = (k: number, noun: string) => `${k} ${noun}${k === 1 ? '' : 's'}`;
  if (rows.length === 0) return `No authorization lapses within ${opts.warnDays} days: no reminder to send.`;
  const held = `${count('reminded')} reminded within the last ${REMINDER_INTERVAL_DAYS} days, ${count('no-address')} without an address`;
  if (!opts.send) return `Dry run: ${n(count('would-send'), 'reminder')} would be sent (${held}); nothing was sent. Send them with: amz-token remind --send`;
  return `Sent ${n(count('sent'), 'reminder')}${count('failed') + count('not-tried') ? `, ${count('failed') + count('not-tried')} not sent (the next run tries again)` : ''} (${held}).`;
}

export function registerRemind(program: Program, line: CommandLine): void {
  program
    .command('remind')
    .description("mail each seller whose authorization lapses soon a renewal link of their own (a dry run unless --send)")
    .addOption(new Option('--warn-days <n>', 'remind when the authorization lapses within this many days (as status and invite --expiring)').argParser(wholeNumber('--warn-days', 0, 365)).default(DEFAULT_WARN_DAYS))
    .option('--send', 'send the mail (without it, only show who would get which mail)')
    .addHelpText(
      'after',
      `
Each seller (profile set NAME --email ADDR [--language en|de]) gets their
pending invitation link, else a new one (working ${REMINDER_LINK_DAYS} days): at most one reminder
per profile per ${REMINDER_INTERVAL_DAYS} days, and none once the seller has renewed (the new expiry
is out of the window). --send needs config set smtp-url, config set mail-from,
config set-secret smtp-password and config set base-url. A send that fails is
not recorded: the next run tries again. --profile NAME: that seller only.
Exit 7 here: the mail server (SMTP) cannot be reached or refuses; exit 3: some
lapsing profile has no mail address; exit 8: another remind --send is running.
` +
        helpFooter(['amz-token remind', 'amz-token remind --warn-days 45 --json', 'amz-token remind --send --profile shop-de', 'amz-token remind --send --quiet   # cron, each morning'], REMIND_EXIT_CODES),
    )
    .action((flags) => {
      // Only the flag narrows remind, as status: a cron job that inherits AMZ_TOKEN_PROFILE still reminds every seller.
      const profile = line.global().profile;
      line.choose('remind', { warnDays: flags.warnDays, send: flags.send === true, ...(profile !== undefined ? { profile } : {}) }, runRemind);
    });
}
