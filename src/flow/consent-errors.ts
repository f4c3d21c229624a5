// The errors Amazon's consent page shows instead of the Confirm button, which
// amz-token cannot see (no callback ever comes), each with the fix that applies
// to this app (SPAPI.md, "Consent-page errors"). Printed when a flow times out;
// the README's troubleshooting table says the same.

export interface ConsentApp {
  name: string;
  redirectUri: string;
  draft: boolean;
}

/** One line per error code, the code first, with a command where one fixes it. */
export function consentPageErrors(app: ConsentApp): string[] {
  const set = `amz-token app set ${app.name}`;
  const rows: Array<[string, string]> = [
    [
      'MD1000',
      app.draft
        ? `--app-id may hold the LWA client id: give the application id (amzn1.sp.solution.…) with ${set} --app-id …`
        : `the app is still in Draft: ${set} --draft (or --app-id holds the client id: ${set} --app-id amzn1.sp.solution.…)`,
    ],
    ['MD5101', `${app.redirectUri} is not a registered redirect URI: register it exactly, or ${set} --redirect-uri <the registered one>`],
    ['MD5110', `the redirect URI has a #fragment: ${set} --redirect-uri <the URI without #…>`],
    ['MD9100', "the app has no Login URI or Redirect URI: set both in the app's settings in the Developer Console (a relay page serves as both)"],
    ['SPDC8143', 'the signed-in user is not the account\'s primary user: sign in as the primary user, or give this user the "Manage Authorized Partners" permission'],
  ];
  const width = Math.max(...rows.map(([code]) => code.length));
  return rows.map(([code, fix]) => `  ${code.padEnd(width)}  ${fix}`);
}
