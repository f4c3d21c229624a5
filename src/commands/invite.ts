// `amz-token invite`: invitation links for sellers who confirm far from the
// operator's terminal (served by `amz-token serve`). One for a profile's
// renewal or a new seller, one per expiring profile for a mail merge, and the
// list and revoke of what was sent. The signing (src/serve/) loads only when run.

import { Option } from '@commander-js/extra-typings';
import { ExitCode, NotFoundError, UsageError } from '../errors.js';
import type { Role } from '../config/config.js';
import { invitationState } from '../config/invitations.js';
import { readConfig, type CommandContext } from '../context.js';
import { DEFAULT_WARN_DAYS, expiryState } from '../expiry.js';
import type { Marketplace } from '../amazon/marketplaces.js';
import { table } from '../output.js';
import * as validate from '../validate.js';
import { helpFooter } from './help.js';
import { requiredProfile, type CommandLine, type Program } from './command-line.js';
import { appNameOf, wholeNumber } from './options.js';
import { emailAddress, LANGUAGES, type Contact } from '../config/contact.js';

const { OK, USAGE, NOT_FOUND, STORE_UNAVAILABLE } = ExitCode;
export const INVITE_EXIT_CODES = {
  invite: [OK, USAGE, NOT_FOUND, STORE_UNAVAILABLE],
  list: [OK, USAGE],
  revoke: [OK, USAGE, NOT_FOUND, STORE_UNAVAILABLE],
} as const;
const DEFAULT_EXPIRES_IN_DAYS = 7;

export interface InviteOptions {
  profile?: string;
  app?: string;
  marketplace?: Marketplace;
  vendor: boolean;
  /** New seller: the address (and language) the new profile keeps, for `remind`. */
  contact?: Contact;
  baseUrl?: string;
  expiresInDays: number;
  /** --expiring: one link per profile that lapses within warnDays. */
  expiring?: { warnDays: number; format: 'table' | 'csv' | 'json' };
}

/** What --json and the bulk formats show of one invitation. */
interface InvitationRow {
  url: string;
  id: string;
  profile: string;
  kind: string;
  app: string;
  marketplace: string;
  role: Role;
  expiresAt: string;
  sellingPartnerId?: string;
  authorizationExpiresAt?: string;
}

async function links(ctx: CommandContext, opts: Pick<InviteOptions, 'baseUrl' | 'expiresInDays'>, wanted: Array<{ profile: string; kind: 'renewal' | 'new-seller'; app?: string; marketplace?: string; role?: Role; contact?: Contact }>) {
  const config = await readConfig(ctx);
  const { chooseBaseUrl } = await import('../serve/base-url.js');
  const base = chooseBaseUrl(opts.baseUrl, ctx.deps.env, config);
  // The key first: a store that cannot be read (8) leaves no record behind.
  const { signer, signingKey } = await import('../serve/signing.js');
  const sign = signer(await signingKey(await ctx.deps.secretStore(), ctx.deps.randomBytes));
  const { addInvitations, invitationLink } = await import('../serve/invitations.js');
  const made = await addInvitations(ctx.deps.configDir, wanted.map((w) => ({ ...w, expiresInDays: opts.expiresInDays })), ctx.deps.now(), ctx.deps.randomBytes);
  return made.map(({ id, record }): InvitationRow => ({
    url: invitationLink(sign, base, id, record),
    id,
    profile: record.profile,
    kind: record.kind,
    app: record.app,
    marketplace: record.marketplace,
    role: record.role,
    expiresAt: record.expiresAt,
    ...(config.profiles[record.profile] ? { sellingPartnerId: config.profiles[record.profile]!.sellingPartnerId, authorizationExpiresAt: config.profiles[record.profile]!.expiresAt } : {}),
  }));
}

