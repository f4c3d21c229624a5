// How `env` writes the job's variables: for a POSIX shell's eval, a dotenv
// file, JSON, or GitHub Actions ($GITHUB_ENV plus log masks). Pure renderers:
// each turns the list into text, so quoting can be tested without a shell.

import { UsageError } from '../errors.js';
import type { JobVariable } from './variables.js';

export const ENV_FORMATS = ['sh', 'dotenv', 'json', 'github'] as const;
export type EnvFormat = (typeof ENV_FORMATS)[number];

/**
 * `export NAME='value'` lines. Inside single quotes a POSIX shell takes every
 * byte literally, newlines included; only `'` itself ends them, so it is
 * written as `'\''`. `eval "$(amz-token env)"` is safe whatever a value holds.
 */
export function shLines(variables: readonly JobVariable[]): string {
  return variables.map((v) => `export ${v.name}=${shQuote(v.value)}\n`).join('');
}

export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

// Bare where every dotenv reader agrees on the value: no quotes, spaces, `#`
// (a comment), `$` (python-dotenv and compose interpolate it), `\`, or line breaks.
const DOTENV_BARE = /^[A-Za-z0-9_.,:/@|+=%~^-]*$/;

/**
 * `NAME=value` lines; a value with other characters in single quotes, which
 * motdotla/dotenv, python-dotenv and docker compose all take literally. dotenv
 * readers disagree on escapes, so a value holding `'` or a line break is
 * refused rather than written in a way one of them would misread.
 */
export function dotenvLines(variables: readonly JobVariable[]): string {
  return variables
    .map((v) => {
      if (DOTENV_BARE.test(v.value)) return `${v.name}=${v.value}\n`;
      if (/['\r\n]/.test(v.value)) {
        throw new UsageError(`the value of ${v.name} cannot be written unambiguously in dotenv format`, 'use --format sh or --format json');
      }
      return `${v.name}='${v.value}'\n`;
    })
    .join('');
}

export function jsonObject(variables: readonly JobVariable[]): Record<string, string> {
  return Object.fromEntries(variables.map((v) => [v.name, v.value]));
}

export interface GithubOutput {
  /** Appended to the file named by $GITHUB_ENV. */
  envFile: string;
  /** Printed on stdout: the workflow commands that mask each secret in the job's log. */
  masks: string;
}

/**
 * $GITHUB_ENV's multi-line syntax (`NAME<<DELIMITER`, value, `DELIMITER`),
 * for every value: a value cannot end early and set another variable, because
 * its delimiter is random and checked not to occur in it (as @actions/core does).
 * `randomHex` makes fresh random hex digits for each delimiter.
 */
export function githubOutput(variables: readonly JobVariable[], randomHex: () => string): GithubOutput {
  let envFile = '';
  for (const v of variables) {
    let delimiter: string;
    do delimiter = `ghadelimiter_${randomHex()}`;
    while (v.value.includes(delimiter));
    envFile += `${v.name}<<${delimiter}\n${v.value}\n${delimiter}\n`;
  }
  // The runner reads a mask up to the end of its line, and masks log lines one
  // by one: a value with line breaks gets one mask per line.
  const masks = variables
    .filter((v) => v.secret)
    .flatMap((v) => v.value.split(/\r?\n|\r/))
    .filter((line) => line !== '')
    .map((line) => `::add-mask::${escapeWorkflowData(line)}\n`);
  return { envFile, masks: [...new Set(masks)].join('') };
}

/** @actions/core's escapeData: the runner unescapes these in a command's data. */
function escapeWorkflowData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
