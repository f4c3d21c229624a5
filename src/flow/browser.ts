// Opens the consent URL: $AMZ_TOKEN_BROWSER or $BROWSER when set (so users and
// tests choose the browser), otherwise the `open` package's platform default.

import { spawn } from 'node:child_process';

export async function openBrowser(url: string, env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const command = env.AMZ_TOKEN_BROWSER || env.BROWSER;
  if (command) {
    // `open` ignores BROWSER on desktops (SPAPI/TOOLCHAIN notes), so run it ourselves.
    // The command may carry arguments ("firefox --private-window"); the URL is the last one.
    const [file, ...args] = command.trim().split(/\s+/);
    const child = spawn(file!, [...args, url], { stdio: 'ignore', detached: true });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    return;
  }
  const { default: open } = await import('open');
  const child = await open(url);
  child.unref();
}
