// The "Examples" and "Exit codes" blocks appended to every command's --help.

export function helpFooter(examples: string[], exitCodes: string): string {
  return `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n\nExit codes: ${exitCodes} (see amz-token --help)\n`;
}
