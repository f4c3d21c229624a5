// doctor must end within seconds whatever hangs (a keyring waiting on a prompt, a queue
// that never answers): each such check races a timer. The work itself may not be
// cancellable; it is left to settle on its own, its failure swallowed.

/** `work`, or `late()`'s error once `ms` have passed. */
export async function within<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, expired]);
  } catch (error) {
    work.catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
