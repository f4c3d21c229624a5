// The one table of the errors an operator meets from Amazon: the consent page's
// codes (which amz-token cannot see: no callback ever comes), Login with Amazon's
// errors and the SP-API's 403 forms, each with its usual causes and the command
// that fixes it (SPAPI.md). A timed-out flow prints the consent-page rows,
// `amz-token explain CODE` prints one entry, and `npm run readme` writes the
// README's troubleshooting table from it. No imports: scripts/readme.mjs bundles it alone.

/** What a fix may name; absent fields become placeholders (`<app>`, `<profile>`). */
export interface ConsentApp {
  name: string;
  redirectUri?: string;
  draft?: boolean;
  profile?: string;
}

export type CodeSource = 'consent page' | 'Login with Amazon' | 'SP-API';

export interface KnownCode {
  /** As Amazon writes it; `explain` matches it case-insensitively. */
  code: string;
  /** Other spellings that find this entry ("403" finds every 403 form). */
  aliases?: readonly string[];
  where: CodeSource;
  /** What Amazon is saying, in a few words. */
  meaning: string;
  /** Why it usually happens, most frequent first. */
  causes: readonly string[];
  /** The next step, naming the command where one exists. */
  fix: (app: ConsentApp) => string;
}

const set = (app: ConsentApp) => `amz-token app set ${app.name}`;
/** Commands are marked as Markdown code: the README keeps the marks, the terminal drops them (plain). */
const cmd = (text: string) => `\`${text}\``;
const profile = (app: ConsentApp) => app.profile ?? '<profile>';

