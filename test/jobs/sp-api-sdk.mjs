// A job as an operator writes it with bizon's @sp-api-sdk (auth + common),
// run under `amz-token exec [--lwa-credentials] -- node sp-api-sdk.mjs`.
// (There is no @sp-api-sdk package for the Sellers API; its generated clients
// are built on the same createAxiosInstance used here.)
import { SellingPartnerApiAuth } from '@sp-api-sdk/auth';
import { createAxiosInstance } from '@sp-api-sdk/common';

const env = process.env;
const auth = env.LWA_REFRESH_TOKEN
  ? // --lwa-credentials: clientId, clientSecret and refreshToken default to LWA_CLIENT_ID, LWA_CLIENT_SECRET, LWA_REFRESH_TOKEN.
    new SellingPartnerApiAuth({})
  : // The access token alone: all the client asks of `auth` is getAccessToken().
    { getAccessToken: async () => env.SP_API_ACCESS_TOKEN };

const { axios, endpoint } = createAxiosInstance({ auth, region: env.SP_API_REGION }, []);
const { data } = await axios.get(`${endpoint}/sellers/v1/marketplaceParticipations`);
console.log(JSON.stringify({ library: '@sp-api-sdk', marketplaces: data.payload.map((p) => p.marketplace.countryCode) }));
