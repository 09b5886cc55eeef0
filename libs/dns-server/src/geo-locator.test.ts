import { describe, expect, it } from 'vitest';
import { checkGeoDatabase, loadGeoLocator } from './geo-db.js';
import { GeoLocator } from './geo-locator.js';
import type { CountryDb } from './geo-locator.js';

/** A database that puts everything in one country, with a fixed range length, and counts lookups. */
function fakeDb(country: string, prefix: number): CountryDb & { calls: number } {
  return {
    calls: 0,
    getWithPrefixLength() {
      this.calls++;
      return [{ country_code: country }, prefix];
    },
  };
}

describe('GeoLocator', () => {
  it('operator networks beat the database, the longest prefix first', () => {
    const db = fakeDb('US', 12);
    const geo = new GeoLocator(
      [
        { prefix: '10.0.0.0/8', country: 'de' },
        { prefix: '10.1.0.0/16', country: 'FR' },
        { prefix: '2001:db8::/32', country: 'JP' },
      ],
      db,
    );
    expect(geo.locate('10.2.3.4')).toEqual({ country: 'DE', continent: 'EU', prefix: 8 });
    expect(geo.locate('10.1.3.4')).toEqual({ country: 'FR', continent: 'EU', prefix: 16 });
    expect(geo.locate('::ffff:10.1.3.4')).toEqual({ country: 'FR', continent: 'EU', prefix: 16 });
    expect(geo.locate('2001:db8:5::1')).toEqual({ country: 'JP', continent: 'AS', prefix: 32 });
    expect(db.calls).toBe(0);
    expect(geo.locate('192.0.2.1')).toEqual({ country: 'US', continent: 'NA', prefix: 12 });
    expect(geo.locate('2001:db9::1')).toEqual({ country: 'US', continent: 'NA', prefix: 12 });
    expect(db.calls).toBe(2);
  });

  it('caches lookups, and an address it cannot read is nowhere', () => {
    const db = fakeDb('BR', 10);
    const geo = new GeoLocator([], db);
    geo.locate('198.51.100.7');
    geo.locate('198.51.100.7');
    expect(db.calls).toBe(1);
    expect(geo.locate('not-an-ip')).toEqual({ country: null, continent: null, prefix: 0 });
  });

  it('names a bad operator network', () => {
    expect(() => new GeoLocator([{ prefix: '10.0.0.0/33', country: 'DE' }], null)).toThrow(
      /dns.geo.networks: 10.0.0.0\/33 is not a CIDR prefix/,
    );
  });

  it('reads the bundled database: well-known ranges in v4 and v6', () => {
    const geo = loadGeoLocator({ ecs: true, database: 'bundled', networks: [] });
    const google = geo.locate('8.8.8.8');
    expect(google.country).toBe('US');
    expect(google.prefix).toBeGreaterThan(0);
    expect(geo.locate('2001:4860:4860::8888').country).toBe('US');
    expect(geo.locate('193.0.6.139')).toMatchObject({ country: 'NL', continent: 'EU' }); // RIPE NCC
    expect(geo.locate('10.0.0.1').country).toBeNull();
  });

  it('a missing or corrupt database file is an error naming the path', () => {
    expect(() => loadGeoLocator({ ecs: true, database: '/nonexistent/geo.mmdb', networks: [] })).toThrow(
      /dns.geo.database: cannot load \/nonexistent\/geo.mmdb/,
    );
    expect(() => loadGeoLocator({ ecs: true, database: import.meta.filename, networks: [] })).toThrow(
      /cannot load .*geo-locator.test.ts/,
    );
  });

  it('the start-up check names a missing or non-MMDB file and passes the bundled one', () => {
    const geo = (database: string) => ({ ecs: true, database, networks: [] });
    expect(() => checkGeoDatabase(geo('bundled'))).not.toThrow();
    expect(() => checkGeoDatabase(geo('/nonexistent/geo.mmdb'))).toThrow(
      /cannot read \/nonexistent\/geo.mmdb/,
    );
    expect(() => checkGeoDatabase(geo(import.meta.filename))).toThrow(
      /geo-locator.test.ts is not an MMDB file/,
    );
  });
});
