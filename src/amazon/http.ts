// What amz-token's two Amazon clients (LWA, SP-API) share: bounded retries with
// backoff, bounded reads of reply bodies, and one-line, secret-free descriptions.

import { request } from 'undici';
import { AmazonUnavailableError, AmzTokenError } from '../errors.js';

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
 * One HTTP exchange with Amazon: per-phase timeouts, a bounded body, and any
 * network trouble turned into a TransientFailure. The status is the caller's to judge.
 */
export async function sendToAmazon(service: string, url: string, req: AmazonRequest): Promise<{ status: number; text: string }> {
  try {
    const response = await request(url, {
      method: req.method,
      headers: req.headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
      signal: req.stop ? AbortSignal.any([AbortSignal.timeout(req.timeoutMs * 2), req.stop]) : AbortSignal.timeout(req.timeoutMs * 2),
    });
    return { status: response.statusCode, text: await readLimited(response.body, service) };
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

export function describeNetworkError(error: unknown): string {
  const e = error as { code?: string; name?: string; message?: string };
  if (e?.name === 'TimeoutError' || e?.code === 'UND_ERR_HEADERS_TIMEOUT' || e?.code === 'UND_ERR_BODY_TIMEOUT' || e?.code === 'UND_ERR_CONNECT_TIMEOUT') {
    return 'timed out';
  }
  return e?.code ?? e?.message?.split('\n')[0] ?? 'network error';
}

/** Amazon's descriptions are shown to operators: one short line, no token-shaped values, no control characters. */
export function scrub(text: string): string {
  return text
    .replace(/Atz[ar]\|[^\s"]*/g, '***')
    .replace(/amzn1\.oa2-cs\.[^\s"]*/g, '***')
    .replace(/\s+/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')
    .slice(0, 200);
}
