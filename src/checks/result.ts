// What one live check of a profile found: the shape `status --check` merges
// into its report. Types only, so the report can name them without loading the checks.

import type { ExitCode } from '../errors.js';

export type CheckResult = 'ok' | 'rejected' | 'unknown' | 'app-rejected' | 'store-unavailable' | 'not-found' | 'failed';

export interface LiveCheck {
  result: CheckResult;
  /** One line for the operator; never holds a secret. */
  message: string;
  /** The next step, when the operator has one. */
  hint?: string;
  exitCode: ExitCode;
  /** When Amazon accepted the token; only on success. */
  checkedAt?: string;
  /** When the check ended, whatever its result (metrics: amz_token_check_timestamp_seconds). */
  finishedAt?: string;
  /** --deep only: the marketplaces the Sellers API lists; null when it was skipped or failed. */
  marketplaces?: string[] | null;
  /** --deep only: the store name the Sellers API gives (recorded on a profile that has no identity yet). */
  storeName?: string;
  /** Why the Sellers API call was skipped (vendor profiles). */
  deepSkipped?: string;
  /** For `unknown`: the last failure in a few words, e.g. "timed out". */
  reason?: string;
}

export interface LiveCheckOptions {
  deep: boolean;
  /** 1..32 checks under way at once. */
  concurrency: number;
  /** The whole run's limit: checks not done by then are `unknown`. */
  deadlineSeconds: number;
}
