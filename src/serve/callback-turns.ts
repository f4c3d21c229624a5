// Whose turn a callback is: a state is used once (a twin of it while the first runs, a reload or a
// double click, gets the first one's answer; once that is given, the state is spent), and callbacks
// for one profile run one after the other, each judged on the config the one before left.

import { AmzTokenError } from '../errors.js';
import { STATE_SECONDS, type Answer, type Exchange } from './routes.js';

/** Used states kept in memory: each is forgotten once it has expired anyway. */
const MAX_REMEMBERED_STATES = 100_000;

interface UsedState {
  answer: Promise<Answer>;
  until: number;
  finished: boolean;
}

export interface CallbackTurns {
  /** Runs `work` for `exchange` in its turn; the answer to give its seller. */
  take(exchange: Exchange, work: () => Promise<Answer>): Promise<Answer>;
}

export function callbackTurns(basePath: string, now: () => Date): CallbackTurns {
  const busy = new Map<string, Promise<void>>();
  const states = new Map<string, UsedState>();

  function remember(nonce: string, run: Promise<Answer>): UsedState {
    const nowMs = now().getTime();
    if (states.size >= MAX_REMEMBERED_STATES) {
      for (const [key, value] of states) if (value.until <= nowMs) states.delete(key);
      for (const key of states.keys()) {
        if (states.size < MAX_REMEMBERED_STATES) break;
        states.delete(key);
      }
    }
    const failed = (error: unknown): Answer => ({
      status: 303,
      location: `${basePath}/result/try-again`,
      log: { event: 'error', fields: { reason: error instanceof AmzTokenError ? error.message : `internal error${(error as NodeJS.ErrnoException)?.code ? ` (${(error as NodeJS.ErrnoException).code})` : ''}` } },
    });
    const used: UsedState = { answer: run.catch(failed), until: nowMs + STATE_SECONDS * 1000, finished: false };
    states.set(nonce, used);
    return used;
  }

  return {
    async take(exchange, work) {
      const fields = { invitation: exchange.invitation, profile: exchange.profile };
      const earlier = states.get(exchange.nonce);
      if (earlier) {
        if (earlier.finished) return { status: 303, location: `${basePath}/result/start-again`, log: { event: 'callback-refused', fields: { ...fields, reason: 'state used' } } };
        return { ...(await earlier.answer), log: { event: 'callback-repeated', fields } };
      }
      const run = (async (): Promise<Answer> => {
        while (busy.has(exchange.profile)) await busy.get(exchange.profile);
        const done = work();
        const settled = done.then(() => undefined, () => undefined);
        busy.set(exchange.profile, settled);
        try {
          return await done;
        } finally {
          if (busy.get(exchange.profile) === settled) busy.delete(exchange.profile);
        }
      })();
      // Checked and set without an await between: a twin arriving meanwhile finds it.
      const used = remember(exchange.nonce, run);
      const answer = await used.answer;
      used.finished = true;
      return answer;
    },
  };
}
