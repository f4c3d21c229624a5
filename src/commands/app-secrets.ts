// `amz-token app rotate-secret` and `app watch-secrets`: client secrets that never lapse.
// The rotation itself, and what each queue message means, live in ../rotation/ (loaded
// lazily with the AWS SDK); here: flags, which queue, and the report.

import { Option } from '@commander-js/extra-typings';
import { ExitCode, mostUrgent, UsageError } from '../errors.js';
import { findApp } from '../config/lookup.js';
import { formatDate } from '../dates.js';
import { appSecretExpiry } from '../expiry.js';
import { queueUrl } from '../validate.js';
import { readConfig, type CommandContext } from '../context.js';
import { helpFooter } from './help.js';
import { appNameOf, wholeNumber } from './options.js';
import type { CommandLine, Program } from './command-line.js';

const { OK, USAGE, EXPIRING, NOT_FOUND, FLOW_NOT_COMPLETED, AMAZON_UNAVAILABLE, STORE_UNAVAILABLE, APP_REJECTED } = ExitCode;
export const SECRET_ROTATION_EXIT_CODES = {
  rotateSecret: [OK, USAGE, NOT_FOUND, FLOW_NOT_COMPLETED, AMAZON_UNAVAILABLE, STORE_UNAVAILABLE, APP_REJECTED],
  watchSecrets: [OK, USAGE, EXPIRING, NOT_FOUND, FLOW_NOT_COMPLETED, AMAZON_UNAVAILABLE, STORE_UNAVAILABLE, APP_REJECTED],
} as const;

/** How long rotate-secret waits for the new secret by default: Amazon usually sends it within a minute. */
const DEFAULT_WAIT_SECONDS = 300;
const MAX_WAIT_SECONDS = 3600;

export interface RotateSecretOptions {
  name: string;
  queueUrl?: string;
  waitSeconds: number;
}

export interface WatchSecretsOptions {
  queueUrl?: string;
  once: boolean;
  rotate: boolean;
  waitSeconds: number;
}

export async function runRotateSecret(ctx: CommandContext, opts: RotateSecretOptions): Promise<ExitCode> {
  const config = await readConfig(ctx);
  const app = findApp(config, opts.name);
  const url = opts.queueUrl ?? app.secretQueueUrl;
  if (!url) {
    throw new UsageError(`app ${opts.name} has no secret queue`, `pass --queue-url <url>, or save it once: amz-token app set ${opts.name} --secret-queue <url> (docs/rotation.md)`);
  }
  const queue = await ctx.deps.secretQueue(url);
  try {
    // Credentials, permission and the queue itself, before anything changes at Amazon.
    await queue.check();
    const { rotateSecret } = await import('../rotation/rotate.js');
    const outcome = await rotateSecret(ctx, opts.name, queue, { waitSeconds: opts.waitSeconds });
    const after = findApp(await readConfig(ctx), opts.name);
    const expires = appSecretExpiry(after);
    if (ctx.global.json) {
      ctx.out.json({
        app: opts.name,
        outcome,
        clientSecretExpiresAt: expires.toISOString(),
        oldClientSecretExpiresAt: after.oldClientSecretExpiresAt ?? null,
      });
    } else if (outcome === 'rotated') {
      const old = after.oldClientSecretExpiresAt ? ` The old secret works until ${formatDate(new Date(after.oldClientSecretExpiresAt), ctx.deps.now())}.` : '';
      ctx.out.info(`Rotated the client secret of ${opts.name}; the new one is stored and expires ${formatDate(expires, ctx.deps.now())}.${old}`);
    }
    return OK;
  } finally {
    queue.close();
  }
}

