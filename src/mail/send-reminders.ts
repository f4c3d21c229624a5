// `remind --send`: one run at a time per config folder; log in to the mail server first (a wrong
// password or a dead server makes and records nothing); make the links the plan needs in one
// config write; then mail each seller and record each reminder only once its mail was accepted,
// so a failed send is tried again by the next run.

import type { CommandContext } from '../context.js';
import type { Config } from '../config/config.js';
import { updateConfig } from '../config/config.js';
import { withRunLock } from '../config/run-lock.js';
import { StoreUnavailableError, UsageError } from '../errors.js';
import { accounts } from '../secrets/accounts.js';
import { chooseBaseUrl } from '../serve/base-url.js';
import { invitationLink, pruned } from '../serve/invitations.js';
import { signer, signingKey } from '../serve/signing.js';
import { planReminders, reminderInvitation, type Reminder } from './reminder-plan.js';
import { reminderMail } from './reminder-mail.js';
import { missingMailSettings, parseMailFrom, parseSmtpUrl } from './settings.js';
import { MailServerError, openMailer } from './smtp.js';

export interface SendOutcome {
  status: 'sent' | 'failed' | 'not-tried';
  invitation?: string;
  error?: string;
}

export interface SendRun {
  /** The plan as made under the lock, with each sent reminder's invitation. */
  plan: Reminder[];
  outcomes: Map<string, SendOutcome>;
  /** The first failure, which decides the exit code (7). */
  failure?: MailServerError;
}

/** What --send needs besides the plan: the settings checked together, so one run names every missing one (exit 2). */
export function mailSettings(ctx: CommandContext, config: Config) {
  const missing = missingMailSettings(config, ctx.deps.env.AMZ_TOKEN_BASE_URL);
  if (missing.length) throw new UsageError(`remind --send needs ${missing.join(', ')}; nothing was sent`);
  return { server: parseSmtpUrl(config.smtpUrl!, '"smtpUrl"'), from: parseMailFrom(config.mailFrom!, '"mailFrom"'), base: chooseBaseUrl(undefined, ctx.deps.env, config) };
}

export async function sendReminders(ctx: CommandContext, config: Config, warnDays: number, only?: string): Promise<SendRun> {
  const { server, from, base } = mailSettings(ctx, config);
  const busy = (pid: number, lockFile: string) =>
    // Exit 8, as for any config folder that another process holds.
    new StoreUnavailableError(`another amz-token remind --send is running${pid ? ` (pid ${pid})` : ''}; its lock is ${lockFile}`, 'let it finish; if no amz-token is running, delete that file');
  return withRunLock(ctx.deps.configDir, 'remind', busy, async () => {
    const store = await ctx.deps.secretStore();
    const password = server.user === undefined ? undefined : ((await store.get(accounts.smtpPassword())) ?? undefined);
    const mailer = await openMailer(server, password, from);
    try {
      const sign = signer(await signingKey(store, ctx.deps.randomBytes));
      const now = ctx.deps.now();
      // Judged again on the latest file: another operator may have renewed or reminded meanwhile.
      const plan = await updateConfig(ctx.deps.configDir, (latest) => {
        const fresh = planReminders(latest, now, warnDays, only);
        // Ended links go after 90 days here too: a link every two weeks per seller would otherwise pile up.
        const invitations = (latest.invitations = pruned(latest.invitations ?? {}, now));
        for (const reminder of fresh) {
          if (reminder.action !== 'send' || reminder.invitation) continue;
          if (reminder.replaces) invitations[reminder.replaces]!.revokedAt = now.toISOString();
          const id = ctx.deps.randomBytes(12).toString('base64url').replace(/^-/, 'A');
          if (invitations[id]) throw new Error('the random source repeated an invitation id');
          invitations[id] = reminderInvitation(latest, reminder.profile, now);
          reminder.invitation = { id, expiresAt: invitations[id].expiresAt };
        }
        return fresh;
      });
      const outcomes = new Map<string, SendOutcome>();
      let failure: MailServerError | undefined;
      for (const reminder of plan) {
        if (reminder.action !== 'send') continue;
        const invitation = reminder.invitation!;
        if (failure?.fatal) {
          outcomes.set(reminder.profile, { status: 'not-tried', invitation: invitation.id });
          continue;
        }
        const mail = reminderMail({
          language: reminder.language,
          app: reminder.record.app,
          sellingPartnerId: reminder.record.sellingPartnerId,
          marketplace: reminder.record.marketplace,
          role: reminder.record.role,
          expiresAt: new Date(reminder.expiresAt),
          daysLeft: reminder.daysLeft,
          link: invitationLink(sign, base, invitation.id, invitation),
          linkExpiresAt: new Date(invitation.expiresAt),
          from,
        });
        try {
          await mailer.send({ to: reminder.to, ...mail });
        } catch (error) {
          if (!(error instanceof MailServerError)) throw error;
          failure ??= error;
          outcomes.set(reminder.profile, { status: 'failed', invitation: invitation.id, error: error.message });
          continue;
        }
        await updateConfig(ctx.deps.configDir, (latest) => {
          const profile = latest.profiles[reminder.profile];
          if (profile) profile.reminded = { sentAt: ctx.deps.now().toISOString(), to: reminder.to, invitation: invitation.id, expiresAt: reminder.expiresAt };
        });
        outcomes.set(reminder.profile, { status: 'sent', invitation: invitation.id });
      }
      return { plan, outcomes, ...(failure ? { failure } : {}) };
    } finally {
      mailer.close();
    }
  });
}

