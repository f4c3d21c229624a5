// Amazon's application notifications as they arrive on the secret queue: the SQS message
// body is the notification's JSON. Field names are matched case-insensitively, as Amazon's
// notifications guide asks (older notification types use PascalCase: NotificationType, Payload).
// Pure: the message body in, what it says out.

export const NEW_SECRET = 'APPLICATION_OAUTH_CLIENT_NEW_SECRET';
export const SECRET_EXPIRY = 'APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY';

export interface NewSecretNotice {
  type: 'new-secret';
  clientId: string;
  /** The secret itself: goes to the store and nowhere else. */
  newClientSecret: string;
  newClientSecretExpiryTime: Date;
  oldClientSecretExpiryTime?: Date;
  eventTime?: Date;
}

export interface SecretExpiryNotice {
  type: 'secret-expiry';
  clientId: string;
  clientSecretExpiryTime: Date;
  reason?: string;
  eventTime?: Date;
}

/** Anything else: another notification type, another tool's message, or one of ours that is broken. */
export interface OtherMessage {
  type: 'other';
  clientId?: string;
  notificationType?: string;
  /** Set when it claims to be one of ours but cannot be used (never quotes the body). */
  problem?: string;
}

export type SecretQueueMessage = NewSecretNotice | SecretExpiryNotice | OtherMessage;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** obj[name], whatever the case of the key. */
export function field(obj: Json, name: string): unknown {
  if (name in obj) return obj[name];
  const wanted = name.toLowerCase();
  for (const key of Object.keys(obj)) if (key.toLowerCase() === wanted) return obj[key];
  return undefined;
}

function text(obj: Json, name: string): string | undefined {
  const value = field(obj, name);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function time(obj: Json, name: string): Date | undefined {
  const value = text(obj, name);
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function parseSecretQueueMessage(body: string): SecretQueueMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return { type: 'other' };
  }
  if (!isObject(raw)) return { type: 'other' };
  const notificationType = text(raw, 'notificationType');
  const payload = field(raw, 'payload');
  const eventTime = time(raw, 'eventTime');
  if (notificationType === NEW_SECRET) {
    const inner = isObject(payload) ? field(payload, 'applicationOAuthClientNewSecret') : undefined;
    if (!isObject(inner)) return { type: 'other', notificationType, problem: 'it has no applicationOAuthClientNewSecret payload' };
    const clientId = text(inner, 'clientId');
    const secret = text(inner, 'newClientSecret');
    const newExpiry = time(inner, 'newClientSecretExpiryTime');
    const oldExpiry = time(inner, 'oldClientSecretExpiryTime');
    if (!clientId) return { type: 'other', notificationType, problem: 'it names no clientId' };
    if (!secret || !/^amzn1\.oa2-cs\.\S+$/.test(secret)) return { type: 'other', notificationType, clientId, problem: 'its newClientSecret is missing or not a client secret' };
    if (!newExpiry) return { type: 'other', notificationType, clientId, problem: 'its newClientSecretExpiryTime is missing or not a date' };
    return {
      type: 'new-secret',
      clientId,
      newClientSecret: secret,
      newClientSecretExpiryTime: newExpiry,
      ...(oldExpiry ? { oldClientSecretExpiryTime: oldExpiry } : {}),
      ...(eventTime ? { eventTime } : {}),
    };
  }
  if (notificationType === SECRET_EXPIRY) {
    const inner = isObject(payload) ? field(payload, 'applicationOAuthClientSecretExpiry') : undefined;
    if (!isObject(inner)) return { type: 'other', notificationType, problem: 'it has no applicationOAuthClientSecretExpiry payload' };
    const clientId = text(inner, 'clientId');
    const expiry = time(inner, 'clientSecretExpiryTime');
    if (!clientId) return { type: 'other', notificationType, problem: 'it names no clientId' };
    if (!expiry) return { type: 'other', notificationType, clientId, problem: 'its clientSecretExpiryTime is missing or not a date' };
    const reason = text(inner, 'clientSecretExpiryReason');
    return { type: 'secret-expiry', clientId, clientSecretExpiryTime: expiry, ...(reason ? { reason } : {}), ...(eventTime ? { eventTime } : {}) };
  }
  return { type: 'other', ...(notificationType ? { notificationType } : {}) };
}
