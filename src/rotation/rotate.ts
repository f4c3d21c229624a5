// Rotation of an app's client secret through Amazon's API, and reading the secret queue:
// `app rotate-secret` and `app watch-secrets` are thin commands over this module.
// Order (Amazon's lwa-rotation sample): grantless rotation token, POST -> 204, the new
// secret from the queue, stored and read back, and only then the message deleted.

import { ExitCode, FlowError, mostUrgent } from '../errors.js';
import { readConfig, type CommandContext } from '../context.js';
import type { Config } from '../config/config.js';
import { findApp } from '../config/lookup.js';
import { withRunLock } from '../config/run-lock.js';
import { formatDate } from '../dates.js';
import { lwaOptions, httpTimeoutMs, spApiOriginFor } from '../amazon/endpoints.js';
import { rotateApplicationClientSecret } from '../amazon/application-management.js';
import { grantlessToken } from '../secrets/grantless-token.js';
import { DEFAULT_WARN_DAYS, expiryState } from '../expiry.js';
import type { QueueMessage, SecretQueue } from './queue.js';
import { parseSecretQueueMessage } from './notifications.js';
import { appsWithClient, failureCode, recordExpiry, takeNewSecret, VISIBILITY_SECONDS } from './inbox.js';

/** SQS's longest long poll. */
const LONG_POLL_SECONDS = 20;
/** Rounds of "what is on the queue now" before a rotation starts: bounded, however busy the queue. */
const DRAIN_ROUNDS = 10;
/** Pause after a batch that held only others' messages (handed back, so they come straight back). */
const OTHERS_PAUSE_MS = 1000;

/** What to do with the messages of one read: `only` narrows new secrets to one app (rotate-secret). */
interface Policy {
  only?: string;
  /** watch-secrets: a secret-expiry notice is recorded and, with `rotate`, answered by a rotation. */
  expiry?: { rotate: boolean; waitSeconds: number };
  /** rotate-secret: the first failure ends the run (its message handed back first), not just its message. */
  failFast?: boolean;
}

interface BatchResult {
  /** Apps whose new secret was stored from this batch. */
  stored: string[];
  /** True when every message was someone else's, or already seen. */
  nothingForUs: boolean;
  exitCodes: ExitCode[];
}

/** Handles one batch of messages; a failure with one message is reported and the others still run. */
async function handleBatch(ctx: CommandContext, queue: SecretQueue, config: () => Promise<Config>, batch: QueueMessage[], policy: Policy, seen: Set<string>): Promise<BatchResult> {
  const result: BatchResult = { stored: [], nothingForUs: true, exitCodes: [] };
  for (const message of batch) {
    const firstTime = !seen.has(message.id);
    seen.add(message.id);
    const notice = parseSecretQueueMessage(message.body);
    const apps = notice.type === 'other' || notice.clientId === undefined ? [] : appsWithClient(await config(), notice.clientId);
    const ours = notice.type === 'new-secret' ? (policy.only ? apps.filter((app) => app === policy.only) : apps) : notice.type === 'secret-expiry' && policy.expiry ? apps : [];
    if (ours.length === 0) {
      if (firstTime && notice.type === 'other' && notice.problem && apps.length) {
        ctx.out.problem(`a ${notice.notificationType} message for app ${apps.join(', ')} cannot be used: ${notice.problem}; left on the queue`);
        result.exitCodes.push(ExitCode.AMAZON_UNAVAILABLE);
      }
      await queue.release(message).catch(() => {});
      continue;
    }
    result.nothingForUs = false;
    try {
      if (notice.type === 'new-secret') {
        await takeNewSecret(ctx, queue, message, notice, ours);
        result.stored.push(...ours);
      } else if (notice.type === 'secret-expiry') {
        result.exitCodes.push(await answerExpiry(ctx, queue, message, notice, ours, policy.expiry!, config, result));
      }
    } catch (error) {
      // Visible again at once: the next run (or watch-secrets) stores it.
      await queue.release(message).catch(() => {});
      if (policy.failFast) throw error;
      const { message: text, hint } = error as { message: string; hint?: string };
      ctx.out.problem(text, hint);
      result.exitCodes.push(failureCode(error));
    }
  }
  return result;
}

