// The variables exec and env hand over, and what else a job's environment
// keeps or loses: pure functions, no keychain.
import { describe, expect, it } from 'vitest';
import { jobEnvironment, jobVariables, LWA_CREDENTIAL_NAMES, type JobCredentials } from '../../src/job/variables.js';
import type { ProfileRecord } from '../../src/config/config.js';

const RECORD: ProfileRecord = {
  app: 'my-app',
  region: 'eu',
  marketplace: 'DE',
  role: 'seller',
  sellingPartnerId: 'A3EXAMPLE12345',
  authorizedAt: '2026-03-01T00:00:00.000Z',
  expiresAt: '2027-03-01T00:00:00.000Z',
};
const CREDENTIALS: JobCredentials = {
  profile: 'shop-de',
  record: RECORD,
  accessToken: 'Atza|access',
  expiresAt: new Date('2026-11-27T13:00:00Z'),
  endpoint: 'https://sellingpartnerapi-eu.amazon.com',
};
const LWA = { clientId: 'amzn1.application-oa2-client.abc', clientSecret: 'amzn1.oa2-cs.v1.secret', refreshToken: 'Atzr|refresh' };

const asObject = (credentials: JobCredentials) => Object.fromEntries(jobVariables(credentials).map((v) => [v.name, v.value]));

describe('jobVariables', () => {
  it('hands over an access token and the profile, and no long-lived secret by default', () => {
    expect(asObject(CREDENTIALS)).toEqual({
      SP_API_ACCESS_TOKEN: 'Atza|access',
      SP_API_ACCESS_TOKEN_EXPIRES_AT: '2026-11-27T13:00:00.000Z',
      SP_API_REGION: 'eu',
      SP_API_ENDPOINT: 'https://sellingpartnerapi-eu.amazon.com',
      SP_API_MARKETPLACE_ID: 'A1PA6795UKMFR9',
      SP_API_DEFAULT_MARKETPLACE: 'DE',
      SP_API_SELLING_PARTNER_ID: 'A3EXAMPLE12345',
      AMZ_TOKEN_PROFILE: 'shop-de',
    });
    expect(jobVariables(CREDENTIALS).filter((v) => v.secret).map((v) => v.name)).toEqual(['SP_API_ACCESS_TOKEN']);
  });

  it('with the long-lived credentials, sets every name the common libraries read, and marks the secrets', () => {
    const variables = jobVariables({ ...CREDENTIALS, lwa: LWA });
    const values = Object.fromEntries(variables.map((v) => [v.name, v.value]));
    expect(values).toMatchObject({
      LWA_CLIENT_ID: LWA.clientId,
      LWA_APP_ID: LWA.clientId,
      SELLING_PARTNER_APP_CLIENT_ID: LWA.clientId,
      LWA_CLIENT_SECRET: LWA.clientSecret,
      SELLING_PARTNER_APP_CLIENT_SECRET: LWA.clientSecret,
      LWA_REFRESH_TOKEN: LWA.refreshToken,
      SP_API_REFRESH_TOKEN: LWA.refreshToken,
    });
    expect(variables).toHaveLength(15);
    expect(variables.filter((v) => v.secret).map((v) => v.name).sort()).toEqual(
      ['SP_API_ACCESS_TOKEN', 'LWA_CLIENT_SECRET', 'SELLING_PARTNER_APP_CLIENT_SECRET', 'LWA_REFRESH_TOKEN', 'SP_API_REFRESH_TOKEN'].sort(),
    );
  });

  it('names the marketplace by id and country code for a far-east vendor profile too', () => {
    const values = asObject({ ...CREDENTIALS, record: { ...RECORD, region: 'fe', marketplace: 'JP', role: 'vendor' }, endpoint: 'https://sellingpartnerapi-fe.amazon.com' });
    expect(values).toMatchObject({ SP_API_REGION: 'fe', SP_API_MARKETPLACE_ID: 'A1VC38T7YXB528', SP_API_DEFAULT_MARKETPLACE: 'JP' });
  });
});

describe('jobEnvironment', () => {
  const parent = {
    PATH: '/usr/bin',
    HOME: '/home/ops',
    AMZ_TOKEN_PROFILE: 'other',
    AMZ_TOKEN_REFRESH_TOKEN: 'Atzr|ci-override',
    AMZ_TOKEN_CLIENT_SECRET: 'amzn1.oa2-cs.v1.ci-override',
    LWA_CLIENT_SECRET: 'amzn1.oa2-cs.v1.stale',
    SELLING_PARTNER_APP_CLIENT_SECRET: 'amzn1.oa2-cs.v1.stale',
    LWA_REFRESH_TOKEN: 'Atzr|stale',
    SP_API_REFRESH_TOKEN: 'Atzr|stale',
    SP_API_REFRESH_TOKEN_default: 'Atzr|stale-python-account',
    LWA_CLIENT_SECRET_PROD: 'amzn1.oa2-cs.v1.stale-python-account',
    SP_API_ACCESS_TOKEN: 'Atza|stale',
    LWA_CLIENT_ID: 'amzn1.application-oa2-client.parent',
    UNSET: undefined,
  };

  it('keeps amz-token\'s environment, drops its CI overrides and every long-lived secret name, and sets the variables', () => {
    const env = jobEnvironment(parent, jobVariables(CREDENTIALS));
    expect(env).toMatchObject({ PATH: '/usr/bin', HOME: '/home/ops', AMZ_TOKEN_PROFILE: 'shop-de', SP_API_ACCESS_TOKEN: 'Atza|access' });
    for (const name of [
      'AMZ_TOKEN_REFRESH_TOKEN',
      'AMZ_TOKEN_CLIENT_SECRET',
      ...LWA_CREDENTIAL_NAMES.clientSecret,
      ...LWA_CREDENTIAL_NAMES.refreshToken,
      'SP_API_REFRESH_TOKEN_default',
      'LWA_CLIENT_SECRET_PROD',
      'UNSET',
    ]) {
      expect(env, name).not.toHaveProperty(name);
    }
    const values = Object.values(env).join('\n');
    expect(values).not.toMatch(/Atzr\||oa2-cs/);
  });

  it('with the long-lived credentials, gives amz-token\'s values and none of the inherited ones', () => {
    const env = jobEnvironment(parent, jobVariables({ ...CREDENTIALS, lwa: LWA }));
    expect(env).toMatchObject({ LWA_CLIENT_ID: LWA.clientId, LWA_CLIENT_SECRET: LWA.clientSecret, SP_API_REFRESH_TOKEN: LWA.refreshToken });
    expect(env).not.toHaveProperty('SP_API_REFRESH_TOKEN_default');
    expect(env).not.toHaveProperty('AMZ_TOKEN_REFRESH_TOKEN');
    expect(Object.values(env).join('\n')).not.toContain('stale');
  });
});