export async function runInvite(ctx: CommandContext, opts: InviteOptions): Promise<ExitCode> {
  if (opts.expiring) return runInviteExpiring(ctx, opts, opts.expiring);
  if (!opts.profile) throw new UsageError('invite needs --profile <name> (or --expiring)');
  const newSeller = opts.app !== undefined || opts.marketplace !== undefined;
  if (newSeller && (opts.app === undefined || opts.marketplace === undefined)) throw new UsageError('a new seller\'s invitation needs both --app and --marketplace');
  if (opts.vendor && !newSeller) throw new UsageError('--vendor goes with --app and --marketplace (a renewal keeps the profile\'s role)');
  if (opts.contact && !newSeller) throw new UsageError('--email goes with a new seller\'s invitation', `for a profile that exists: amz-token profile set ${opts.profile} --email ADDR`);
  const role: Role = opts.vendor ? 'vendor' : 'seller';
  if (opts.marketplace && role === 'vendor' && !opts.marketplace.vendorCentral && !ctx.deps.env.AMZ_TOKEN_CENTRAL_URL) {
    throw new UsageError(`marketplace ${opts.marketplace.code} has no Vendor Central`);
  }
  const [row] = await links(ctx, opts, [
    newSeller ? { profile: opts.profile, kind: 'new-seller', app: opts.app!, marketplace: opts.marketplace!.code, role, ...(opts.contact ? { contact: opts.contact } : {}) } : { profile: opts.profile, kind: 'renewal' },
  ]);
  if (ctx.global.json) {
    ctx.out.json(row);
    return OK;
  }
  ctx.out.info(`Invitation ${row!.id} for ${row!.profile} (${row!.kind === 'renewal' ? 'renewal' : `new ${role}, ${row!.marketplace}`}): works once, until ${row!.expiresAt.slice(0, 10)}. Send the seller:`);
  ctx.out.result(row!.url);
  return OK;
}