/** A secret-expiry notice: record the date; with --rotate, rotate (the message stays until that worked). */
async function answerExpiry(
  ctx: CommandContext,
  queue: SecretQueue,
  message: QueueMessage,
  notice: Extract<ReturnType<typeof parseSecretQueueMessage>, { type: 'secret-expiry' }>,
  apps: string[],
  expiry: { rotate: boolean; waitSeconds: number },
  config: () => Promise<Config>,
  result: BatchResult,
): Promise<ExitCode> {
  const codes: ExitCode[] = [];
  for (const app of apps) {
    if (!(await recordExpiry(ctx, app, notice))) {
      ctx.out.info(`Skipped a secret-expiry notice for ${app} about a secret that was since replaced.`);
      continue;
    }
    const when = formatDate(notice.clientSecretExpiryTime, ctx.deps.now());
    if (expiry.rotate) {
      ctx.out.info(`Amazon says the client secret of ${app} expires ${when}: rotating it now.`);
      const outcome = await rotateSecret(ctx, app, queue, { waitSeconds: expiry.waitSeconds });
      if (outcome !== 'no-rotation') result.stored.push(app);
      codes.push(ExitCode.OK);
    } else {
      const state = expiryState(notice.clientSecretExpiryTime, ctx.deps.now(), DEFAULT_WARN_DAYS);
      ctx.out.warn(`the client secret of app ${app} expires ${when} (Amazon's notice); rotate it: amz-token app rotate-secret ${app}`);
      codes.push(state === 'expired' ? ExitCode.APP_REJECTED : state === 'expiring' ? ExitCode.EXPIRING : ExitCode.OK);
    }
  }
  await queue.delete(message).catch((error: Error) => ctx.out.warn(`warning: could not remove the secret-expiry message from the queue (${error.message})`));
  return mostUrgent(codes);
}

/** Reads the config anew each time: a secret stored a moment ago changed it. */
function configReader(ctx: CommandContext): () => Promise<Config> {
  return () => readConfig(ctx);
}

/**
 * Rotates `app`'s client secret and stores the new one from `queue`. If a new secret of an
 * earlier rotation is still waiting on the queue, that one is stored instead and no rotation
 * starts: one rotation at a time. Throws (exit 6) when the new secret does not arrive in time.
 */
export async function rotateSecret(ctx: CommandContext, app: string, queue: SecretQueue, opts: { waitSeconds: number }): Promise<'rotated' | 'finished-earlier' | 'no-rotation'> {
  // Two rotations of one app at once (two cron jobs, an operator beside watch-secrets --rotate) would
  // each see an empty queue and each start one: Amazon would then hand out two secrets.
  const busy = (pid: number, lockFile: string) =>
    new FlowError(
      `another amz-token rotation of app ${app} is running${pid ? ` (pid ${pid})` : ''}; its lock is ${lockFile}`,
      'let it finish: it stores the new secret; if no amz-token is running, delete that file',
    );
  return withRunLock(ctx.deps.configDir, `rotate-${app}`, busy, () => rotateUnlocked(ctx, app, queue, opts));
}

