// Reads an app's client secret and a profile's refresh token, honouring the
// CI overrides AMZ_TOKEN_CLIENT_SECRET and AMZ_TOKEN_REFRESH_TOKEN (like GH_TOKEN).

import { NotFoundError } from '../errors.js';
import type { Deps } from '../deps.js';
import { accounts } from './accounts.js';

export async function clientSecretOf(deps: Deps, app: string): Promise<string> {
  const override = deps.env.AMZ_TOKEN_CLIENT_SECRET?.trim();
  if (override) return override;
  const store = await deps.secretStore();
  const secret = await store.get(accounts.clientSecret(app));
  if (secret === null) {
    throw new NotFoundError(`no client secret stored for app "${app}" in ${store.description}`, `store it with: amz-token app set-secret ${app}`);
  }
  return secret;
}

export async function refreshTokenOf(deps: Deps, profile: string): Promise<string> {
  const override = deps.env.AMZ_TOKEN_REFRESH_TOKEN?.trim();
  if (override) return override;
  const store = await deps.secretStore();
  const token = await store.get(accounts.refreshToken(profile));
  if (token === null) {
    throw new NotFoundError(`no refresh token stored for profile "${profile}" in ${store.description}`, `renew it with: amz-token renew --profile ${profile}`);
  }
  return token;
}
