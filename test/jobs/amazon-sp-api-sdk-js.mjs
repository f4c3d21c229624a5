// A job as an operator writes it with Amazon's own SDK
// (@amazon-sp-api-release/amazon-sp-api-sdk-js), run under
// `amz-token exec [--lwa-credentials] -- node amazon-sp-api-sdk-js.mjs`.
// Amazon's SDK reads no environment: the job passes the values in.
import { SellersSpApi } from '@amazon-sp-api-release/amazon-sp-api-sdk-js';

const env = process.env;
const client = new SellersSpApi.ApiClient(env.SP_API_ENDPOINT);
if (env.LWA_REFRESH_TOKEN) {
  // --lwa-credentials: the SDK refreshes on its own.
  client.enableAutoRetrievalAccessToken(env.LWA_CLIENT_ID, env.LWA_CLIENT_SECRET, env.LWA_REFRESH_TOKEN, null);
} else {
  client.applyXAmzAccessTokenToRequest(env.SP_API_ACCESS_TOKEN);
}
const response = await new SellersSpApi.SellersApi(client).getMarketplaceParticipations();
console.log(JSON.stringify({ library: 'amazon-sp-api-sdk-js', marketplaces: response.payload.map((p) => p.marketplace.countryCode) }));
