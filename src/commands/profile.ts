// `amz-token profile set|show NAME`: what the operator keeps about a profile's seller besides the
// authorization (a mail address and the language of the mail `remind` sends), and one profile
// shown whole: authorization, contact, last reminder, pending invitation.

import { Option } from '@commander-js/extra-typings';
import { ExitCode, UsageError } from '../errors.js';
import { configFile } from '../config/config.js';
import { findProfile } from '../config/lookup.js';
import { emailAddress, LANGUAGES, type Contact, type Language } from '../config/contact.js';
import { pendingInvitations } from '../config/invitations.js';
import { readConfig, type CommandContext } from '../context.js';
import { daysLeft } from '../expiry.js';
import { formatDate } from '../dates.js';
import { profileName } from '../validate.js';
import { helpFooter } from './help.js';
import type { CommandLine, Program } from './command-line.js';

const { OK, USAGE, NOT_FOUND, STORE_UNAVAILABLE } = ExitCode;
export const PROFILE_EXIT_CODES = { set: [OK, USAGE, NOT_FOUND, STORE_UNAVAILABLE], show: [OK, USAGE, NOT_FOUND] } as const;

export interface ProfileSetOptions {
  profile: string;
  /** An address, false for --no-email, undefined to keep it. */
  email?: string | false;
  language?: Language;
}

export async function runProfileSet(ctx: CommandContext, opts: ProfileSetOptions): Promise<ExitCode> {
  if (opts.email === undefined && opts.language === undefined) throw new UsageError('nothing to set: give --email ADDR, --no-email or --language');
  if (opts.email === false && opts.language !== undefined) throw new UsageError('--no-email removes the contact, language included; leave out --language');
  const { updateConfig } = await import('../config/config.js');
  const [before, after] = await updateConfig(ctx.deps.configDir, (config): [Contact | undefined, Contact | undefined] => {
    const profile = findProfile(config, opts.profile);
    const previous = profile.contact;
    if (opts.email === false) {
      delete profile.contact;
      return [previous, undefined];
    }
    const email = opts.email ?? previous?.email;
    if (email === undefined) throw new UsageError(`profile "${opts.profile}" has no mail address yet: give --email ADDR with --language`);
    profile.contact = { email, language: opts.language ?? previous?.language ?? 'en' };
    return [previous, profile.contact];
  });
  if (ctx.global.json) ctx.out.json({ profile: opts.profile, contact: after ?? null, previous: before ?? null });
  else ctx.out.info(`${opts.profile}: contact ${describe(before)} -> ${describe(after)} (in ${configFile(ctx.deps.configDir)})`);
  return OK;
}

const describe = (contact: Contact | undefined) => (contact ? `${contact.email} (${contact.language})` : '(none)');

export async function runProfileShow(ctx: CommandContext, opts: { profile: string }): Promise<ExitCode> {
  const config = await readConfig(ctx);
  const profile = findProfile(config, opts.profile);
  const now = ctx.deps.now();
  const invitation = pendingInvitations(config, now).get(opts.profile);
  const days = daysLeft(new Date(profile.expiresAt), now);
  if (ctx.global.json) {
    ctx.out.json({ profile: opts.profile, ...profile, daysLeft: days, contact: profile.contact ?? null, reminded: profile.reminded ?? null, invitation: invitation ?? null });
    return OK;
  }
  const when = (iso: string) => formatDate(new Date(iso), now);
  const rows: Array<[string, string]> = [
    ['profile', opts.profile],
    ['app', profile.app],
    ['seller', `${profile.sellingPartnerId} (${profile.marketplace}, ${profile.region}${profile.role === 'vendor' ? ', vendor' : ''})`],
    ['authorized', profile.authorizedAt ? when(profile.authorizedAt) : '(unknown)'],
    ['expires', when(profile.expiresAt)],
    ['contact', describe(profile.contact)],
    ['last reminded', profile.reminded ? `${when(profile.reminded.sentAt)} to ${profile.reminded.to}` : '(never)'],
    ['invitation', invitation ? `${invitation.id}, pending until ${when(invitation.expiresAt)}` : '(none pending)'],
  ];
  const width = Math.max(...rows.map(([key]) => key.length));
  for (const [key, value] of rows) ctx.out.result(`${`${key}:`.padEnd(width + 2)}${value}`);
  return OK;
}

export function registerProfile(program: Program, line: CommandLine): void {
  const profile = program
    .command('profile')
    .description("what amz-token keeps about a profile's seller (mail address, language), and one profile shown whole")
    .addHelpText('after', helpFooter(['amz-token profile set shop-de --email ops@shop.example --language de', 'amz-token profile show shop-de'], [...new Set([...PROFILE_EXIT_CODES.set, ...PROFILE_EXIT_CODES.show])]));
  profile
    .command('set')
    .description("set the seller's mail address and language, for the reminders `amz-token remind` sends")
    .argument('<name>', 'the profile', (value) => profileName(value, 'profile name'))
    .addOption(new Option('--email <addr>', "the seller's mail address").argParser((value) => emailAddress(value)))
    .option('--no-email', 'remove the address: no reminder is mailed for this profile')
    .addOption(new Option('--language <lang>', 'the language of the mail (kept when not given; en for a new address)').choices(LANGUAGES))
    .addHelpText('after', helpFooter(['amz-token profile set shop-de --email ops@shop.example --language de', 'amz-token profile set shop-de --no-email'], PROFILE_EXIT_CODES.set))
    .action((name, flags) => {
      const email = flags.email as string | boolean | undefined;
      const options: ProfileSetOptions = {
        profile: name,
        ...(typeof email === 'string' ? { email } : email === false ? { email: false as const } : {}),
        ...(flags.language !== undefined ? { language: flags.language } : {}),
      };
      line.choose('profile set', options, runProfileSet);
    });
  profile
    .command('show')
    .description('show one profile: its authorization, contact, last reminder and pending invitation')
    .argument('<name>', 'the profile', (value) => profileName(value, 'profile name'))
    .addHelpText('after', helpFooter(['amz-token profile show shop-de', 'amz-token profile show shop-de --json'], PROFILE_EXIT_CODES.show))
    .action((name) => line.choose('profile show', { profile: name }, runProfileShow));
}
