// The HTML pages the double's "Seller Central" shows: consent, error, cancelled.
// Everything echoed from a request goes through escapeHtml.

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
${body}
</body>
</html>
`;
}

/** Mirrors Amazon's wording: "Something went wrong ... App ID: ... Error Code: MDxxxx". */
export function errorPage(code: string, message: string, applicationId?: string): string {
  const app = applicationId === undefined ? '' : `<p>App ID: ${escapeHtml(applicationId)}</p>\n`;
  return layout(
    'Something went wrong',
    `<h1>Something went wrong</h1>
<p>${escapeHtml(message)}</p>
${app}<p>Error Code: <span id="error-code">${escapeHtml(code)}</span></p>`,
  );
}

export function consentPage(opts: { applicationId: string; sellingPartnerId: string; consentId: string }): string {
  const app = escapeHtml(opts.applicationId);
  // The checkbox gates the Confirm button as on Seller Central; the server checks
  // it again, because a form can be posted without running the script.
  return layout(
    'Authorize application',
    `<h1>Authorize ${app}</h1>
<p>Application: <span id="application-id">${app}</span></p>
<p>Selling partner: <span id="selling-partner-id">${escapeHtml(opts.sellingPartnerId)}</span></p>
<form method="post" action="/apps/authorize/confirm">
  <input type="hidden" name="consent_id" value="${escapeHtml(opts.consentId)}">
  <label><input type="checkbox" id="authorize" name="authorize" value="yes"> I authorize ${app} to access my Amazon selling account data.</label>
  <p>
    <button type="submit" id="confirm" name="action" value="confirm" disabled>Confirm</button>
    <button type="submit" id="cancel" name="action" value="cancel">Cancel</button>
  </p>
</form>
<script>
  const box = document.getElementById('authorize');
  const confirmButton = document.getElementById('confirm');
  const sync = () => { confirmButton.disabled = !box.checked; };
  box.addEventListener('change', sync);
  sync();
</script>`,
  );
}

export function cancelledPage(applicationId: string): string {
  return layout(
    'Authorization cancelled',
    `<h1>You cancelled</h1>
<p>You cancelled the authorization of ${escapeHtml(applicationId)}. You can close this window.</p>`,
  );
}

export function simplePage(status: string, message: string): string {
  return layout(status, `<h1>${escapeHtml(status)}</h1>\n<p>${escapeHtml(message)}</p>`);
}
