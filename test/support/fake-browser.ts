// A browser for in-process flow tests: it loads the consent page of the Amazon
// double over HTTP, ticks "I authorize", confirms, and follows Amazon's
// redirects (the Login URI detour included) to amz-token's real callback server.
import { confirmConsent } from './flow.js';

export interface FakeBrowser {
  /** What amz-token calls as deps.openBrowser. It returns at once, as a real browser does. */
  open(url: string): Promise<void>;
  /** The address Amazon sent the browser to after Confirm (it carries the code, or the detour). */
  confirmed(): Promise<string>;
  /** The last answer of the redirect chain (the done page), once the browser got there. */
  landed(): Promise<{ status: number; url: string }>;
}

/** `followRedirect: false` plays a browser that cannot reach this machine: the operator pastes instead. */
export function fakeBrowser(options: { followRedirect?: boolean } = {}): FakeBrowser {
  let open: (url: string) => void = () => {};
  const opened = new Promise<string>((resolve) => (open = resolve));
  const confirmed = opened.then((url) => confirmConsent(url));
  const landed = confirmed.then(async (location) => {
    if (options.followRedirect === false) return { status: 0, url: location };
    const response = await fetch(location);
    await response.arrayBuffer();
    return { status: response.status, url: response.url };
  });
  landed.catch(() => {});
  return {
    async open(url) {
      open(url);
    },
    confirmed: () => confirmed,
    landed: () => landed,
  };
}
