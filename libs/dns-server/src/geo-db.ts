/**
 * Issue 14 part 3: loading the location lookup for dns.geo, once per process and only when the served
 * zones have a steered record (a plain worker never reads the database: about 8 MB).
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { DnsGeoConfig } from '@understudy/core';
import { Reader } from 'mmdb-lib';
import { GeoLocator } from './geo-locator.js';
import type { SteerPicker } from './steer-pick.js';

// A local require, so bundlers leave the database package to run time. mmdb-lib itself is bundled (about
// 20 KB of code); only the database (about 8 MB) is what a plain worker must never read.
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
  try {
    const pkg = require('@ip-location-db/geo-whois-asn-country-mmdb/package.json') as { version?: string };
    return `${BUNDLED_GEO_PACKAGE}@${pkg.version ?? '?'}`;
  } catch {
    return `${BUNDLED_GEO_PACKAGE} (shipped in dist/geo)`;
  }
}

/** Where dns.geo.database points: the bundled package's file, a path, or null (no database). */
export function geoDatabasePath(database: string | null): string | null {
  if (database === null) return null;
  if (database !== 'bundled') return database;
  // The installed npm package is bundled and has no node_modules: its build copies the file to dist/geo,
  // beside the bundle's chunks (scripts/build.mjs).
  const shipped = fileURLToPath(new URL(`./geo/${BUNDLED_FILE}`, import.meta.url));
  if (existsSync(shipped)) return shipped;
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
      reader = new Reader(readFileSync(path));
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const what = geo.database === 'bundled' ? `the bundled database ${bundledVersion()} (${path})` : path;
      throw new Error(`dns.geo.database: cannot load ${what}: ${why}`, { cause: err });
    }
  }
  return new GeoLocator(geo.networks, reader);
}
