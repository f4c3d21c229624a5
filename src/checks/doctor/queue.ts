// doctor's check of an app's secret queue: it answers through the AWS SDK with this
// machine's AWS settings (the rotation code's own queue, src/rotation/sqs.ts), and its
// policy lets Amazon's notification account send, without which new secrets never arrive.

import { AmzTokenError, ExitCode } from '../../errors.js';
import type { Deps } from '../../deps.js';
import { failure, ok, type Finding } from './finding.js';
import { within } from './bounded.js';

/** Amazon's account that sends SP-API notifications (docs/rotation.md). */
export const AMAZON_NOTIFICATIONS_ACCOUNT = '437568002678';
/** The SDK makes 3 attempts; a queue that hangs must not hold doctor longer than this. */
const QUEUE_CHECK_MS = 20_000;

export async function checkQueue(deps: Deps, app: string, url: string): Promise<Finding[]> {
  const subject = `app ${app}`;
  const work = (async () => {
    const queue = await deps.secretQueue(url);
    try {
      await queue.check();
      return await queue.policy?.();
    } finally {
      queue.close();
    }
  })();
  let policy: string | undefined;
  try {
    policy = await within(work, QUEUE_CHECK_MS, () => new AmzTokenError(`the secret queue ${url} did not answer within ${QUEUE_CHECK_MS / 1000} s`, ExitCode.AMAZON_UNAVAILABLE));
  } catch (error) {
    const e = error instanceof AmzTokenError ? error : undefined;
    return [failure('app.queue', subject, e?.message ?? `the secret queue ${url} failed: ${String((error as Error)?.message ?? error).split('\n')[0]}`, e?.exitCode ?? ExitCode.STORE_UNAVAILABLE, e?.hint ?? 'docs/rotation.md, "One-time setup"')];
  }
  const findings = [ok('app.queue', subject, `the secret queue ${url} answers with this machine's AWS settings`)];
  const policyFix = `let ${AMAZON_NOTIFICATIONS_ACCOUNT} sqs:SendMessage and sqs:GetQueueAttributes: aws sqs set-queue-attributes --queue-url ${url} --attributes file://policy.json (docs/rotation.md has the policy)`;
  if (policy === undefined || policy === '') {
    findings.push(failure('app.queue-policy', subject, `the secret queue has no access policy: Amazon (account ${AMAZON_NOTIFICATIONS_ACCOUNT}) cannot send the new secret to it`, ExitCode.STORE_UNAVAILABLE, policyFix));
  } else if (!policyLetsAmazonSend(policy)) {
    findings.push(failure('app.queue-policy', subject, `the secret queue's policy does not let Amazon (account ${AMAZON_NOTIFICATIONS_ACCOUNT}) send: new secrets would never arrive`, ExitCode.STORE_UNAVAILABLE, policyFix));
  } else findings.push(ok('app.queue-policy', subject, `the secret queue's policy lets Amazon (account ${AMAZON_NOTIFICATIONS_ACCOUNT}) send`));
  return findings;
}

interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  Action?: unknown;
}

/** An Allow statement whose principal covers Amazon's account and whose actions cover sqs:SendMessage. */
export function policyLetsAmazonSend(text: string): boolean {
  let policy: { Statement?: Statement | Statement[] };
  try {
    policy = JSON.parse(text);
  } catch {
    return false;
  }
  const statements = Array.isArray(policy?.Statement) ? policy.Statement : policy?.Statement ? [policy.Statement] : [];
  return statements.some((s) => s?.Effect === 'Allow' && coversAmazon(s.Principal) && coversSend(s.Action));
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

function coversAmazon(principal: unknown): boolean {
  if (principal === '*') return true;
  const aws = list((principal as { AWS?: unknown } | null)?.AWS);
  return aws.some((p) => p === '*' || p === AMAZON_NOTIFICATIONS_ACCOUNT || p === `arn:aws:iam::${AMAZON_NOTIFICATIONS_ACCOUNT}:root`);
}

function coversSend(action: unknown): boolean {
  return list(action).some((a) => typeof a === 'string' && ['*', 'sqs:*', 'sqs:sendmessage'].includes(a.toLowerCase()));
}
