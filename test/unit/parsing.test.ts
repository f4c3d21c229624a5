// argv -> the parsed, typed options each command's run function receives (as
// gh's tests do): parsing alone, nothing runs. Bad values are refused while parsing.
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { Command } from '@commander-js/extra-typings';
import { parseCommandLine } from '../../src/commands/program.js';
import { COMMANDS } from '../../src/commands/table.js';
import { JOB_COMMANDS } from '../../src/commands/jobs.js';
import { commandWord, JOB_COMMAND_WORDS } from '../../src/commands/command-word.js';
import { bundleFor } from '../../src/bundle-choice.js';
import { findMarketplace } from '../../src/amazon/marketplaces.js';
import { UsageError } from '../../src/errors.js';

const APP_ID = 'amzn1.sp.solution.12345678-1234-1234-1234-123456789abc';
const CLIENT_ID = 'amzn1.application-oa2-client.0123456789abcdef0123456789abcdef';
const DE = findMarketplace('DE')!;

function parse(argv: string[], env: Record<string, string> = {}) {
  const parsed = parseCommandLine(argv, { env, stdout: new PassThrough(), stderr: new PassThrough() }, COMMANDS);
  if ('exit' in parsed) throw new Error(`parsing ${argv.join(' ')} ended with exit ${parsed.exit}`);
  return { command: parsed.invocation.command, options: parsed.invocation.options, global: parsed.global };
}

