// The Central hosts amz-token sends sellers to, and the Login URI allowlist
// that must hold every one of them (SPAPI.md, "Seller Central hosts").
import { describe, expect, it } from 'vitest';
import { MARKETPLACES, centralOrigin, findMarketplace } from '../../src/amazon/marketplaces.js';
import { isAmazonHost } from '../../src/flow/callback-verdict.js';

describe('Central hosts', () => {
  it("India's Vendor Central is vendorcentral.amazon.in, as Amazon's developer guide says", () => {
    expect(centralOrigin(findMarketplace('IN')!, 'vendor')).toBe('https://vendorcentral.amazon.in');
  });

  it('the Login URI detour may continue on every Central host a consent URL can name', () => {
    const hosts = MARKETPLACES.flatMap((m) => [m.sellerCentral, ...(m.vendorCentral ? [m.vendorCentral] : [])]);
    expect(hosts.filter((host) => !isAmazonHost(host))).toEqual([]);
  });

  it.each([
    ['sellercentral.amazon.de', true], // a country host some tools use for the big EU marketplaces
    ['www.vendorcentral.in', true], // India's older Vendor Central host, still in Amazon's 2025 sample
    ['sellercentral.amazon.com.evil.example', false],
    ['evil-sellercentral.amazon.com', false],
    ['vendorcentral.amazon.in.evil.example', false],
    ['sellercentral.amazon.xyz', false],
  ])('%s is an Amazon Central host: %s', (host, expected) => {
    expect(isAmazonHost(host)).toBe(expected);
  });
});
