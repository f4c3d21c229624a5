// Client secret rotation in-process: what each queue message means (Amazon's exact
// payloads, PascalCase too), queue URLs, Amazon's and AWS's refusals as one line each,
// and watch-secrets over an in-memory queue: others' messages handed back untouched, a
// failed store keeps the message, a rerun is harmless, an older secret never comes back.
import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeEnvironment, FAKE, MemorySecretStore } from '../support/fake-deps.js';
import { parseSecretQueueMessage } from '../../src/rotation/notifications.js';
import { queueRegion, queueUrl } from '../../src/validate.js';
import { rotationRefused } from '../../src/amazon/application-management.js';
import { sqsError } from '../../src/rotation/sqs.js';
import type { QueueMessage, SecretQueue } from '../../src/rotation/queue.js';
import { newSecretNotification, secretExpiryNotification } from '../amazon-double/rotation.js';

const DOUBLE_APP = { applicationId: FAKE.appId, clientId: FAKE.clientId, clientSecret: FAKE.clientSecret, redirectUris: [] };
const NEW_SECRET = 'amzn1.oa2-cs.v1.0123456789abcdef0123456789abcdef';
const T0 = Date.parse('2026-11-27T12:00:00Z');
const DAY = 86_400_000;
const URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/amz-token-secrets';

/** PascalCase at every level, as older notification types spell their fields. */
function pascal(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascal);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k[0]!.toUpperCase() + k.slice(1), pascal(v)]));
}

describe('queue messages', () => {
  it('reads Amazon\'s new-secret notification (the lwa-rotation sample) in camelCase and PascalCase alike', () => {
    const body = newSecretNotification(DOUBLE_APP, NEW_SECRET, T0 + 180 * DAY, T0 + 7 * DAY, T0);
    for (const text of [body, JSON.stringify(pascal(JSON.parse(body)))]) {
      expect(parseSecretQueueMessage(text)).toEqual({
        type: 'new-secret',
        clientId: FAKE.clientId,
        newClientSecret: NEW_SECRET,
        newClientSecretExpiryTime: new Date(T0 + 180 * DAY),
        oldClientSecretExpiryTime: new Date(T0 + 7 * DAY),
        eventTime: new Date(T0),
      });
    }
  });

  it('reads the secret-expiry notification', () => {
    expect(parseSecretQueueMessage(secretExpiryNotification(DOUBLE_APP, T0 + 6 * DAY, T0))).toMatchObject({
      type: 'secret-expiry',
      clientId: FAKE.clientId,
      clientSecretExpiryTime: new Date(T0 + 6 * DAY),
      reason: 'PERIODIC_ROTATION',
    });
  });

  it.each([
    ['not JSON', 'hello', { type: 'other' }],
    ['another notification type', '{"NotificationType":"ANY_OFFER_CHANGED","Payload":{}}', { type: 'other', notificationType: 'ANY_OFFER_CHANGED' }],
    [
      'a new-secret notification whose secret is not one',
      JSON.stringify({ notificationType: 'APPLICATION_OAUTH_CLIENT_NEW_SECRET', payload: { applicationOAuthClientNewSecret: { clientId: FAKE.clientId, newClientSecret: 'Atza|x', newClientSecretExpiryTime: '2027-01-01T00:00:00Z' } } }),
      { type: 'other', clientId: FAKE.clientId, problem: 'its newClientSecret is missing or not a client secret' },
    ],
  ])('takes %s as someone else\'s message', (_what, body, expected) => {
    expect(parseSecretQueueMessage(body)).toMatchObject(expected);
  });
});

describe('queue URLs', () => {
  it('accepts AWS queue URLs and a loopback http server; names the region when the host does', () => {
    expect(queueUrl(URL)).toBe(URL);
    expect(queueUrl('http://127.0.0.1:9324/000000000000/q')).toBe('http://127.0.0.1:9324/000000000000/q');
    expect(queueRegion(URL)).toBe('eu-west-1');
    expect(queueRegion('https://us-east-2.queue.amazonaws.com/123456789012/q')).toBe('us-east-2');
    expect(queueRegion('http://127.0.0.1:9324/000000000000/q')).toBeUndefined();
  });

  it.each(['http://sqs.eu-west-1.amazonaws.com/123456789012/q', 'https://sqs.eu-west-1.amazonaws.com/q', 'arn:aws:sqs:eu-west-1:123456789012:q', 'https://sqs.eu-west-1.amazonaws.com/123456789012/q?x=1'])('refuses %s', (value) => {
    expect(() => queueUrl(value)).toThrow(/--queue-url/);
  });
});

