// End to end: what `request` shows while it waits for the seller. In a pipe (CI
// logs): plain lines, no control codes. On a terminal (a pseudo-terminal from
// util-linux `script`): a spinner with the time left, on a line of its own, above the paste line.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { BIN, requireTestKeyring, secretToolLookup } from '../support/cli.js';
import { flowRig, consentUrlFrom, confirmConsent, waitForOutput, type FlowRig } from '../support/flow.js';

beforeAll(() => requireTestKeyring());

const ESC = '\u001b';
const rigs: FlowRig[] = [];
afterEach(async () => {
  while (rigs.length) await rigs.pop()!.close();
});

describe('waiting for the seller', () => {
  it('prints no control codes when stderr is a pipe, and completes', async () => {
    const r = await flowRig();
    rigs.push(r);
    const profile = `${r.s.prefix}-pipe`;
    const run = r.s.start(['request', '--profile', profile, '--app', r.app, '--marketplace', 'DE', '--no-browser', '--timeout', '60']);
    const consent = consentUrlFrom(await waitForOutput(run.stderr, (t) => t.includes('/apps/authorize/consent?')));
    // Long enough for a spinner to have drawn a few frames, were there one.
    await new Promise((r) => setTimeout(r, 500));
    await fetch(await confirmConsent(consent), { redirect: 'manual' });
    const result = await run.child;
    expect(result.exitCode, run.stderr()).toBe(0);
    expect(run.stderr()).toContain('Received the authorization code');
    expect(run.stderr()).not.toContain(ESC);
    expect(run.stdout()).not.toContain(ESC);
  });

  it('shows a spinner with the time left on a terminal, takes typed lines on the paste line below it, and clears both when the code arrives', async () => {
    const r = await flowRig();
    rigs.push(r);
    const profile = `${r.s.prefix}-tty`;
    const command = ['node', BIN, 'request', '--profile', profile, '--app', r.app, '--marketplace', 'DE', '--no-browser', '--timeout', '60'].map((w) => `'${w}'`).join(' ');
    // script: stdin, stdout and stderr of the command are one pseudo-terminal; -e passes its exit code on.
    const child = execa('script', ['-qfec', command, '/dev/null'], { env: { ...r.s.env, TERM: 'xterm' }, stdin: 'pipe', reject: false, timeout: 90_000 });
    let screen = '';
    child.stdout!.on('data', (chunk: Buffer) => (screen += chunk.toString()));
    const consent = consentUrlFrom((await waitForOutput(() => screen, (t) => /Waiting for the seller to confirm\.\.\. \d:\d\d left/.test(t))).replace(/\r/g, ''));
    await waitForOutput(() => screen, (t) => t.split(`${ESC}[1A\r${ESC}[J`).length > 3); // redrawn in place, again and again
    // A stray word typed into the terminal: read in raw mode, answered, and the wait goes on.
    child.stdin!.write('password123\r');
    await waitForOutput(() => screen, (t) => t.includes('that is neither the address from the browser nor an authorization code'));
    await fetch(await confirmConsent(consent), { redirect: 'manual' });
    const result = await child;
    child.stdin!.end();
    expect(result.exitCode, screen).toBe(0);
    expect(screen).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Waiting for the seller to confirm\.\.\. [01]:\d\d left/);
    // The paste line below the spinner, in raw mode (the terminal's echo is off).
    expect(screen).toMatch(/left\r?\n> /);
    // Cleared before the next message: the spinner and paste lines are wiped and the text goes there.
    expect(screen).toMatch(new RegExp(`\\r${ESC}\\[JReceived the authorization code`));
    expect(await secretToolLookup(`profile/${profile}/refresh-token`)).toMatch(/^Atzr\|/);
  });
});
