// Typed errors and the exit-code table. Every failure the operator can meet is
// one of these classes; src/cli.ts turns them into exit codes, nowhere else.

export const ExitCode = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  EXPIRING: 3,
  EXPIRED: 4,
  NOT_FOUND: 5,
  FLOW_NOT_COMPLETED: 6,
  AMAZON_UNAVAILABLE: 7,
  STORE_UNAVAILABLE: 8,
  APP_REJECTED: 9,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class: a one-line message for stderr, an exit code, an optional next step. */
export class AmzTokenError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UsageError extends AmzTokenError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.USAGE, hint);
  }
}

/** A config file that cannot be read as amz-token's format. Never overwritten. */
export class ConfigError extends AmzTokenError {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`, ExitCode.USAGE, 'fix or move the file; amz-token will not overwrite it');
  }
}

export class NotFoundError extends AmzTokenError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.NOT_FOUND, hint);
  }
}

/** The seller must renew: past expiry, or LWA answered invalid_grant for a refresh token. */
export class AuthorizationExpiredError extends AmzTokenError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.EXPIRED, hint);
  }
}

/** The browser consent flow did not end with a usable code. */
export class FlowError extends AmzTokenError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.FLOW_NOT_COMPLETED, hint);
  }
}

export class AmazonUnavailableError extends AmzTokenError {
  constructor(
    message: string,
    hint?: string,
    /** The last failure in a few words ("timed out", "HTTP 503"), for a table cell. */
    readonly reason?: string,
  ) {
    super(message, ExitCode.AMAZON_UNAVAILABLE, hint);
  }
}

export class StoreUnavailableError extends AmzTokenError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.STORE_UNAVAILABLE, hint);
  }
}

/** LWA rejected the app itself (invalid_client, unauthorized_client) or its secret has expired. */
export class AppCredentialsError extends AmzTokenError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.APP_REJECTED, hint);
  }
}

// Broken now (9, 4) outranks cannot tell (7, 8), which outranks soon (3).
// 9 comes before 4 because an app whose secret is rejected breaks every
// seller's authorization at once, and no renew can succeed until it is fixed.
const URGENCY: readonly ExitCode[] = [
  ExitCode.INTERNAL,
  ExitCode.USAGE,
  ExitCode.APP_REJECTED,
  ExitCode.EXPIRED,
  ExitCode.STORE_UNAVAILABLE,
  ExitCode.AMAZON_UNAVAILABLE,
  ExitCode.NOT_FOUND,
  ExitCode.FLOW_NOT_COMPLETED,
  ExitCode.EXPIRING,
  ExitCode.OK,
];

/** The exit code of a command that covers several profiles: the most urgent one. */
export function mostUrgent(codes: Iterable<ExitCode>): ExitCode {
  let best: ExitCode = ExitCode.OK;
  for (const code of codes) {
    if (URGENCY.indexOf(code) < URGENCY.indexOf(best)) best = code;
  }
  return best;
}

/** The exit code for anything thrown out of a command. */
export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof AmzTokenError ? error.exitCode : ExitCode.INTERNAL;
}
