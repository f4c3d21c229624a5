// Running a job under `exec`: start it, forward the signals amz-token gets,
// wait for it, and pass its exit status on as a shell would report it. The
// process itself is started through Deps (startJob), so this runs with fakes too.

import { constants } from 'node:os';
import type { Deps, RunningJob, Signal } from '../deps.js';

/**
 * A job's own exit status (0-255), passed through by `exec`. Not an ExitCode:
 * the job's codes mean what the job says, so main() returns either. Branded, so
 * that no other command can return a bare number by mistake.
 */
export type JobExitStatus = number & { readonly __jobExitStatus: true };

/** 127: the shell's "command not found". */
export const COMMAND_NOT_FOUND = 127 as JobExitStatus;
/** 126: the shell's "found but cannot be executed". */
export const CANNOT_EXECUTE = 126 as JobExitStatus;

/** The status a shell reports: the exit code, or 128 + N when signal N ended the job. */
export function jobExitStatus(ended: { code: number | null; signal: string | null }): JobExitStatus {
  if (ended.code !== null) return ended.code as JobExitStatus;
  const number = ended.signal ? (constants.signals as Record<string, number | undefined>)[ended.signal] : undefined;
  // A job always ends with one or the other; 1 if Node ever reports neither, never a false 0.
  return (number === undefined ? 1 : 128 + number) as JobExitStatus;
}

/**
 * Runs `command` with `env` and returns its exit status. A command that cannot
 * be started gets the shell's 127 or 126 and one line on stderr. While it runs,
 * SIGINT, SIGTERM and SIGHUP are passed on to it and amz-token waits for it to end.
 */
export async function runJob(deps: Deps, command: string, args: readonly string[], env: Record<string, string>): Promise<JobExitStatus> {
  // Caught from the start: a signal that arrives while the job is starting is forwarded once it runs.
  const pending: Signal[] = [];
  let forward = (signal: Signal): void => {
    pending.push(signal);
  };
  const stopForwarding = deps.onSignal((signal) => forward(signal));
  try {
    let job: RunningJob;
    try {
      job = await deps.startJob(command, args, env);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        deps.stderr.write(`amz-token: ${command}: command not found\n`);
        return COMMAND_NOT_FOUND;
      }
      if (code === 'EACCES' || code === 'ENOEXEC' || code === 'EISDIR' || code === 'ENOTDIR') {
        deps.stderr.write(`amz-token: ${command}: cannot be executed (${code === 'EACCES' ? 'permission denied' : code})\n`);
        return CANNOT_EXECUTE;
      }
      throw error;
    }
    const running = job;
    forward = (signal) => running.kill(signal);
    for (const signal of pending) running.kill(signal);
    return jobExitStatus(await running.ended);
  } finally {
    stopForwarding();
  }
}