describe('refusals, one line each', () => {
  it('not enrolled: exit 9, naming the Developer Console row', () => {
    const error = rotationRefused(400, JSON.stringify({ errors: [{ code: 'InvalidInput', message: 'Application is not enrolled for rotation notification. Please update application notification preference in Developer console.' }] }), 'my-app');
    expect(error.exitCode).toBe(9);
    expect(error.hint).toContain('"Application Client New Secret"');
  });

  it('a second 429 is exit 7; an expired secret exit 9', () => {
    expect(rotationRefused(429, '{"errors":[{"code":"QuotaExceeded","message":"You exceeded your quota"}]}', 'a').exitCode).toBe(7);
    expect(rotationRefused(403, JSON.stringify({ errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: 'The LWA secret token you provided has expired.' }] }), 'a').exitCode).toBe(9);
  });

  it.each([
    [{ name: 'CredentialsProviderError', message: 'Could not load credentials from any providers' }, 8, /no AWS credentials/],
    [{ name: 'QueueDoesNotExist', message: 'The specified queue does not exist.', $metadata: { httpStatusCode: 400 } }, 8, /does not exist/],
    [{ name: 'AccessDenied', message: 'not authorized to perform: sqs:receivemessage', $metadata: { httpStatusCode: 403 } }, 8, /AWS denied access/],
    [{ name: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 7, /unreachable/],
  ])('AWS %j: exit %i', (error, code, message) => {
    const mapped = sqsError(error, URL, 'receive messages');
    expect(mapped.exitCode).toBe(code);
    expect(mapped.message).toMatch(message);
  });
});

/** An SQS queue in memory: visibility by hand, and a log of deletes and hand-backs. */
class MemoryQueue implements SecretQueue {
  readonly url = URL;
  readonly messages: Array<QueueMessage & { hidden: boolean }> = [];
  readonly deleted: string[] = [];
  readonly released: string[] = [];
  private n = 0;
  put(body: string) {
    this.messages.push({ id: `m${++this.n}`, body, receiptHandle: `r${this.n}`, hidden: false });
  }
  async check() {}
  async receive() {
    const visible = this.messages.filter((m) => !m.hidden).slice(0, 10);
    for (const m of visible) m.hidden = true;
    return visible.map(({ id, body, receiptHandle }) => ({ id, body, receiptHandle }));
  }
  async delete(message: QueueMessage) {
    this.deleted.push(message.id);
    this.messages.splice(this.messages.findIndex((m) => m.id === message.id), 1);
  }
  async release(message: QueueMessage) {
    this.released.push(message.id);
    this.messages.find((m) => m.id === message.id)!.hidden = false;
  }
  close() {}
}

function setup(store = new MemorySecretStore()) {
  const queue = new MemoryQueue();
  const env = fakeEnvironment({ store, secretQueue: async () => queue });
  mkdirSync(env.deps.configDir, { recursive: true, mode: 0o700 });
  const app = { appId: FAKE.appId, clientId: FAKE.clientId, redirectUri: 'https://relay.example.com/amz/', draft: false, clientSecretCreatedAt: '2026-06-01T00:00:00.000Z', secretQueueUrl: URL };
  writeFileSync(join(env.deps.configDir, 'config.json'), JSON.stringify({ version: 1, apps: { 'my-app': app }, profiles: {} }), { mode: 0o600 });
  store.items.set('app/my-app/client-secret', FAKE.clientSecret);
  const config = () => JSON.parse(readFileSync(join(env.deps.configDir, 'config.json'), 'utf8')).apps['my-app'];
  return { env, queue, store, config };
}

describe('one rotation of an app at a time', () => {
  it('rotate-secret is refused at once (exit 6) while another process rotates the same app, and reads nothing from the queue', async () => {
    const { env, queue, store } = setup();
    queue.put(newSecretNotification(DOUBLE_APP, NEW_SECRET, T0 + 180 * DAY, T0 + 7 * DAY, T0));
    const { tryFileLock } = await import('../../src/config/atomic-file.js');
    const held = await tryFileLock(join(env.deps.configDir, 'rotate-my-app'));
    if ('heldBy' in held) throw new Error('lock already held');
    try {
      const run = await env.run(['app', 'rotate-secret', 'my-app']);
      expect(run.code, run.stderr).toBe(6);
      expect(run.stderr).toMatch(/another amz-token rotation of app my-app is running \(pid \d+\); its lock is .*rotate-my-app\.lock/);
      expect(queue.messages.map((m) => m.hidden)).toEqual([false]);
      expect(store.items.get('app/my-app/client-secret')).toBe(FAKE.clientSecret);
    } finally {
      await held.release();
    }
    const after = await env.run(['app', 'rotate-secret', 'my-app']);
    expect(after.code, after.stderr).toBe(0);
    expect(store.items.get('app/my-app/client-secret')).toBe(NEW_SECRET);
  });
});