async function runInviteExpiring(ctx: CommandContext, opts: InviteOptions, expiring: NonNullable<InviteOptions['expiring']>): Promise<ExitCode> {
  if (opts.profile || opts.app || opts.marketplace || opts.contact) throw new UsageError('--expiring makes links for every expiring profile; leave out --profile, --app, --marketplace and --email');
  const config = await readConfig(ctx);
  const now = ctx.deps.now();
  const due = Object.entries(config.profiles)
    .filter(([, p]) => expiryState(new Date(p.expiresAt), now, expiring.warnDays) !== 'ok')
    .sort(([, a], [, b]) => a.expiresAt.localeCompare(b.expiresAt))
    .map(([profile]) => ({ profile, kind: 'renewal' as const }));
  const rows = due.length === 0 ? [] : await links(ctx, opts, due);
  const format = ctx.global.json ? 'json' : expiring.format;
  if (format === 'json') {
    ctx.out.json(rows);
  } else if (format === 'csv') {
    const columns = ['profile', 'sellingPartnerId', 'marketplace', 'authorizationExpiresAt', 'url', 'expiresAt', 'id'] as const;
    ctx.out.result(columns.join(','));
    for (const row of rows) ctx.out.result(columns.map((c) => csvCell(row[c] ?? '')).join(','));
  } else if (rows.length > 0) {
    const lines = table([
      ['PROFILE', 'SELLER', 'MARKETPLACE', 'EXPIRES', 'LINK'],
      ...rows.map((r) => [r.profile, r.sellingPartnerId ?? '', r.marketplace, (r.authorizationExpiresAt ?? '').slice(0, 10), r.url]),
    ]);
    for (const line of lines) ctx.out.result(line);
  }
  ctx.out.info(rows.length === 0 ? `No authorization lapses within ${expiring.warnDays} days: no links made.` : `Made ${rows.length} invitation link${rows.length === 1 ? '' : 's'}, each working once until ${rows[0]!.expiresAt.slice(0, 10)}.`);
  return OK;
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export async function runInviteList(ctx: CommandContext): Promise<ExitCode> {
  const config = await readConfig(ctx);
  const now = ctx.deps.now();
  const rows = Object.entries(config.invitations ?? {})
    .sort(([, a], [, b]) => b.createdAt.localeCompare(a.createdAt))
    .map(([id, r]) => ({ id, profile: r.profile, kind: r.kind, app: r.app, marketplace: r.marketplace, role: r.role, state: invitationState(r, now), createdAt: r.createdAt, expiresAt: r.expiresAt, ...(r.usedAt ? { usedAt: r.usedAt } : {}), ...(r.revokedAt ? { revokedAt: r.revokedAt } : {}) }));
  if (ctx.global.json) {
    ctx.out.json(rows);
    return OK;
  }
  if (rows.length === 0) {
    ctx.out.info('No invitations. Make one with: amz-token invite --profile NAME');
    return OK;
  }
  const lines = table(
    [['ID', 'PROFILE', 'KIND', 'STATE', 'EXPIRES'], ...rows.map((r) => [r.id, r.profile, r.kind, r.state, r.expiresAt.slice(0, 10)])],
    ctx.out.width ? { maxWidth: ctx.out.width } : {},
  );
  for (const line of lines) ctx.out.result(line);
  return OK;
}

export async function runInviteRevoke(ctx: CommandContext, id: string): Promise<ExitCode> {
  const { updateConfig } = await import('../config/config.js');
  const now = ctx.deps.now();
  const state = await updateConfig(ctx.deps.configDir, (config) => {
    const record = config.invitations?.[id];
    if (!record) throw new NotFoundError(`no invitation "${id}"`, 'list them with: amz-token invite list');
    const before = invitationState(record, now);
    if (before === 'pending' || before === 'expired') record.revokedAt ??= now.toISOString();
    return before;
  });
  if (state === 'used') ctx.out.warn(`invitation ${id} was used already: nothing to withdraw (the authorization it brought stays)`);
  else if (state === 'revoked') ctx.out.info(`Invitation ${id} was withdrawn already.`);
  else ctx.out.info(`Withdrew invitation ${id}: its link now shows "ask for a new link".`);
  return OK;
}

function invitationId(value: string): string {
  if (!/^[A-Za-z0-9_-]{16}$/.test(value)) throw new UsageError(`an invitation id is 16 letters, digits, - or _, got "${value.slice(0, 40)}"`, 'list them with: amz-token invite list');
  return value;
}

export function registerInvite(program: Program, line: CommandLine): void {
  const invite = program
    .command('invite')
    .description('make an invitation link a seller opens to authorize (or renew) through amz-token serve')
    .addOption(new Option('--app <name>', 'new seller: the app to authorize').argParser(appNameOf('--app')))
    .addOption(new Option('--marketplace <cc>', 'new seller: marketplace country code, e.g. DE').argParser((value) => validate.marketplace(value)))
    .option('--vendor', 'new seller: Vendor Central instead of Seller Central')
    .addOption(new Option('--email <addr>', "new seller: the seller's mail address, kept on the new profile for amz-token remind").argParser((value) => emailAddress(value)))
    .addOption(new Option('--language <lang>', 'with --email: the language of reminder mail (default en)').choices(LANGUAGES))
    .option('--base-url <url>', 'where amz-token serve answers (env: AMZ_TOKEN_BASE_URL; config: "baseUrl")')
    .addOption(new Option('--expires-in <days>', 'the link works until this many days from now').argParser(wholeNumber('--expires-in', 1, 90)).default(DEFAULT_EXPIRES_IN_DAYS))
    .option('--expiring', 'one link per profile whose authorization lapses within --warn-days (for a mail merge)')
    .addOption(new Option('--warn-days <n>', 'with --expiring: the window').argParser(wholeNumber('--warn-days', 0, 365)).default(DEFAULT_WARN_DAYS))
    .addOption(new Option('--format <format>', 'with --expiring: what stdout carries').choices(['table', 'csv', 'json'] as const).default('table' as const))
    .addHelpText(
      'after',
      helpFooter(
        [
          'amz-token invite --profile shop-de',
          'amz-token invite --profile new-shop --app my-app --marketplace FR --expires-in 14 --json',
          'amz-token invite --profile new-shop --app my-app --marketplace DE --email ops@shop.example --language de',
          'amz-token invite --expiring --warn-days 45 --format csv > renewals.csv',
          'amz-token invite list',
          'amz-token invite revoke Zq3x9Kd0aB1cD2eF',
        ],
        INVITE_EXIT_CODES.invite,
      ),
    )
    .action((flags) => {
      const options: InviteOptions = {
        vendor: flags.vendor === true,
        expiresInDays: flags.expiresIn,
        ...(flags.expiring ? { expiring: { warnDays: flags.warnDays, format: flags.format } } : { profile: requiredProfile(line) }),
        ...(flags.app !== undefined ? { app: flags.app } : {}),
        ...(flags.marketplace !== undefined ? { marketplace: flags.marketplace } : {}),
        ...(flags.baseUrl !== undefined ? { baseUrl: flags.baseUrl } : {}),
        ...(flags.email !== undefined ? { contact: { email: flags.email, language: flags.language ?? 'en' } } : {}),
      };
      if (flags.language !== undefined && flags.email === undefined) throw new UsageError('--language goes with --email');
      if (flags.expiring && line.global().profile) throw new UsageError('--expiring makes links for every expiring profile; leave out --profile');
      line.choose('invite', options, runInvite);
    });
  invite
    .command('list')
    .description('show pending, used, expired and withdrawn invitations')
    .addHelpText('after', helpFooter(['amz-token invite list', 'amz-token invite list --json'], INVITE_EXIT_CODES.list))
    .action(() => line.choose('invite list', {}, (ctx) => runInviteList(ctx)));
  invite
    .command('revoke')
    .description('withdraw an invitation: its link stops working')
    .argument('<id>', 'the invitation id (invite list shows it)', invitationId)
    .addHelpText('after', helpFooter(['amz-token invite revoke Zq3x9Kd0aB1cD2eF'], INVITE_EXIT_CODES.revoke))
    .action((id) => line.choose('invite revoke', { id }, (ctx, o) => runInviteRevoke(ctx, o.id)));
}