describe('argv -> options', () => {
  it.each<[string[], string, object]>([
    [['status'], 'status', { warnDays: 30, format: 'table' }],
    [['status', '--warn-days', '14', '--at', '2027-01-06'], 'status', { warnDays: 14, at: new Date(2027, 0, 6), format: 'table' }],
    [['status', '--check', '--concurrency', '8'], 'status', { warnDays: 30, format: 'table', check: { deep: false, concurrency: 8, deadlineSeconds: 600 } }],
    [['status', '--json', '--metrics-file', 'm.prom', '--html', 'r.html'], 'status', { warnDays: 30, format: 'json', metricsFile: 'm.prom', html: 'r.html' }],
    [['status', '--format', 'prometheus'], 'status', { warnDays: 30, format: 'prometheus' }],
    [['status', '--deep', '--deadline', '60'], 'status', { warnDays: 30, format: 'table', check: { deep: true, concurrency: 4, deadlineSeconds: 60 } }],
    [['status', '--profile', 'shop-de', '--ics', 'team.ics'], 'status', { profile: 'shop-de', warnDays: 30, format: 'table', ics: 'team.ics' }],
    [['token', '--profile', 'shop-de'], 'token', { profile: 'shop-de', cache: true }],
    [['token', '--profile', 'shop-de', '--no-cache'], 'token', { profile: 'shop-de', cache: false }],
    [['remove', '--profile', 'shop-de'], 'remove', { profile: 'shop-de', yes: false }],
    [['remove', '--profile', 'shop-de', '-y'], 'remove', { profile: 'shop-de', yes: true }],
    [
      ['import', '--profile', 'p', '--app', 'my-app', '--region', 'EU', '--marketplace', 'de', '--selling-partner-id', 'A3EXAMPLE12345', '--expires-at', '2027-03-01'],
      'import',
      { profile: 'p', app: 'my-app', region: 'eu', marketplace: DE, sellingPartnerId: 'A3EXAMPLE12345', vendor: false, expiresAt: new Date(2027, 2, 1), force: false },
    ],
    [
      ['request', '--profile', 'p', '--app', 'a', '--marketplace', 'GB', '--vendor', '--no-browser', '--port', '0', '--timeout', '60'],
      'request',
      { profile: 'p', app: 'a', marketplace: findMarketplace('UK'), vendor: true, openBrowser: false, port: 0, timeoutSeconds: 60, force: false },
    ],
    [['renew', '--profile', 'p', '--force'], 'renew', { profile: 'p', openBrowser: true, timeoutSeconds: 300, force: true }],
    [['relay-page'], 'relay-page', { port: 47613 }],
    [['relay-page', '--app', 'a', '--port', '9000'], 'relay-page', { app: 'a', port: 9000 }],
    [
      ['app', 'add', 'my-app', '--app-id', APP_ID, '--client-id', CLIENT_ID, '--redirect-uri', 'https://e.example/cb', '--draft', '--secret-created', '2026-10-01'],
      'app add',
      { name: 'my-app', appId: APP_ID, clientId: CLIENT_ID, redirectUri: 'https://e.example/cb', draft: true, secretCreated: new Date(2026, 9, 1) },
    ],
    [['app', 'list'], 'app list', {}],
    [['app', 'remove', 'my-app'], 'app remove', { name: 'my-app' }],
    [['app', 'set-secret', 'my-app'], 'app set-secret', { name: 'my-app' }],
    [['app', 'set', 'my-app', '--no-draft'], 'app set', { name: 'my-app', draft: false }],
    [['app', 'set', 'my-app', '--redirect-uri', 'https://e.example/cb', '--client-id', CLIENT_ID], 'app set', { name: 'my-app', clientId: CLIENT_ID, redirectUri: 'https://e.example/cb' }],
    [['completion', 'zsh'], 'completion', { shell: 'zsh' }],
  ])('%j parses as %s with %j', (argv, command, options) => {
    const parsed = parse(argv);
    expect(parsed.command).toBe(command);
    expect(parsed.options).toStrictEqual(options);
  });

  it('AMZ_TOKEN_PROFILE stands in for --profile, and --profile wins over it', () => {
    expect(parse(['token'], { AMZ_TOKEN_PROFILE: 'from-env' }).options).toMatchObject({ profile: 'from-env' });
    expect(parse(['token', '--profile', 'flag'], { AMZ_TOKEN_PROFILE: 'from-env' }).options).toMatchObject({ profile: 'flag' });
    expect(parse(['renew'], { AMZ_TOKEN_PROFILE: 'from-env' }).options).toMatchObject({ profile: 'from-env' });
    expect(parse(['remove'], { AMZ_TOKEN_PROFILE: 'from-env' }).options).toMatchObject({ profile: 'from-env' });
  });

  it('AMZ_TOKEN_PROFILE does not narrow status, which covers every profile unless --profile is given', () => {
    expect(parse(['status'], { AMZ_TOKEN_PROFILE: 'from-env' }).options).toStrictEqual({ warnDays: 30, format: 'table' });
    expect(parse(['status', '--ics', 'team.ics'], { AMZ_TOKEN_PROFILE: 'from-env' }).options).toStrictEqual({ warnDays: 30, format: 'table', ics: 'team.ics' });
  });

  it('reads the global flags wherever they stand', () => {
    expect(parse(['--json', 'status', '-q', '--no-color', '--no-input']).global).toEqual({ json: true, quiet: true, color: false, input: false });
    expect(parse(['status']).global).toEqual({ json: false, quiet: false, color: true, input: true });
  });

  it.each([
    [['status', '--warn-days', '-1']],
    [['status', '--warn-days', '366']],
    [['status', '--concurrency', '0']],
    [['status', '--check', '--deadline', '0']],
    [['status', '--json', '--format', 'prometheus']],
    [['status', '--metrics-file', '-']],
    [['status', '--at', 'tomorrow']],
    [['status', '--ics', '-', '--json']],
    [['request', '--profile', 'p', '--app', 'a', '--marketplace', 'XX']],
    [['request', '--profile', 'p', '--app', 'a', '--marketplace', 'DE', '--timeout', '0']],
    [['import', '--profile', 'p', '--app', 'a', '--region', 'eu', '--marketplace', 'US', '--selling-partner-id', 'A3EXAMPLE12345', '--expires-at', '2027-01-01']],
    [['import', '--profile', 'p', '--app', 'a', '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3EXAMPLE12345']],
    [['app', 'add', 'bad/name', '--app-id', APP_ID, '--client-id', CLIENT_ID, '--redirect-uri', 'https://e.example/cb']],
    [['token']],
    [['token', '--profile', '../etc']],
  ])('%j is refused while parsing (UsageError)', (argv) => {
    expect(() => parse(argv)).toThrow(UsageError);
  });

  it.each([[['status', '--format', 'yaml']], [['status', '--bogus']], [['nonsense']]])(
    '%j is a usage error that commander reports itself: exit 2',
    (argv) => {
      expect(parseCommandLine(argv, { env: {}, stdout: new PassThrough(), stderr: new PassThrough() }, COMMANDS)).toEqual({ exit: 2 });
    },
  );
});

