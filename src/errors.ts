// Typed errors and the exit-code table. Every failure the operator can meet is
// one of these classes; src/cli.ts turns them into exit codes, nowhere else.
// EXIT_CODES is the one text of what each code means: the top-level --help,
// every command's --help and the README's table are rendered from it.

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
  /** 128 + SIGINT, as a shell reports a command stopped by Ctrl-C. */
  CANCELLED: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What each code means: `label` for a command's one-line list, `meaning` for the tables. */
export const EXIT_CODES: Readonly<Record<ExitCode, { label: string; meaning: string }>> = {
  0: { label: 'ok', meaning: 'OK' },
  1: { label: 'internal error', meaning: 'unexpected internal error' },
  2: { label: 'usage', meaning: 'usage error: unknown flag, bad argument, invalid config value' },
  3: { label: 'expiring', meaning: 'warning: an authorization (or an app\'s client secret) expires within the warning window' },
  4: {
    label: 'expired or token rejected',
    meaning: 'expired: past its expiry date, or Amazon rejects the refresh token (`invalid_grant`); the seller must renew',
  },
  5: { label: 'not found', meaning: 'not found: no such profile or app, or nothing stored for it' },
  6: {
    label: 'flow not completed',
    meaning:
      'authorization flow not completed: timed out, cancelled (Ctrl-C, SIGTERM, SIGHUP), state mismatch, code rejected, different seller; or a rotated client secret that did not reach its queue in time',
  },
  7: {
    label: 'Amazon unreachable',
    meaning: 'Amazon unreachable or failing: network error, timeout, 5xx or 429 after retries; for `remind --send`, the mail server (SMTP) unreachable or refusing',
  },
  8: {
    label: 'store unavailable',
    meaning:
      "credential store unavailable: no Secret Service, locked keychain, config folder not writable or locked by another process; or the app's SQS secret queue unusable (no AWS credentials, access denied, no such queue)",
  },
  9: {
    label: 'app rejected',
    meaning:
      'app credentials rejected (`invalid_client`, `unauthorized_client`), client secret past its expiry, or the app not enrolled for rotation notifications; the operator must fix the app',
  },
  130: { label: 'cancelled', meaning: 'cancelled at a prompt (Ctrl-C, or not answering yes): nothing was changed' },
};

/** The README's exit-code table (Markdown); a test keeps the README equal to it. */
export function exitCodeMarkdown(): string {
  const rows = Object.entries(EXIT_CODES).map(([code, { meaning }]) => `| ${code} | ${meaning} |`);
  return ['| code | meaning |', '|---|---|', ...rows].join('\n');
}

/** The top-level --help's exit-code lines (backticks are Markdown's, not the terminal's). */
export function exitCodeHelpLines(): string[] {
  return Object.entries(EXIT_CODES).map(([code, { meaning }]) => `  ${code}  ${meaning.replace(/`/g, '')}`);
}

/** One command's codes on one line: "0 ok, 2 usage, 5 not found". */
export function exitCodeSummary(codes: readonly ExitCode[]): string {
  return [...new Set(codes)]
    .sort((a, b) => a - b)
    .map((code) => `${code} ${EXIT_CODES[code].label}`)
    .join(', ');
}

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

/** A rule of the flags applied to a config.json entry (which its message names): its UsageError becomes a ConfigError naming the file. */
export function configRule<T>(rule: () => T, file: string): T {
  try {
    return rule();
  } catch (error) {
    if (error instanceof UsageError) throw new ConfigError(file, error.message);
    throw error;
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

/** The operator cancelled at a prompt (Ctrl-C, or did not confirm). Nothing was changed. */
export class CancelledError extends AmzTokenError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.CANCELLED, hint);
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
  ExitCode.CANCELLED,
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
