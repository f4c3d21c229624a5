// Amazon's marketplaces: region, marketplace id and the Seller/Vendor Central
// hosts that serve the consent page (../shared/SPAPI.md). One consent covers a
// whole region, but the consent page lives on a marketplace's Central host.

export type Region = 'na' | 'eu' | 'fe';
export const REGIONS: readonly Region[] = ['na', 'eu', 'fe'];

export interface Marketplace {
  /** ISO country code as operators write it (UK, not GB: Amazon's own usage). */
  code: string;
  name: string;
  region: Region;
  marketplaceId: string;
  sellerCentral: string;
  /** Undefined where Amazon runs no Vendor Central for the marketplace. */
  vendorCentral?: string;
  /** True where no official source settles the host; override with AMZ_TOKEN_CENTRAL_URL. */
  unconfirmed?: true;
}

const EU_SELLER = 'sellercentral-europe.amazon.com';

export const MARKETPLACES: readonly Marketplace[] = [
  { code: 'US', name: 'United States', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerCentral: 'sellercentral.amazon.com', vendorCentral: 'vendorcentral.amazon.com' },
  { code: 'CA', name: 'Canada', region: 'na', marketplaceId: 'A2EUQ1WTGCTBG2', sellerCentral: 'sellercentral.amazon.ca', vendorCentral: 'vendorcentral.amazon.ca' },
  { code: 'MX', name: 'Mexico', region: 'na', marketplaceId: 'A1AM78C64UM0Y8', sellerCentral: 'sellercentral.amazon.com.mx', vendorCentral: 'vendorcentral.amazon.com.mx' },
  { code: 'BR', name: 'Brazil', region: 'na', marketplaceId: 'A2Q3Y263D00KWC', sellerCentral: 'sellercentral.amazon.com.br', vendorCentral: 'vendorcentral.amazon.com.br' },
  { code: 'UK', name: 'United Kingdom', region: 'eu', marketplaceId: 'A1F83G8C2ARO7P', sellerCentral: EU_SELLER, vendorCentral: 'vendorcentral.amazon.co.uk' },
  { code: 'DE', name: 'Germany', region: 'eu', marketplaceId: 'A1PA6795UKMFR9', sellerCentral: EU_SELLER, vendorCentral: 'vendorcentral.amazon.de' },
  { code: 'FR', name: 'France', region: 'eu', marketplaceId: 'A13V1IB3VIYZZH', sellerCentral: EU_SELLER, vendorCentral: 'vendorcentral.amazon.fr' },
  { code: 'IT', name: 'Italy', region: 'eu', marketplaceId: 'APJ6JRA9NG5V4', sellerCentral: EU_SELLER, vendorCentral: 'vendorcentral.amazon.it' },
  { code: 'ES', name: 'Spain', region: 'eu', marketplaceId: 'A1RKKUPIHCS9HS', sellerCentral: EU_SELLER, vendorCentral: 'vendorcentral.amazon.es' },
  { code: 'NL', name: 'Netherlands', region: 'eu', marketplaceId: 'A1805IZSGTT6HS', sellerCentral: 'sellercentral.amazon.nl', vendorCentral: 'vendorcentral.amazon.nl' },
  { code: 'SE', name: 'Sweden', region: 'eu', marketplaceId: 'A2NODRKZP88ZB9', sellerCentral: 'sellercentral.amazon.se', vendorCentral: 'vendorcentral.amazon.se' },
  { code: 'PL', name: 'Poland', region: 'eu', marketplaceId: 'A1C3SOZRARQ6R3', sellerCentral: 'sellercentral.amazon.pl', vendorCentral: 'vendorcentral.amazon.pl' },
  { code: 'TR', name: 'Turkey', region: 'eu', marketplaceId: 'A33AVAJ2PDY3EV', sellerCentral: 'sellercentral.amazon.com.tr', vendorCentral: 'vendorcentral.amazon.com.tr' },
  { code: 'BE', name: 'Belgium', region: 'eu', marketplaceId: 'AMEN7PMS3EDWL', sellerCentral: 'sellercentral.amazon.com.be', vendorCentral: 'vendorcentral.amazon.com.be' },
  { code: 'AE', name: 'United Arab Emirates', region: 'eu', marketplaceId: 'A2VIGQ35RCS4UG', sellerCentral: 'sellercentral.amazon.ae', vendorCentral: 'vendorcentral.amazon.me' },
  { code: 'SA', name: 'Saudi Arabia', region: 'eu', marketplaceId: 'A17E79C6D8DWNP', sellerCentral: 'sellercentral.amazon.sa', vendorCentral: 'vendorcentral.amazon.me' },
  { code: 'EG', name: 'Egypt', region: 'eu', marketplaceId: 'ARBP9OOSHTCHU', sellerCentral: 'sellercentral.amazon.eg', vendorCentral: 'vendorcentral.amazon.me' },
  // Amazon's developer guide moved India's Vendor Central to vendorcentral.amazon.in; its
  // 2025 sample still uses www.vendorcentral.in (accepted on the Login URI detour too).
  { code: 'IN', name: 'India', region: 'eu', marketplaceId: 'A21TJRUUN4KGV', sellerCentral: 'sellercentral.amazon.in', vendorCentral: 'vendorcentral.amazon.in' },
  { code: 'IE', name: 'Ireland', region: 'eu', marketplaceId: 'A28R8C7NBKEWEA', sellerCentral: 'sellercentral.amazon.ie', unconfirmed: true },
  { code: 'ZA', name: 'South Africa', region: 'eu', marketplaceId: 'AE08WJ6YKNBMC', sellerCentral: 'sellercentral.amazon.co.za', unconfirmed: true },
  { code: 'SG', name: 'Singapore', region: 'fe', marketplaceId: 'A19VAU5U5O7RUS', sellerCentral: 'sellercentral.amazon.sg', vendorCentral: 'vendorcentral.amazon.com.sg' },
  { code: 'AU', name: 'Australia', region: 'fe', marketplaceId: 'A39IBJ37TRP1C6', sellerCentral: 'sellercentral.amazon.com.au', vendorCentral: 'vendorcentral.amazon.com.au' },
  { code: 'JP', name: 'Japan', region: 'fe', marketplaceId: 'A1VC38T7YXB528', sellerCentral: 'sellercentral.amazon.co.jp', vendorCentral: 'vendorcentral.amazon.co.jp' },
];

/** Looks a marketplace up by country code, case-insensitively; GB is accepted for UK. */
export function findMarketplace(code: string): Marketplace | undefined {
  const wanted = code.trim().toUpperCase();
  const normalized = wanted === 'GB' ? 'UK' : wanted;
  return MARKETPLACES.find((m) => m.code === normalized);
}

export function isRegion(value: string): value is Region {
  return (REGIONS as readonly string[]).includes(value);
}

/** SP-API endpoint origin of a region (used by live checks). */
export function spApiOrigin(region: Region): string {
  return `https://sellingpartnerapi-${region}.amazon.com`;
}

/** The Central origin that serves the consent page for a marketplace and role. */
export function centralOrigin(marketplace: Marketplace, role: 'seller' | 'vendor'): string {
  const host = role === 'vendor' ? marketplace.vendorCentral : marketplace.sellerCentral;
  if (host === undefined) throw new Error(`no Vendor Central host for ${marketplace.code}`);
  return `https://${host}`;
}