describe('range errors state the range the check enforces', () => {
  const REQUEST = ['request', '--profile', 'p', '--app', 'a', '--marketplace', 'DE'];
  it.each([
    [['status', '--check', '--concurrency']],
    [['status', '--check', '--deadline']],
    [['status', '--warn-days']],
    [[...REQUEST, '--timeout']],
    [[...REQUEST, '--port']],
    [['relay-page', '--port']],
    [['exec', '--profile', 'p', '--min-ttl']],
  ])('%j: both stated bounds are accepted, one past either is refused with the same message', (argv) => {
    const tail = argv[0] === 'exec' ? ['--', 'true'] : [];
    const refusal = (value: string) => {
      try {
        parse([...argv, value, ...tail]);
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      return undefined;
    };
    const message = refusal('99999999');
    const stated = /from (\d+) to (\d+)/.exec(message ?? '');
    expect(stated, message).not.toBeNull();
    const [min, max] = [Number(stated![1]), Number(stated![2])];
    expect(refusal(String(min))).toBeUndefined();
    expect(refusal(String(max))).toBeUndefined();
    expect(refusal(String(max + 1))).toMatch(`from ${min} to ${max}`);
    if (min > 0) expect(refusal(String(min - 1))).toMatch(`from ${min} to ${max}`);
  });
});

describe('relay-page --port', () => {
  it.each(['0', '65536'])('refuses %s with the range the page can use (exit 2)', async (port) => {
    const { fakeEnvironment } = await import('../support/fake-deps.js');
    const result = await fakeEnvironment().run(['relay-page', '--port', port]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--port must be a whole number from 1 to 65535/);
    expect(result.stdout).toBe('');
  });
});

describe('the name rule, stated as the check applies it', () => {
  it.each([['..'], ['-x'], ['.hidden'], ['a/b'], ['x'.repeat(65)]])('--profile %j is refused with the whole rule', (name) => {
    expect(() => parse(['token', '--profile', name])).toThrow(
      /is not a valid name: start with a letter or digit, then use letters, digits, '\.', '_' and '-' \(at most 64 characters in all\)/,
    );
  });

  it.each([['a'], ['0.shop-de_2'], ['x'.repeat(64)]])('--profile %j is accepted', (name) => {
    expect(parse(['token', '--profile', name]).options).toMatchObject({ profile: name });
  });
});

describe('declaring only the command that argv names (start-up time of token and exec)', () => {
  it("COMMANDS lists each command's names: registering an entry declares exactly those commands", () => {
    for (const [names, register] of COMMANDS) {
      const program = new Command();
      register(program, { env: {}, global: () => ({ json: false, quiet: false, color: false, input: false }), choose: () => undefined });
      expect(program.commands.map((c) => c.name()), names.join(',')).toEqual([...names]);
    }
  });

  it.each<[string[], string | undefined]>([
    [['token', '--profile', 'p'], 'token'],
    [['--profile', 'p', '--json', 'exec', '--', 'true'], 'exec'],
    [['--profile=p', '-q', '--no-color', '--no-input', 'status'], 'status'],
    [['--help'], undefined],
    [['-V'], undefined],
    [['--bogus', 'token'], undefined],
    [[], undefined],
  ])('%j names the command %s', (argv, word) => {
    expect(commandWord(argv)).toBe(word);
  });

  it('the jobs bundle declares exactly the job commands, and bin loads it for them alone', () => {
    expect(JOB_COMMANDS.flatMap(([names]) => names)).toEqual([...JOB_COMMAND_WORDS]);
    // The whole table holds the same entries, so both bundles declare a job command alike.
    for (const entry of JOB_COMMANDS) expect(COMMANDS).toContain(entry);
    expect(bundleFor(['token', '--profile', 'p'])).toBe('amz-token-jobs.cjs');
    expect(bundleFor(['--profile', 'p', '--json', 'exec', '--', 'status'])).toBe('amz-token-jobs.cjs');
    expect(bundleFor(['-q', 'env', '--format', 'dotenv'])).toBe('amz-token-jobs.cjs');
    for (const argv of [['status'], ['--help'], ['help', 'token'], ['-V'], ['tokn'], ['completion', 'bash'], [], ['--bogus', 'token'], ['app', 'token']]) {
      expect(bundleFor(argv), argv.join(' ')).toBe('amz-token.cjs');
    }
  });

  it('a job command parsed with the jobs table alone gives what the whole table gives', () => {
    for (const argv of [['token', '--profile', 'p', '--no-cache'], ['--profile', 'p', 'exec', '--min-ttl', '20', '--', 'true', '-x'], ['env', '--profile', 'p', '--format', 'json']]) {
      const whole = parseCommandLine(argv, { env: {}, stdout: new PassThrough(), stderr: new PassThrough() }, COMMANDS);
      const jobs = parseCommandLine(argv, { env: {}, stdout: new PassThrough(), stderr: new PassThrough() }, JOB_COMMANDS);
      if ('exit' in whole || 'exit' in jobs) throw new Error(`${argv.join(' ')} did not parse`);
      expect({ command: jobs.invocation.command, options: jobs.invocation.options, global: jobs.global }).toEqual({ command: whole.invocation.command, options: whole.invocation.options, global: whole.global });
    }
  });

  it('global flags before the command still reach it, and a typo still gets commander\'s suggestion', () => {
    expect(parse(['--profile', 'shop-de', '--json', 'token'])).toEqual({ command: 'token', options: { profile: 'shop-de', cache: true }, global: expect.objectContaining({ json: true, profile: 'shop-de' }) });
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (chunk: Buffer) => (text += String(chunk)));
    expect(parseCommandLine(['tokn'], { env: {}, stdout: new PassThrough(), stderr }, COMMANDS)).toEqual({ exit: 2 });
    expect(text).toContain('(Did you mean token?)');
  });
});
