// Runs many live checks with at most N under way at once: fast for 200
// profiles, yet gentle on Amazon. Small enough not to need a dependency.

/**
 * Calls `work` for every item, never more than `limit` at a time, and resolves
 * with the results in the items' order. `work` should not throw (a live check
 * turns failures into results); if it does, no further item starts and the
 * first error is rethrown once the running ones have settled.
 */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit must be a whole number >= 1, got ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
