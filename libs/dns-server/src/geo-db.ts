/**
 * Issue 14 part 3: loading the location lookup for dns.geo, once per process and only when the served
 * zones have a steered record (a plain worker never reads the database: about 8 MB).
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { DnsGeoConfig } from '@understudy/core';
import type { Reader } from 'mmdb-lib';
import { GeoLocator } from './geo-locator.js';
import type { SteerPicker } from './steer-pick.js';

// A local require, so bundlers leave these to run time: a plain worker never loads mmdb-lib.
const require = createRequire(import.meta.url);

/** The npm package of the bundled database (country only; data CC BY 4.0 by the NRO, see docs). */
export const BUNDLED_GEO_PACKAGE = '@ip-location-db/geo-whois-asn-country-mmdb';
const BUNDLED_FILE = 'geo-whois-asn-country.mmdb';

/** dns.geo when a hand-built server has none: ECS on, the bundled database, no networks. */
export const DEFAULT_GEO: DnsGeoConfig = { ecs: true, database: 'bundled', networks: [] };

/** Loads the locator into `picker` unless it has one; throws as loadGeoLocator does. */
export function ensureLocator(picker: SteerPicker, geo: DnsGeoConfig | undefined): void {
  picker.locator ??= loadGeoLocator(geo ?? DEFAULT_GEO);
}

/** The bundled database's package and version, for messages (its data is dated by the version). */
export function bundledVersion(): string {
  const pkg = require('@ip-location-db/geo-whois-asn-country-mmdb/package.json') as { version?: string };
  return `${BUNDLED_GEO_PACKAGE}@${pkg.version ?? '?'}`;
}

/** Where dns.geo.database points: the bundled package's file, a path, or null (no database). */
export function geoDatabasePath(database: string | null): string | null {
  if (database === null) return null;
  if (database !== 'bundled') return database;
  try {
    return require.resolve(`${BUNDLED_GEO_PACKAGE}/${BUNDLED_FILE}`);
  } catch (err) {
    throw new Error(
      `dns.geo.database is 'bundled' but the package ${BUNDLED_GEO_PACKAGE} is not installed (npm install it, or set a path)`,
      { cause: err },
    );
  }
}

/** Where an MMDB file's metadata starts (MaxMind DB spec): within its last 128 KiB. */
const METADATA_MARKER = Buffer.from('\xab\xcd\xefMaxMind.com', 'latin1');

/**
 * A start-up check that does not load the database (the process that runs it may never serve): the file
 * exists, is readable and ends in MMDB metadata. Throws an Error naming the path, or the package.
 */
export function checkGeoDatabase(geo: DnsGeoConfig): void {
  const path = geoDatabasePath(geo.database);
  if (path === null) return;
  let tail: Buffer;
  try {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      tail = Buffer.alloc(Math.min(size, 128 * 1024));
      readSync(fd, tail, 0, tail.length, size - tail.length);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new Error(`dns.geo.database: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (!tail.includes(METADATA_MARKER))
    throw new Error(`dns.geo.database: ${path} is not an MMDB file (no MaxMind DB metadata)`);
}

/** Reads and opens the database; throws an Error naming the path (or the package) when it cannot. */
export function loadGeoLocator(geo: DnsGeoConfig): GeoLocator {
  const path = geoDatabasePath(geo.database);
  let reader: Reader<Record<string, unknown>> | null = null;
  if (path !== null) {
    try {
      const mmdb = require('mmdb-lib') as { Reader: typeof Reader };
      reader = new mmdb.Reader(readFileSync(path));
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const what = geo.database === 'bundled' ? `the bundled database ${bundledVersion()} (${path})` : path;
      throw new Error(`dns.geo.database: cannot load ${what}: ${why}`, { cause: err });
    }
  }
  return new GeoLocator(geo.networks, reader);
}
