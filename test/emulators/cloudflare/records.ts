/**
 * Validation of record bodies the way the Cloudflare DNS API applies it: supported types, TTL range
 * (1 = automatic), proxiable types, content per type. Failures carry Cloudflare's 1004-style codes.
 */
import { isIPv4 } from 'node:net';
import { formatIPv6, parseIPv6 } from '@understudy/core';
import { ApiFailure, type CfRecord, type EmulatorZone } from './types.js';

export const SUPPORTED_TYPES = new Set(['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS', 'SRV', 'CAA', 'PTR']);
const PROXIABLE = new Set(['A', 'AAAA', 'CNAME']);
const HOST = /^(?:\*\.)?(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?$/;
const MAX_TTL = 86_400;
const MAX_COMMENT = 100;

export type RecordInput = Record<string, unknown>;

const invalid = (message: string): ApiFailure =>
  new ApiFailure(400, 1004, `DNS Validation Error: ${message}`);

function hostname(value: unknown, what: string): string {
  if (typeof value !== 'string') throw invalid(`${what} must be a hostname`);
  const h = value.trim().toLowerCase().replace(/\.$/, '');
  if (h.length > 253 || !HOST.test(h)) throw invalid(`${what} "${value}" is not a valid hostname`);
  return h;
}

/** Record names: "@" is the apex, names outside the zone are taken as relative (Cloudflare appends the zone). */
export function recordName(value: unknown, zone: EmulatorZone): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid('name is required');
  const raw = value.trim().toLowerCase().replace(/\.$/, '');
  if (raw === '@' || raw === zone.name) return zone.name;
  const full = raw.endsWith(`.${zone.name}`) ? raw : `${raw}.${zone.name}`;
  return hostname(full, 'name');
}

function uint16(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535)
    throw invalid(`${what} must be an integer between 0 and 65535`);
  return value;
}

function ttlOf(value: unknown, zone: EmulatorZone): number {
  const min = zone.enterprise ? 30 : 60;
  if (value === undefined) return 1;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    (value !== 1 && (value < min || value > MAX_TTL))
  )
    throw new ApiFailure(
      400,
      9021,
      `Invalid TTL ${JSON.stringify(value)}. Must be between ${min} and ${MAX_TTL}, or 1 for automatic.`,
    );
  return value;
}

interface Content {
  content: string;
  priority?: number;
  data?: Record<string, unknown>;
}

function contentOf(type: string, input: RecordInput): Content {
  const c = input['content'];
  switch (type) {
    case 'A':
      if (typeof c !== 'string' || !isIPv4(c.trim()))
        throw invalid(`content for A record is invalid: ${String(c)}`);
      return { content: c.trim() };
    case 'AAAA': {
      const g = typeof c === 'string' ? parseIPv6(c.trim()) : null;
      if (!g) throw invalid(`content for AAAA record is invalid: ${String(c)}`);
      return { content: formatIPv6(g) };
    }
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return { content: hostname(c, `content for ${type} record`) };
    case 'TXT':
      if (typeof c !== 'string' || c.length === 0 || c.length > 4096)
        throw invalid('content for TXT record must be 1 to 4096 characters');
      return { content: c };
    case 'MX':
      return {
        content: hostname(c, 'content for MX record'),
        priority: uint16(input['priority'], 'priority'),
      };
    case 'SRV':
      return srvContent(input['data']);
    case 'CAA':
      return caaContent(input['data']);
    default:
      throw invalid(`unsupported record type "${type}"`);
  }
}

function dataObject(data: unknown, type: string): Record<string, unknown> {
  if (typeof data !== 'object' || data === null) throw invalid(`${type} record requires a data object`);
  return data as Record<string, unknown>;
}

function srvContent(raw: unknown): Content {
  const d = dataObject(raw, 'SRV');
  const priority = uint16(d['priority'], 'data.priority');
  const weight = uint16(d['weight'], 'data.weight');
  const port = uint16(d['port'], 'data.port');
  const target = hostname(d['target'], 'data.target');
  return { content: `${weight} ${port} ${target}`, priority, data: { priority, weight, port, target } };
}

function caaContent(raw: unknown): Content {
  const d = dataObject(raw, 'CAA');
  const flags = d['flags'];
  if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0 || flags > 255)
    throw invalid('data.flags must be an integer between 0 and 255');
  const tag = d['tag'];
  if (typeof tag !== 'string' || !/^[a-z0-9]{1,15}$/i.test(tag)) throw invalid('data.tag is invalid');
  const value = d['value'];
  if (typeof value !== 'string') throw invalid('data.value must be a string');
  return {
    content: `${flags} ${tag.toLowerCase()} "${value}"`,
    data: { flags, tag: tag.toLowerCase(), value },
  };
}

function commentOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid('comment must be a string');
  if (value.length > MAX_COMMENT) throw invalid(`comment is longer than ${MAX_COMMENT} characters`);
  return value;
}

/** A full record from a POST or PUT body. */
export function buildRecord(
  input: RecordInput,
  zone: EmulatorZone,
  id: string,
  at: string,
  createdOn = at,
): CfRecord {
  const type = typeof input['type'] === 'string' ? input['type'].toUpperCase() : '';
  if (!SUPPORTED_TYPES.has(type)) throw invalid(`unsupported record type "${String(input['type'])}"`);
  const proxied = input['proxied'] === true;
  if (proxied && !PROXIABLE.has(type)) throw new ApiFailure(400, 9004, `${type} records cannot be proxied.`);
  const ttl = ttlOf(input['ttl'], zone);
  const tags = Array.isArray(input['tags'])
    ? input['tags'].filter((t): t is string => typeof t === 'string')
    : [];
  return {
    id,
    zone_id: zone.id,
    zone_name: zone.name,
    name: recordName(input['name'], zone),
    type,
    ...contentOf(type, input),
    // Proxied records are served with Cloudflare's fixed automatic TTL.
    ttl: proxied ? 1 : ttl,
    proxied,
    proxiable: PROXIABLE.has(type),
    comment: commentOf(input['comment']),
    tags,
    settings: {},
    meta: {},
    created_on: createdOn,
    modified_on: at,
  };
}

/** A PATCH: the given fields over the existing record, validated as a whole. */
export function patchRecord(
  existing: CfRecord,
  patch: RecordInput,
  zone: EmulatorZone,
  at: string,
): CfRecord {
  const merged: RecordInput = {
    name: existing.name,
    type: existing.type,
    content: existing.content,
    ttl: existing.ttl,
    proxied: existing.proxied,
    comment: existing.comment,
    tags: existing.tags,
    priority: existing.priority,
    data: existing.data,
    ...patch,
  };
  return buildRecord(merged, zone, existing.id, at, existing.created_on);
}
