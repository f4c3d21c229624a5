// What amz-token's two Amazon clients (LWA, SP-API) share: bounded retries with
// backoff, bounded reads of reply bodies, and one-line, secret-free descriptions.
//
// The transport is Node's own node:http/node:https, not undici: amz-token makes
// one small request per profile, and undici's WebAssembly parser is compiled
// anew in every process, which cost `status --check` ~0.45 s (3x node -e 0) on
// the 2-core CI machine before it sent a byte. node:https costs next to nothing
// to load, verifies certificates the same way, and is what the AWS SDK uses too.

import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AmazonUnavailableError, AmzTokenError } from '../errors.js';
import { UNSAFE_FOR_TERMINAL } from '../terminal-text.js';

const MAX_BODY_BYTES = 256 * 1024;

/** A failure worth another attempt: network error, timeout, 5xx, 429. */
export class TransientFailure extends Error {}

export type Sleep = (ms: number) => Promise<void>;

const realSleep: Sleep = (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` up to `retries + 1` times while it throws TransientFailure,
 * with exponential backoff and jitter between attempts (so parallel checks
 * that failed together do not retry in lockstep). The last failure is rethrown.
 */
async function withRetries<T>(retries: number, attempt: () => Promise<T>, sleep: Sleep = realSleep, stop?: AbortSignal): Promise<T> {
  let last: TransientFailure | undefined;
  for (let n = 0; n <= retries; n++) {
    if (n > 0) await sleep(Math.min(500 * 2 ** (n - 1), 4000) * (0.5 + Math.random() / 2));
    // The caller gave up (status --check's --deadline): no further attempt.
    if (stop?.aborted) break;
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof TransientFailure)) throw error;
      last = error;
    }
  }
  throw last ?? new TransientFailure('no answer');
}

/** How a call to Amazon retries: attempts after the first, backoff (injectable for tests), and when to give up early. */
export interface RetryOptions {
  retries: number;
  sleep?: Sleep | undefined;
  /** Aborts the request under way and any further attempt. */
  stop?: AbortSignal | undefined;
}

/** withRetries, then the operator's one-line error once the retries are spent. */
export async function retrying<T>(service: string, options: RetryOptions, attempt: () => Promise<T>): Promise<T> {
  try {
    return await withRetries(options.retries, attempt, options.sleep, options.stop);
  } catch (error) {
    if (error instanceof TransientFailure) throw unavailable(service, error, options.retries + 1);
    throw error;
  }
}

export interface AmazonRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Per phase: connect, headers and body each. */
  timeoutMs: number;
  stop?: AbortSignal | undefined;
}

/**
 * One HTTP exchange with Amazon: bounded waits, a bounded body, and any
 * network trouble turned into a TransientFailure. The status is the caller's to judge.
 */
export async function sendToAmazon(
  service: string,
  url: string,
  req: AmazonRequest,
): Promise<{ status: number; text: string; headers: IncomingMessage['headers'] }> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  // The whole exchange, whatever trickles in: twice the per-phase wait (and --deadline's stop, if any).
  const overall = AbortSignal.timeout(req.timeoutMs * 2);
  const signal = req.stop ? AbortSignal.any([overall, req.stop]) : overall;
  try {
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
      const request = send(target, {
        method: req.method,
        headers: { ...req.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        signal,
        // Idle time on the socket: while connecting, waiting for the headers, and between body chunks.
        timeout: req.timeoutMs,
      });
      let response: IncomingMessage | undefined;
      request.once('timeout', () => {
        const timedOut = Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });
        // Mid-body, the reader sees the response's error: give it ours, not a bare "aborted".
        response?.destroy(timedOut);
        request.destroy(timedOut);
      });
      request.once('error', reject);
      request.once('response', (incoming: IncomingMessage) => resolve((response = incoming)));
      request.end(body);
    });
    return { status: response.statusCode ?? 0, text: await readLimited(response, service), headers: response.headers };
  } catch (error) {
    if (error instanceof AmzTokenError) throw error;
    throw new TransientFailure(describeNetworkError(error));
  }
}

/** The error an operator sees once the retries are spent. */
function unavailable(service: string, failure: TransientFailure, attempts: number): AmazonUnavailableError {
  return new AmazonUnavailableError(
    `${service} is unreachable or failing: ${failure.message} (after ${attempts} attempts)`,
    'check the network, or retry later',
    failure.message,
  );
}

/** Reads a reply body, refusing one larger than any real Amazon reply. */
export async function readLimited(
  body: AsyncIterable<Buffer | Uint8Array> & { destroy?: () => void },
  service: string,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy?.();
      throw new AmazonUnavailableError(`${service} sent a reply larger than ${MAX_BODY_BYTES / 1024} KiB; refusing to read it`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A network failure in a few words ("timed out", "ECONNREFUSED"), never a secret. */
export function describeNetworkError(error: unknown): string {
  const e = error as { code?: string; name?: string; message?: string; cause?: { name?: string } } | null;
  if (e?.code === 'ETIMEDOUT' || e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError') return 'timed out';
  if (e?.code === 'ECONNRESET' || e?.message === 'aborted') return 'connection reset';
  return e?.code ?? e?.message?.split('\n')[0] ?? 'network error';
}

/** Amazon's descriptions are shown to operators: one short line, no token-shaped values, no control characters. */
export function scrub(text: string): string {
  return text
    .replace(/Atz[ar]\|[^\s"]*/g, '***')
    .replace(/amzn1\.oa2-cs\.[^\s"]*/g, '***')
    .replace(/\s+/g, ' ')
    .replace(UNSAFE_FOR_TERMINAL, '?')
    .slice(0, 200);
}
