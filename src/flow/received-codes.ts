// The codes the callback server has let in (callbacks and pastes), in order of
// arrival: the flow tries the first; a pasted one LWA rejects is removed, and the
// flow waits for the next. Closing with none left rejects whoever waits.

import type { CallbackResult } from './callback-verdict.js';

/** The codes received, in order of arrival; first() waits for one. Closing without any rejects the waiters. */
export function receivedCodes() {
  const queue: CallbackResult[] = [];
  const waiting: Array<{ resolve(result: CallbackResult): void; reject(error: Error): void }> = [];
  let closedWith: Error | undefined;
  return {
    add(result: CallbackResult): void {
      queue.push(result);
      for (const waiter of waiting.splice(0)) waiter.resolve(result);
    },
    remove(result: CallbackResult): void {
      const at = queue.indexOf(result);
      if (at !== -1) queue.splice(at, 1);
    },
    last: (): CallbackResult | undefined => queue.at(-1),
    first(): Promise<CallbackResult> {
      const promise =
        queue[0] !== undefined
          ? Promise.resolve(queue[0])
          : closedWith
            ? Promise.reject(closedWith)
            : new Promise<CallbackResult>((resolve, reject) => waiting.push({ resolve, reject }));
      // The flow may stop (timeout, Ctrl-C) without awaiting it: that is no crash.
      promise.catch(() => {});
      return promise;
    },
    close(error: Error): void {
      if (queue.length > 0) return;
      closedWith = error;
      for (const waiter of waiting.splice(0)) waiter.reject(error);
    },
  };
}
