// A job as an operator writes it with amazon-sp-api (npm `amazon-sp-api`),
// run under `amz-token exec [--lwa-credentials] -- node amazon-sp-api.mjs`.
// Prints the marketplaces the seller participates in, as JSON.
import SellingPartner from 'amazon-sp-api';

const env = process.env;
const client = env.SP_API_REFRESH_TOKEN
  ? // --lwa-credentials: the library reads SELLING_PARTNER_APP_CLIENT_ID/SECRET itself and refreshes on its own.
    new SellingPartner({ region: env.SP_API_REGION, refresh_token: env.SP_API_REFRESH_TOKEN })
  : // The access token alone: the library still insists on a refresh token and app credentials, so
    // placeholders stand in for them, and automatic refreshing is off.
    new SellingPartner({
      region: env.SP_API_REGION,
      access_token: env.SP_API_ACCESS_TOKEN,
      refresh_token: 'not-used',
      credentials: { SELLING_PARTNER_APP_CLIENT_ID: 'not-used', SELLING_PARTNER_APP_CLIENT_SECRET: 'not-used' },
      options: { auto_request_tokens: false },
    });

const participations = await client.callAPI({ operation: 'getMarketplaceParticipations', endpoint: 'sellers' });
console.log(JSON.stringify({ library: 'amazon-sp-api', marketplaces: participations.map((p) => p.marketplace.countryCode) }));