describe('watch-secrets --once', () => {
  it('stores a new secret for this config, deletes its message, and hands others\' back untouched', async () => {
    const { env, queue, store, config } = setup();
    queue.put(newSecretNotification({ ...DOUBLE_APP, clientId: 'amzn1.application-oa2-client.ffffffffffffffffffffffffffffffff' }, 'amzn1.oa2-cs.v1.notours', T0 + 180 * DAY, T0 + 7 * DAY, T0));
    queue.put('not a notification at all');
    queue.put(newSecretNotification(DOUBLE_APP, NEW_SECRET, T0 + 180 * DAY, T0 + 7 * DAY, T0));
    const run = await env.run(['app', 'watch-secrets', '--once']);
    expect(run.code, run.stderr).toBe(0);
    expect(store.items.get('app/my-app/client-secret')).toBe(NEW_SECRET);
    expect(config()).toMatchObject({ clientSecretExpiresAt: new Date(T0 + 180 * DAY).toISOString(), oldClientSecretExpiresAt: new Date(T0 + 7 * DAY).toISOString() });
    expect(queue.deleted).toEqual(['m3']);
    expect(queue.released).toEqual(expect.arrayContaining(['m1', 'm2']));
    expect(queue.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(run.stderr + run.stdout).not.toContain(NEW_SECRET);
  });

  it('keeps the message when the store fails, and a rerun stores it; a third run of the same message changes nothing', async () => {
    const store = new MemorySecretStore();
    const { env, queue, config } = setup(store);
    const set = store.set.bind(store);
    let failing = true;
    store.set = async (account, value) => {
      if (failing && value === NEW_SECRET) throw Object.assign(new Error('keychain locked'), { exitCode: 8 });
      return set(account, value);
    };
    const body = newSecretNotification(DOUBLE_APP, NEW_SECRET, T0 + 180 * DAY, T0 + 7 * DAY, T0);
    queue.put(body);
    const failed = await env.run(['app', 'watch-secrets', '--once']);
    expect(failed.code).not.toBe(0);
    expect(queue.deleted).toEqual([]);
    expect(store.items.get('app/my-app/client-secret')).toBe(FAKE.clientSecret);
    expect(config().clientSecretExpiresAt).toBeUndefined();

    failing = false;
    expect((await env.run(['app', 'watch-secrets', '--once'])).code).toBe(0);
    expect(store.items.get('app/my-app/client-secret')).toBe(NEW_SECRET);
    expect(queue.deleted).toEqual(['m1']);

    queue.put(body); // redelivered
    const again = await env.run(['app', 'watch-secrets', '--once']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('was stored already');
    expect(store.items.get('app/my-app/client-secret')).toBe(NEW_SECRET);
  });

  it('never puts back an older secret from a late message of an earlier rotation', async () => {
    const { env, queue, store } = setup();
    queue.put(newSecretNotification(DOUBLE_APP, NEW_SECRET, T0 + 180 * DAY, T0 + 7 * DAY, T0));
    expect((await env.run(['app', 'watch-secrets', '--once'])).code).toBe(0);
    queue.put(newSecretNotification(DOUBLE_APP, 'amzn1.oa2-cs.v1.older', T0 + 100 * DAY, T0 - 73 * DAY, T0 - 80 * DAY));
    const run = await env.run(['app', 'watch-secrets', '--once']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Skipped an older new-secret message');
    expect(store.items.get('app/my-app/client-secret')).toBe(NEW_SECRET);
    expect(queue.messages).toEqual([]);
  });

  it('needs a queue: --queue-url, or one saved on an app', async () => {
    const env = fakeEnvironment();
    const run = await env.run(['app', 'watch-secrets', '--once']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no secret queue to watch');
  });
});

describe('token --grantless', () => {
  it.each([
    [['token', '--grantless', '--app', 'my-app'], '--grantless needs --app <name> and --scope'],
    [['token', '--grantless', '--app', 'my-app', '--scope', 'credentials'], "argument 'credentials' is invalid"],
    [['token', '--profile', 'shop-de', '--scope', 'rotation'], '--app and --scope go with --grantless'],
  ])('%j is a usage error', async (argv, message) => {
    const run = await fakeEnvironment().run(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});
