// The HTML pages the loopback callback server shows in the seller's browser.
// Self-contained (no scripts, no external resources) to fit the server's strict CSP.

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

// Shared with the relay page so both look like one tool.
export const PAGE_STYLE = `
  :root { color-scheme: light dark; }
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  main { max-width: 36rem; margin: 0 auto; padding: 1.5rem 1rem; overflow-wrap: anywhere; }
  h1 { font-size: 1.4rem; line-height: 1.3; margin: 0 0 1rem; }
  p { margin: 0 0 1rem; }
  .product { font-size: 0.875rem; opacity: 0.75; margin-bottom: 0.5rem; }
`;

function page(title: string, heading: string, paragraphs: readonly string[]): string {
  const body = paragraphs.map((text) => `    <p>${escapeHtml(text)}</p>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>${escapeHtml(title)} – amz-token</title>
  <style>${PAGE_STYLE}</style>
</head>
<body>
  <main>
    <p class="product">amz-token</p>
    <h1>${escapeHtml(heading)}</h1>
${body}
  </main>
</body>
</html>
`;
}

export function successPage(): string {
  return page('Authorization received', 'Authorization received', [
    'You can close this tab and return to the terminal.',
  ]);
}

export function errorPage(message: string): string {
  return page('Authorization not completed', 'This authorization did not go through', [
    message,
    'amz-token is still waiting in the terminal. Check what it printed there, or start again from the link it gave you.',
  ]);
}

export function notFoundPage(): string {
  return page('Not found', 'Nothing here', [
    'This address belongs to amz-token, which only answers Amazon’s authorization callback.',
  ]);
}

/** For answers that are not about the authorization at all (405, 414, 421...). */
export function plainErrorPage(title: string, message: string): string {
  return page(title, title, [message]);
}