export async function runWatchSecrets(ctx: CommandContext, opts: WatchSecretsOptions): Promise<ExitCode> {
  const config = await readConfig(ctx);
  const urls = opts.queueUrl ? [opts.queueUrl] : [...new Set(Object.values(config.apps).flatMap((app) => (app.secretQueueUrl ? [app.secretQueueUrl] : [])))];
  if (urls.length === 0) {
    throw new UsageError('no secret queue to watch', 'pass --queue-url <url>, or save it on the app: amz-token app set <app> --secret-queue <url> (docs/rotation.md)');
  }
  if (!opts.once && urls.length > 1) {
    throw new UsageError(`the apps use ${urls.length} different secret queues; a watch without --once reads one`, 'pass --queue-url <url> (one watch per queue), or use --once from cron');
  }
  const { watchQueue } = await import('../rotation/rotate.js');
  const stopping = new AbortController();
  const restore = ctx.deps.onSignal(() => stopping.abort());
  const codes: ExitCode[] = [];
  try {
    for (const url of urls) {
      const queue = await ctx.deps.secretQueue(url);
      try {
        await queue.check();
        if (!opts.once) ctx.out.info(`Watching ${url} for new client secrets (Ctrl-C or SIGTERM stops)...`);
        codes.push(await watchQueue(ctx, queue, { once: opts.once, rotate: opts.rotate, waitSeconds: opts.waitSeconds, stop: stopping.signal }));
      } finally {
        queue.close();
      }
    }
  } finally {
    restore();
  }
  return mostUrgent(codes);
}

const queueOption = () => new Option('--queue-url <url>', "the SQS queue registered for the app's client-secret notifications (default: the one saved with app set --secret-queue)").argParser((v) => queueUrl(v));
const waitOption = () =>
  new Option('--wait <seconds>', `wait at most this long for the new secret on the queue (1-${MAX_WAIT_SECONDS})`)
    .argParser(wholeNumber('--wait', 1, MAX_WAIT_SECONDS))
    .default(DEFAULT_WAIT_SECONDS);

export function registerSecretRotation(app: Program, line: CommandLine): void {
  app
    .command('rotate-secret')
    .description("rotate the app's client secret through Amazon's API and store the new one from its SQS queue")
    .argument('<name>', 'the app whose secret to rotate', appNameOf('app name'))
    .addOption(queueOption())
    .addOption(waitOption())
    .addHelpText(
      'after',
      `
Asks Amazon for a new client secret (rotateApplicationClientSecret, with a
grantless token), receives it from the app's queue, stores it, and only then
removes the message. The old secret keeps working for seven days. If a new
secret of an earlier rotation still waits on the queue, that one is stored and
no second rotation starts. AWS credentials: the SDK's usual chain (AWS_PROFILE,
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_REGION). One-time setup: docs/rotation.md.
` +
        helpFooter(
          ['amz-token app rotate-secret my-app --queue-url https://sqs.eu-west-1.amazonaws.com/123456789012/amz-token-secrets', 'amz-token app rotate-secret my-app --wait 600'],
          SECRET_ROTATION_EXIT_CODES.rotateSecret,
        ),
    )
    .action((name, flags) =>
      line.choose('app rotate-secret', { name, waitSeconds: flags.wait, ...(flags.queueUrl ? { queueUrl: flags.queueUrl } : {}) }, runRotateSecret),
    );

  app
    .command('watch-secrets')
    .description('read the secret queue: store new client secrets, note (or with --rotate, act on) expiry notices')
    .addOption(queueOption())
    .option('--once', 'handle what is on the queue now, then exit (for cron)')
    .option('--rotate', "rotate an app's secret when Amazon says it expires soon")
    .addOption(waitOption())
    .addHelpText(
      'after',
      `
Stores each new secret (APPLICATION_OAUTH_CLIENT_NEW_SECRET) for an app of this
config, including rotations done in the Developer Console. A secret-expiry
notice is recorded (status shows the date) and, with --rotate, answered by a
rotation. Messages for client ids this config does not hold stay on the queue.
Without --once it long-polls until Ctrl-C or SIGTERM.
` +
        helpFooter(
          ['amz-token app watch-secrets --once --rotate   # daily from cron', 'amz-token app watch-secrets --queue-url https://sqs.eu-west-1.amazonaws.com/123456789012/amz-token-secrets'],
          SECRET_ROTATION_EXIT_CODES.watchSecrets,
        ),
    )
    .action((flags) =>
      line.choose(
        'app watch-secrets',
        { once: flags.once === true, rotate: flags.rotate === true, waitSeconds: flags.wait, ...(flags.queueUrl ? { queueUrl: flags.queueUrl } : {}) },
        runWatchSecrets,
      ),
    );
}