export const KNOWN_CODES: readonly KnownCode[] = [
  {
    code: 'MD1000',
    where: 'consent page',
    meaning: 'Amazon cannot find the application the consent URL names',
    causes: ['the app is still in Draft and the consent URL lacks `version=beta`', '`--app-id` holds the LWA client id (amzn1.application-oa2-client.…) instead of the application id'],
    fix: (app) =>
      app.draft === true
        ? `--app-id may hold the LWA client id: ${cmd(`${set(app)} --app-id amzn1.sp.solution.…`)}`
        : `if the app is in Draft: ${cmd(`${set(app)} --draft`)}; if --app-id holds the client id: ${cmd(`${set(app)} --app-id amzn1.sp.solution.…`)}`,
  },
  {
    code: 'MD5101',
    where: 'consent page',
    meaning: 'the redirect URI in the consent URL is not registered for the app',
    causes: ["the redirect URI amz-token sends is not one of the app's registered redirect URIs, exactly (scheme, host, path, trailing slash)"],
    fix: (app) => `register ${app.redirectUri ?? 'it'} in the Developer Console, or ${cmd(`${set(app)} --redirect-uri <the registered one>`)}`,
  },
  {
    code: 'MD5110',
    where: 'consent page',
    meaning: 'the redirect URI carries a `#fragment`',
    causes: ['a redirect URI with `#…` (Amazon refuses fragments)'],
    fix: (app) => `${cmd(`${set(app)} --redirect-uri <the URI without #…>`)} (app add refuses one)`,
  },
  {
    code: 'MD9000',
    where: 'consent page',
    meaning: 'the developer is not currently eligible for new authorizations',
    causes: ['the app awaits Amazon\'s review (a draft app gets MD9000 with `version=beta`, MD1000 without)', 'the developer account is restricted'],
    fix: () => "wait for Amazon's review, or ask Developer Support about the developer account; no command fixes it",
  },
  {
    code: 'MD9010',
    where: 'consent page',
    meaning: 'a hybrid app has no MWS developer id in this region',
    causes: ['a hybrid (SP-API + MWS) app authorized in a region where it has no MWS developer id'],
    fix: () => "register the app's MWS developer id for the region in the Developer Console, or make the app SP-API only",
  },
  {
    code: 'MD9100',
    where: 'consent page',
    meaning: 'the app cannot be authorized as registered (unconfirmed)',
    causes: ['the app has no Login URI or no Redirect URI', 'a draft app'],
    fix: () => "set both in the app's settings in the Developer Console (a relay page serves as both; `amz-token doctor` prints serve's)",
  },
  {
    code: 'SPDC8143',
    where: 'consent page',
    meaning: "the signed-in user may not authorize apps for this account",
    causes: ["the signed-in user is not the seller account's primary user"],
    fix: () => 'sign in as the primary user, or give this user the "Manage Authorized Partners" permission',
  },
  {
    code: 'invalid_grant',
    where: 'Login with Amazon',
    meaning: 'LWA refused the refresh token or the authorization code',
    causes: [
      'the authorization expired (365 days) or the seller revoked it: the two cannot be told apart',
      'an authorization code used twice, after five minutes, with another redirect URI, or issued to another client',
    ],
    fix: (app) => `${cmd(`amz-token renew --profile ${profile(app)}`)} (or send a link: ${cmd(`amz-token invite --profile ${profile(app)}`)}); for a code, run the flow again`,
  },
  {
    code: 'invalid_client',
    where: 'Login with Amazon',
    meaning: "LWA refused the app's client id or client secret (HTTP 401)",
    causes: ['the client secret expired (every 180 days) or was rotated elsewhere', 'a wrong client secret, or a client id of another app'],
    fix: (app) => `${cmd(`amz-token app rotate-secret ${app.name}`)}; or rotate in the Developer Console, then ${cmd(`amz-token app set-secret ${app.name}`)}`,
  },
  {
    code: 'unauthorized_client',
    where: 'Login with Amazon',
    meaning: 'the app may not use this grant',
    causes: ['a grantless request (client_credentials) from a vendor app', 'an app that Amazon has suspended or not yet approved for the role'],
    fix: (app) => `check the app in the Developer Console; prove it again with ${cmd(`amz-token doctor --app ${app.name}`)}`,
  },
  {
    code: 'invalid_scope',
    where: 'Login with Amazon',
    meaning: 'LWA does not know the grantless scope asked for, or the app may not have it',
    causes: ['a grantless scope misspelt (`sellingpartnerapi::client_credential:rotation` is singular)', 'grantless operations asked by a vendor app'],
    fix: (app) => `use scope notifications or rotation: ${cmd(`amz-token token --grantless --app ${app.name} --scope rotation`)}`,
  },
  {
    code: '403-secret-expired',
    aliases: ['403', 'Unauthorized'],
    where: 'SP-API',
    meaning: 'HTTP 403 "The LWA secret token you provided has expired."',
    causes: ["the app's client secret expired: every seller of the app stops at once (a renew does not help)"],
    fix: (app) => `${cmd(`amz-token app rotate-secret ${app.name}`)}; or rotate in the Developer Console, then ${cmd(`amz-token app set-secret ${app.name}`)}`,
  },
  {
    code: '403-access-denied',
    aliases: ['403', 'Unauthorized'],
    where: 'SP-API',
    meaning: 'HTTP 403 Unauthorized "Access to requested resource is denied."',
    causes: [
      'the app gained a role after the seller authorized it: the seller must authorize again',
      "the call goes to another region's endpoint than the authorization's",
      'the operation needs a role the app does not have (e.g. Pricing), or a Restricted Data Token',
    ],
    fix: (app) => `after adding the role: ${cmd(`amz-token renew --profile ${profile(app)}`)}; ${cmd(`amz-token exec --profile ${profile(app)}`)} hands the job the region's SP_API_ENDPOINT`,
  },
  {
    code: '403-invalid-token',
    aliases: ['403', 'Unauthorized'],
    where: 'SP-API',
    meaning: 'HTTP 403 "The access token you provided is revoked, malformed or invalid."',
    causes: ['a refresh token or client secret sent where the access token belongs', 'an access token cut short by a shell or a CI variable', 'the authorization was revoked within the hour'],
    fix: (app) => `${cmd(`amz-token status --check --profile ${profile(app)}`)}; send the access token of ${cmd(`amz-token token --profile ${profile(app)}`)} as x-amz-access-token`,
  },
];

/** The entries `code` names (several for "403"), case-insensitively; none when unknown. */
export function lookUpCode(code: string): KnownCode[] {
  const wanted = code.trim().toLowerCase();
  const exact = KNOWN_CODES.filter((entry) => entry.code.toLowerCase() === wanted);
  return exact.length ? exact : KNOWN_CODES.filter((entry) => entry.aliases?.some((alias) => alias.toLowerCase() === wanted));
}

/** One line per consent-page code, the code first, with a command where one fixes it (printed when a flow times out). */
export function consentPageErrors(app: ConsentApp): string[] {
  const rows = KNOWN_CODES.filter((entry) => entry.where === 'consent page');
  const width = Math.max(...rows.map(({ code }) => code.length));
  return rows.map((entry) => `  ${entry.code.padEnd(width)}  ${plain(entry.meaning)}: ${plain(entry.fix(app))}`);
}

/** Markdown's code marks are not the terminal's. */
export function plain(text: string): string {
  return text.replace(/`/g, '');
}

/** The README's troubleshooting table (Markdown), for the README's example app and profile. */
export function troubleshootingMarkdown(): string {
  const app: ConsentApp = { name: 'my-app', profile: 'shop-de' };
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = KNOWN_CODES.map((entry) => `| ${entry.code} | ${entry.where} | ${cell(entry.causes.join('; or '))} | ${cell(entry.fix(app))} |`);
  return ['| code | shown by | usual cause | fix |', '|---|---|---|---|', ...rows].join('\n');
}
