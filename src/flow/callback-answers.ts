// The two renderers of a callback verdict (callback-verdict.ts): what the
// seller's browser gets (status, page or redirect, and a line for the
// terminal), and what the operator who pasted something reads.

import type { Verdict } from './callback-verdict.js';
import { errorPage, plainErrorPage } from './pages.js';

/**
 * `stray`: a line for the terminal about a request that did not count (rate-limited:
 * a flood must not bury the terminal); `log`: a line that is always shown.
 */
export type BrowserAnswer = ({ status: 400 | 409; page: string } | { status: 302 | 303; location: string }) & { stray?: string; log?: string };

/** `donePath`: where a winning callback is sent, so the one-time code leaves the address bar and history. */
export function browserAnswer(verdict: Verdict, donePath: string): BrowserAnswer {
  switch (verdict.kind) {
    case 'accepted':
      return { status: 303, location: donePath };
    case 'repeat-of-received':
      // A reload of the winning callback (or the browser retrying it) still lands on "done".
      return { status: 303, location: donePath };
    case 'already-received':
    case 'not-waiting':
      return {
        status: 409,
        page: plainErrorPage('Already received', 'amz-token has already received an authorization and ignored this one. You can close this tab.'),
        stray: 'ignored a callback that arrived after the authorization was received',
      };
    case 'login-detour':
      return { status: 302, location: verdict.url, log: 'Amazon asked for the Login URI step; sent the browser back to Amazon' };
    case 'wrong-state':
      return {
        status: 400,
        page: errorPage('This address belongs to another authorization attempt: its state does not match the one amz-token is waiting for.'),
        stray: 'ignored a callback with the wrong state',
      };
    case 'unusable':
      return {
        status: 400,
        page: errorPage(sentence(verdict.reason)),
        stray: `ignored ${verdict.step === 'login' ? 'a Login URI request' : 'a callback'}: ${verdict.reason}`,
      };
    case 'nothing-pasted':
    case 'not-an-answer':
      // Only pastes are judged this way; a browser never gets here.
      return { status: 400, page: errorPage('This address carries no authorization.') };
  }
}

export interface TerminalAnswer {
  accepted: boolean;
  message: string;
}

export function terminalAnswer(verdict: Verdict): TerminalAnswer {
  switch (verdict.kind) {
    case 'accepted':
      return { accepted: true, message: verdict.bare ? 'accepted the pasted authorization code' : 'accepted the pasted address' };
    case 'repeat-of-received':
    case 'already-received':
      return { accepted: false, message: 'an authorization code was already received; ignoring this input' };
    case 'not-waiting':
      return { accepted: false, message: 'amz-token is no longer waiting for a code' };
    case 'login-detour':
      return {
        accepted: false,
        message: `that is Amazon's Login URI step, not the final address; open this address in the browser to continue: ${verdict.url}`,
      };
    case 'wrong-state':
      return { accepted: false, message: 'that address belongs to another authorization attempt (its state does not match); paste the address from this one' };
    case 'unusable':
      return { accepted: false, message: `that address cannot be used: ${verdict.reason}` };
    case 'nothing-pasted':
      return { accepted: false, message: 'nothing was pasted: paste the full address from the browser, or the code' };
    case 'not-an-answer':
      return { accepted: false, message: verdict.reason };
  }
}

/** A pasted code LWA rejected (`detail`: LWA's error), set aside while the flow waits on for the seller. */
export function setAsideAnswer(detail: string): TerminalAnswer {
  return {
    accepted: false,
    message: `Amazon rejected the pasted code (${detail}); still waiting for the seller: paste the whole address the browser ends on, or let its callback arrive`,
  };
}

function sentence(reason: string): string {
  const text = reason.charAt(0).toUpperCase() + reason.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
