// Which command argv names, read before anything is declared: parseCommandLine uses it to
// declare only that command, and bin/amz-token.js (through src/bundle-choice.ts) to load the
// smaller bundle for the commands that jobs run. Kept apart so that choosing costs next to nothing.

/** The global flags that take a value: the word after them is not the command. */
const GLOBAL_VALUE_FLAGS = ['--profile'];
const GLOBAL_SWITCHES = ['--json', '-q', '--quiet', '--no-color', '--no-input'];

/** The command word of argv (after the global flags), or undefined when anything else comes first. */
export function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (GLOBAL_VALUE_FLAGS.includes(arg)) i++;
    else if (!GLOBAL_SWITCHES.includes(arg) && !GLOBAL_VALUE_FLAGS.some((flag) => arg.startsWith(`${flag}=`))) return arg.startsWith('-') ? undefined : arg;
  }
  return undefined;
}

/**
 * The commands that jobs run, often once per call (`token` in a curl line, `exec` before each
 * job, `env` in a CI step): dist/amz-token-jobs.cjs holds these alone (src/commands/jobs.ts declares them).
 */
export const JOB_COMMAND_WORDS: readonly string[] = ['token', 'exec', 'env'];
