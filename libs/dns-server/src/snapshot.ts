/** A snapshot: everything the query path reads, built whole from one ZoneState and then never changed. */
import { ConfigError } from '@understudy/core';
import type { ZoneState } from '@understudy/core';
import { buildFastTable } from './fast-table.js';
import type { FastTable } from './fast-table.js';
import { buildModel } from './model.js';
import type { ZoneModelSet } from './model.js';

export interface Snapshot {
  serial: number;
  epoch: number;
  model: ZoneModelSet;
  table: FastTable;
}

/**
 * Validates and pre-encodes a ZoneState. Throws ConfigError listing every problem, each naming the
 * offending RRset (e.g. "zones[0].rrsets[3]: www.example.com./A: "1.2.3" is not an IPv4 address").
 */
export function buildSnapshot(zs: ZoneState): Snapshot {
  const model = buildModel(zs);
  let table: FastTable;
  try {
    table = buildFastTable(model);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new ConfigError([{ path: 'zones', message }], 'zone state');
  }
  return { serial: zs.serial, epoch: zs.epoch, model, table };
}
