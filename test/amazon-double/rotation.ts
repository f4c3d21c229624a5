// The Application Management API as the double implements it: rotateApplicationClientSecret
// (POST /applications/2023-11-30/clientSecret), which answers 204 and then puts Amazon's
// APPLICATION_OAUTH_CLIENT_NEW_SECRET notification on the app's registered SQS queue, through
// the real @aws-sdk/client-sqs. Payloads are exactly those of Amazon's lwa-rotation sample.
import { randomBytes, randomUUID } from 'node:crypto';
import type { DoubleApp } from './types.js';

export const ROTATION_PATH = '/applications/2023-11-30/clientSecret';
/** After a rotation the old secret keeps working this long (SPAPI.md). */
export const OLD_SECRET_GRACE_MS = 7 * 24 * 60 * 60 * 1000;
export const SECRET_LIFETIME_MS = 180 * 24 * 60 * 60 * 1000;

export const NOT_ENROLLED = {
  errors: [
    {
      code: 'InvalidInput',
      message: 'Application is not enrolled for rotation notification. Please update application notification preference in Developer console.',
    },
  ],
};
export const QUOTA_EXCEEDED = { errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.' }] };

export function newClientSecret(): string {
  return `amzn1.oa2-cs.v1.${randomBytes(32).toString('hex')}`;
}

function metadata(app: DoubleApp, at: number) {
  return {
    applicationId: app.applicationId,
    subscriptionId: randomUUID(),
    publishTime: new Date(at).toISOString(),
    notificationId: randomUUID(),
  };
}

/** The notification body, as in use-cases/lwa-rotation/docs/DEPLOYMENT.md. */
export function newSecretNotification(app: DoubleApp, secret: string, newExpiry: number, oldExpiry: number, at: number): string {
  return JSON.stringify({
    notificationVersion: '1.0',
    notificationType: 'APPLICATION_OAUTH_CLIENT_NEW_SECRET',
    payloadVersion: '2023-11-30',
    eventTime: new Date(at).toISOString(),
    payload: {
      applicationOAuthClientNewSecret: {
        clientId: app.clientId,
        newClientSecret: secret,
        newClientSecretExpiryTime: new Date(newExpiry).toISOString(),
        oldClientSecretExpiryTime: new Date(oldExpiry).toISOString(),
      },
    },
    notificationMetadata: metadata(app, at),
  });
}

export function secretExpiryNotification(app: DoubleApp, expiry: number, at: number): string {
  return JSON.stringify({
    notificationVersion: '1.0',
    notificationType: 'APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY',
    payloadVersion: '2023-11-30',
    eventTime: new Date(at).toISOString(),
    payload: {
      applicationOAuthClientSecretExpiry: {
        clientId: app.clientId,
        clientSecretExpiryTime: new Date(expiry).toISOString(),
        clientSecretExpiryReason: 'PERIODIC_ROTATION',
      },
    },
    notificationMetadata: metadata(app, at),
  });
}

/** Sends a message body to a queue with the real SQS client (dummy credentials; the endpoint is the queue URL's origin). */
export async function sendToQueue(queueUrl: string, body: string): Promise<void> {
  // The SDK's Node-version warning is about the test process's Node, not about anything tested.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { SQSClient, SendMessageCommand } = await import('@aws-sdk/client-sqs');
  const client = new SQSClient({
    region: 'us-east-1',
    endpoint: new URL(queueUrl).origin,
    credentials: { accessKeyId: 'amazon-double', secretAccessKey: 'amazon-double' },
  });
  try {
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  } finally {
    client.destroy();
  }
}
