import { describe, expect, it } from 'vitest';
import { COUNTRY_CONTINENT, continentOf } from './geo-continents.js';
import { compileSteering } from './geo-steering.js';

describe('country → continent', () => {
  it('knows a few well-known codes', () => {
    expect(continentOf('DE')).toBe('EU');
    expect(continentOf('us')).toBe('NA');
    expect(continentOf('BR')).toBe('SA');
    expect(continentOf('JP')).toBe('AS');
    expect(continentOf('AU')).toBe('OC');
    expect(continentOf('ZA')).toBe('AF');
    expect(continentOf('AQ')).toBe('AN');
    expect(continentOf('ZZ')).toBeNull();
  });

  it('lists every assigned alpha-2 code once (249 in ISO 3166-1)', () => {
    expect(COUNTRY_CONTINENT.size).toBe(249);
    for (const c of COUNTRY_CONTINENT.keys()) expect(c).toMatch(/^[A-Z]{2}$/);
  });
});

describe('compileSteering', () => {
  const rules = compileSteering([
    { countries: [], continents: ['EU'] },
    { countries: ['DE', 'AT'], continents: [] },
    { countries: ['FR'], continents: ['NA'] },
  ]);

  it('a country match beats a continent match in an earlier rule', () => {
    expect(rules.pick('DE', 'EU')).toBe(1);
    expect(rules.pick('FR', 'EU')).toBe(2);
  });

  it('falls back to the first rule listing the continent, else -1', () => {
    expect(rules.pick('IT', 'EU')).toBe(0);
    expect(rules.pick('US', 'NA')).toBe(2);
    expect(rules.pick('JP', 'AS')).toBe(-1);
    expect(rules.pick(null, null)).toBe(-1);
  });

  it('a country or continent listed by two rules belongs to the first', () => {
    const twice = compileSteering([
      { countries: ['DE'], continents: ['EU'] },
      { countries: ['de'], continents: ['EU', 'AS'] },
    ]);
    expect(twice.pick('DE', 'EU')).toBe(0);
    expect(twice.pick('IT', 'EU')).toBe(0);
    expect(twice.pick('JP', 'AS')).toBe(1);
  });
});
