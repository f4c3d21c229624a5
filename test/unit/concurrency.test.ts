// The bounded-concurrency helper behind `status --check`, driven step by step
// with promises the test settles itself: no timers, no wall clock.
import { describe, expect, it } from 'vitest';
import { mapConcurrently } from '../../src/checks/concurrency.js';

interface Gate {
  index: number;
  resolve(value: string): void;
  reject(error: Error): void;
}

/** Work whose every call waits for the test to open its gate; counts calls in flight. */
function gatedWork() {
  const waiting: Gate[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const work = (_item: number, index: number) =>
    new Promise<string>((resolve, reject) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const done = () => (inFlight -= 1);
      waiting.push({
        index,
        resolve: (v) => (done(), resolve(v)),
        reject: (e) => (done(), reject(e)),
      });
    });
  return {
    work,
    waiting,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

/** Lets the helper's continuations run after a gate opens. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('mapConcurrently', () => {
  it('runs exactly `limit` at once while items remain, and starts the next as soon as one finishes', async () => {
    const g = gatedWork();
    const items = Array.from({ length: 10 }, (_, i) => i);
    const all = mapConcurrently(items, 3, g.work);
    await settle();
    expect(g.inFlight).toBe(3);
    expect(g.waiting.map((w) => w.index)).toEqual([0, 1, 2]);

    g.waiting[1]!.resolve('r1');
    await settle();
    expect(g.inFlight).toBe(3);
    expect(g.waiting.map((w) => w.index)).toEqual([0, 1, 2, 3]);

    // Finish the rest newest first: the pool stays full until the items run out.
    const finished = new Set([1]);
    while (finished.size < items.length) {
      const newest = g.waiting.filter((w) => !finished.has(w.index)).at(-1)!;
      finished.add(newest.index);
      newest.resolve(`r${newest.index}`);
      await settle();
      expect(g.inFlight).toBe(Math.min(3, items.length - finished.size));
    }
    expect(await all).toEqual(items.map((i) => `r${i}`));
    expect(g.maxInFlight).toBe(3);
  });

  it('never starts more than there are items', async () => {
    const g = gatedWork();
    const all = mapConcurrently([1, 2], 32, g.work);
    await settle();
    expect(g.inFlight).toBe(2);
    g.waiting.forEach((w) => w.resolve(`r${w.index}`));
    expect(await all).toEqual(['r0', 'r1']);
  });

  it('runs one at a time with a limit of 1', async () => {
    const g = gatedWork();
    const all = mapConcurrently([1, 2, 3], 1, g.work);
    for (let i = 0; i < 3; i++) {
      await settle();
      expect(g.inFlight).toBe(1);
      g.waiting[i]!.resolve(`r${i}`);
    }
    expect(await all).toEqual(['r0', 'r1', 'r2']);
    expect(g.maxInFlight).toBe(1);
  });

  it('resolves an empty list without calling work', async () => {
    expect(await mapConcurrently([], 4, async () => 'never')).toEqual([]);
  });

  it('after a failure starts no new item, lets running ones finish, then rethrows the first error', async () => {
    const g = gatedWork();
    const all = mapConcurrently([1, 2, 3, 4, 5], 2, g.work);
    const outcome = all.then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    await settle();
    g.waiting[0]!.reject(new Error('first'));
    await settle();
    expect(g.waiting).toHaveLength(2);
    g.waiting[1]!.reject(new Error('second'));
    expect(await outcome).toBe('first');
    expect(g.waiting).toHaveLength(2);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a limit of %s', async (limit) => {
    await expect(mapConcurrently([1], limit, async () => 'x')).rejects.toThrow(RangeError);
  });
});