async function rotateUnlocked(ctx: CommandContext, app: string, queue: SecretQueue, opts: { waitSeconds: number }): Promise<'rotated' | 'finished-earlier' | 'no-rotation'> {
  const config = configReader(ctx);
  const seen = new Set<string>();
  for (let round = 0; round < DRAIN_ROUNDS; round++) {
    const batch = await queue.receive({ waitSeconds: 1, visibilitySeconds: VISIBILITY_SECONDS });
    const unseen = batch.some((m) => !seen.has(m.id));
    const result = await handleBatch(ctx, queue, config, batch, { only: app, failFast: true }, seen);
    if (result.exitCodes.some((code) => code !== ExitCode.OK)) throw new FlowError(`not rotating app ${app}: its queue holds a message that could not be handled (above)`);
    if (result.stored.includes(app)) {
      ctx.out.info(`A new secret of an earlier rotation of ${app} was waiting on the queue and is now stored; no second rotation started.`);
      return 'finished-earlier';
    }
    if (batch.length === 0 || !unseen) break;
  }

  const latest = await config();
  const { clientId } = findApp(latest, app);
  const token = await grantlessToken(ctx.deps, latest, app, 'rotation', { lwa: lwaOptions(ctx.deps.env), warn: (line) => ctx.out.warn(line) });
  await rotateApplicationClientSecret({ origin: spApiOriginFor(ctx.deps.env, 'na'), timeoutMs: httpTimeoutMs(ctx.deps.env), app }, token.accessToken);
  ctx.out.info(`Amazon is rotating the client secret of ${app} (${clientId}); waiting up to ${opts.waitSeconds} s for the new secret on the queue...`);

  const deadline = AbortSignal.timeout(opts.waitSeconds * 1000);
  const endsAt = performance.now() + opts.waitSeconds * 1000;
  while (!deadline.aborted) {
    // Each long poll ends on its own within the time left; it is never aborted. An aborted poll
    // lives on at the server, which may hand it our message after we stopped listening: the
    // message would then stay hidden (VISIBILITY_SECONDS) from the next run, which might start
    // a second rotation instead of storing it.
    const remaining = Math.max(1, Math.min(LONG_POLL_SECONDS, Math.floor((endsAt - performance.now()) / 1000)));
    const batch = await queue.receive({ waitSeconds: remaining, visibilitySeconds: VISIBILITY_SECONDS });
    const result = await handleBatch(ctx, queue, config, batch, { only: app, failFast: true }, seen);
    if (result.stored.includes(app)) return 'rotated';
    if (batch.length > 0 && result.nothingForUs) await pause(OTHERS_PAUSE_MS, deadline);
    if (performance.now() >= endsAt) break;
  }
  throw new FlowError(
    `Amazon rotated the client secret of ${app}, but the new secret did not arrive on the queue within ${opts.waitSeconds} s; the stored secret is unchanged`,
    `the old secret keeps working for 7 days; store the new one when it arrives: amz-token app watch-secrets --once`,
  );
}

export interface WatchOptions {
  once: boolean;
  rotate: boolean;
  waitSeconds: number;
  /** SIGTERM/SIGINT: ends the long poll (watch without --once). */
  stop: AbortSignal;
}

/** Reads the queue: --once until nothing new is there, else until `stop`. Returns the most urgent exit code met. */
export async function watchQueue(ctx: CommandContext, queue: SecretQueue, opts: WatchOptions): Promise<ExitCode> {
  const config = configReader(ctx);
  const seen = new Set<string>();
  const codes: ExitCode[] = [];
  let stored = 0;
  while (!opts.stop.aborted) {
    const batch = await queue.receive({ waitSeconds: opts.once ? 1 : LONG_POLL_SECONDS, visibilitySeconds: VISIBILITY_SECONDS, stop: opts.stop });
    const unseen = batch.some((m) => !seen.has(m.id));
    const result = await handleBatch(ctx, queue, config, batch, { expiry: { rotate: opts.rotate, waitSeconds: opts.waitSeconds } }, seen);
    codes.push(...result.exitCodes);
    stored += result.stored.length;
    if (opts.once && (batch.length === 0 || !unseen)) break;
    if (batch.length > 0 && result.nothingForUs) await pause(opts.once ? OTHERS_PAUSE_MS / 4 : OTHERS_PAUSE_MS * 5, opts.stop);
  }
  if (opts.once && stored === 0 && codes.length === 0) ctx.out.info(`Nothing on ${queue.url} for the apps of this config.`);
  return mostUrgent(codes);
}

function pause(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    stop.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      stop.removeEventListener('abort', done);
      resolve();
    }
  });
}

