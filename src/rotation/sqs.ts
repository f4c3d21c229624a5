// The real secret queue: Amazon SQS through @aws-sdk/client-sqs, with the SDK's own
// credential chain and settings (AWS_PROFILE, AWS_ACCESS_KEY_ID..., AWS_REGION,
// AWS_ENDPOINT_URL_SQS). Loaded only by the rotation commands: the SDK is large.
// Every AWS failure becomes one line naming what to fix.

import { AmazonUnavailableError, AmzTokenError, StoreUnavailableError } from '../errors.js';
import { queueRegion } from '../validate.js';
import { describeNetworkError } from '../amazon/http.js';
import type { QueueMessage, ReceiveOptions, SecretQueue } from './queue.js';

type Env = Readonly<Record<string, string | undefined>>;

export async function openSqsQueue(url: string, env: Env): Promise<SecretQueue> {
  const sdk = await import('@aws-sdk/client-sqs');
  const region = queueRegion(url) ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
  if (!region) {
    throw new StoreUnavailableError(`the queue URL ${url} names no AWS region`, 'set AWS_REGION to the queue\'s region');
  }
  // The SDK sends each call to the QueueUrl's own host; AWS_ENDPOINT_URL_SQS (a local server) still wins.
  const client = new sdk.SQSClient({ region, maxAttempts: 3 });
  const call = async <T>(what: string, send: () => Promise<T>): Promise<T> => {
    try {
      return await send();
    } catch (error) {
      throw sqsError(error, url, what);
    }
  };
  return {
    url,
    async check() {
      await call('read its attributes', () => client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })));
    },
    async policy() {
      const reply = await call('read its policy', () => client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] })));
      return reply.Attributes?.Policy;
    },
    async receive(options: ReceiveOptions): Promise<QueueMessage[]> {
      const reply = await call('receive messages', () =>
        client.send(
          new sdk.ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: options.waitSeconds,
            VisibilityTimeout: options.visibilitySeconds,
          }),
          options.stop ? { abortSignal: options.stop } : {},
        ),
      ).catch((error: unknown) => {
        if (options.stop?.aborted) return { Messages: [] };
        throw error;
      });
      return (reply.Messages ?? []).flatMap((m) => (m.ReceiptHandle && m.Body !== undefined ? [{ id: m.MessageId ?? '', body: m.Body, receiptHandle: m.ReceiptHandle }] : []));
    },
    async delete(message) {
      await call('delete a message', () => client.send(new sdk.DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.receiptHandle })));
    },
    async release(message) {
      await call('hand a message back', () =>
        client.send(new sdk.ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: message.receiptHandle, VisibilityTimeout: 0 })),
      );
    },
    close() {
      client.destroy();
    },
  };
}

/** An AWS failure as one line: what is wrong, and what to fix. Never the request (it may hold a receipt handle or a secret). */
export function sqsError(error: unknown, url: string, what: string): AmzTokenError {
  if (error instanceof AmzTokenError) return error;
  const e = error as { name?: string; Code?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? '';
  const code = e?.Code ?? '';
  const text = `${name} ${code} ${e?.message ?? ''}`;
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(text)) {
    return new StoreUnavailableError('no AWS credentials found for the secret queue', 'set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, for an identity that may read the queue');
  }
  if (/QueueDoesNotExist|NonExistentQueue/.test(text)) {
    return new StoreUnavailableError(`the secret queue ${url} does not exist`, 'check the URL (AWS console > SQS > the queue > URL), its region and the AWS account of your credentials');
  }
  if (/AccessDenied|NotAuthorized|AuthorizationError/.test(text)) {
    return new StoreUnavailableError(`AWS denied access to the secret queue ${url} (could not ${what})`, 'allow this identity sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility and sqs:GetQueueAttributes on the queue (and kms:Decrypt on its key)');
  }
  if (/InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch|ExpiredToken|InvalidAccessKeyId/.test(text)) {
    return new StoreUnavailableError(`AWS rejected the credentials for the secret queue (${name || code})`, 'check AWS_PROFILE or the access keys (they may have expired)');
  }
  const status = e?.$metadata?.httpStatusCode;
  if (status === undefined || status >= 500 || /Throttl|RequestThrottled|TimeoutError|ECONN|ENOTFOUND|EAI_AGAIN/.test(text)) {
    return new AmazonUnavailableError(`Amazon SQS is unreachable or failing: could not ${what} (${status ? `HTTP ${status}` : describeNetworkError(error)})`, 'check the network, or retry later');
  }
  return new StoreUnavailableError(`Amazon SQS refused to ${what} on ${url} (${name || code || `HTTP ${status}`})`);
}
