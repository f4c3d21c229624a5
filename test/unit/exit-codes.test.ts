import { describe, it, expect } from 'vitest';
import { ExitCode, mostUrgent, exitCodeOf, FlowError, StoreUnavailableError, ConfigError } from '../../src/errors.js';
import { authorizationExitCode, clientSecretExitCode } from '../../src/expiry.js';

describe('exit-code mapping', () => {
  it('maps authorization states to 0, 3 and 4', () => {
    expect(authorizationExitCode('ok')).toBe(0);
    expect(authorizationExitCode('expiring')).toBe(3);
    expect(authorizationExitCode('expired')).toBe(4);
  });

  it('maps an expired client secret to 9: the app is broken, not the seller', () => {
    expect(clientSecretExitCode('expired')).toBe(9);
    expect(clientSecretExitCode('expiring')).toBe(3);
  });

  it.each([
    [[0, 3, 0], 3],
    [[3, 7], 7],
    [[3, 8, 7], 8],
    [[7, 4], 4],
    [[8, 9, 3], 9],
    [[4, 9], 9],
    [[], 0],
  ] as Array<[ExitCode[], ExitCode]>)('most urgent of %j is %i (broken now > cannot tell > soon)', (codes, expected) => {
    expect(mostUrgent(codes)).toBe(expected);
  });

  it('typed errors carry their code; anything else is an internal error', () => {
    expect(exitCodeOf(new FlowError('x'))).toBe(6);
    expect(exitCodeOf(new StoreUnavailableError('x'))).toBe(8);
    expect(exitCodeOf(new ConfigError('/f', 'bad'))).toBe(2);
    expect(exitCodeOf(new TypeError('boom'))).toBe(1);
  });
});
