/**
 * Request validation the way Route 53 splits it: malformed shapes are InvalidInput, well-formed changes
 * that break a rule (limits, bad values, wrong zone) are InvalidChangeBatch.
 */
import { isIP } from 'node:net';
import { inZone } from './names.js';
import type { EmuChange, EmuRecord } from './types.js';
import { routingProblem } from './routing.js';
import { SUPPORTED_TYPES, invalidBatch, invalidInput } from './types.js';

export const MAX_RECORD_ELEMENTS = 1000;
export const MAX_VALUE_CHARS = 32_000;
export const MAX_TTL = 2_147_483_647;
/** Route 53's ResourceRecord Value: at most 4,000 characters (SDK model, ResourceRecord.Value). */
export const MAX_VALUE_LENGTH = 4000;

/** ResourceRecord elements and value characters of a batch, with UPSERT counted twice. */
export function batchWeight(changes: readonly EmuChange[]): { elements: number; chars: number } {
  let elements = 0;
  let chars = 0;
  for (const c of changes) {
    const k = c.action === 'UPSERT' ? 2 : 1;
    elements += k * c.record.values.length;
    chars += k * c.record.values.reduce((n, v) => n + v.length, 0);
  }
  return { elements, chars };
}

export function validateBatch(changes: readonly EmuChange[], apex: string): void {
  if (changes.length === 0) throw invalidInput('ChangeBatch must contain at least one Change');
  const w = batchWeight(changes);
  if (w.elements > MAX_RECORD_ELEMENTS) {
    throw invalidBatch(
      `Number of records limit of ${MAX_RECORD_ELEMENTS} exceeded (${w.elements} ResourceRecord elements, UPSERT counted twice)`,
    );
  }
  if (w.chars > MAX_VALUE_CHARS) {
    throw invalidBatch(
      `Number of characters limit of ${MAX_VALUE_CHARS} exceeded (${w.chars} value characters, UPSERT counted twice)`,
    );
  }
  for (const c of changes) validateRecord(c.record, apex);
}

function validateRecord(r: EmuRecord, apex: string): void {
  if (!SUPPORTED_TYPES.has(r.type)) throw invalidInput(`Unsupported record type: ${r.type}`);
  if (!Number.isInteger(r.ttl) || r.ttl < 0 || r.ttl > MAX_TTL) {
    throw invalidInput(`TTL must be an integer from 0 to ${MAX_TTL}, got ${r.ttl}`);
  }
  const tooLong = nameProblem(r.name);
  if (tooLong) throw invalidBatch(`FATAL problem: ${tooLong} encountered with '${r.name}'`);
  if (!inZone(r.name, apex)) {
    throw invalidBatch(`RRSet with DNS name ${r.name} is not permitted in zone ${apex}`);
  }
  const routing = routingProblem(r);
  if (routing) throw invalidBatch(`Invalid request: RRSet ${r.name} ${r.type}: ${routing}`);
  if (r.alias) return;
  if (r.values.length === 0) throw invalidInput(`RRSet ${r.name} ${r.type} has no ResourceRecords`);
  if (r.values.length > 400) throw invalidBatch(`RRSet ${r.name} ${r.type} has more than 400 values`);
  const seen = new Set<string>();
  for (const v of r.values) {
    if (v.length > MAX_VALUE_LENGTH)
      throw invalidBatch(
        `Invalid Resource Record: ${r.name} ${r.type}: a value is ${v.length} characters, over ${MAX_VALUE_LENGTH}`,
      );
    const problem = valueProblem(r.type, v);
    if (problem) throw invalidBatch(`Invalid Resource Record: ${r.name} ${r.type} "${v}": ${problem}`);
    const same = v.trim().toLowerCase();
    if (seen.has(same)) throw invalidBatch(`Duplicate Resource Record: '${v}'`);
    seen.add(same);
  }
  if ((r.type === 'CNAME' || r.type === 'SOA') && r.values.length > 1) {
    throw invalidBatch(`RRSet of type ${r.type} with DNS name ${r.name} must have exactly one value`);
  }
}

/** RFC 1035 §2.3.4: labels of at most 63 octets, names of at most 255 octets on the wire. */
function nameProblem(name: string): string | null {
  const labels = name.replace(/\.$/, '').split('.');
  const bytes = (l: string): number => Buffer.byteLength(l, 'utf8');
  if (labels.some((l) => bytes(l) > 63)) return 'DomainLabelTooLong (Domain label is too long)';
  const wire = labels.reduce((n, l) => n + 1 + bytes(l), 1);
  return wire > 255 ? 'DomainNameTooLong (Domain name is too long)' : null;
}

const HOST = /^([a-z0-9_*-]+\.)*[a-z0-9_-]*\.?$/i;
const QUOTED = /^("([^"\\]|\\.)*"\s*)+$/;

/** The length in bytes of each quoted string of a TXT value: UTF-8, `\"` one byte, `\ddd` one byte. */
function txtStrings(v: string): number[] {
  return [...v.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => {
    const unescaped = m[1]!.replace(/\\(\d{3}|.)/g, (_x, e: string) => (e.length === 3 ? '\u0001' : e));
    return Buffer.byteLength(unescaped, 'utf8');
  });
}

function valueProblem(type: string, v: string): string | null {
  const f = v.trim().split(/\s+/);
  switch (type) {
    case 'A':
      return isIP(v) === 4 ? null : 'not an IPv4 address';
    case 'AAAA':
      return isIP(v) === 6 ? null : 'not an IPv6 address';
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return f.length === 1 && HOST.test(v) ? null : 'not a domain name';
    case 'MX':
      return f.length === 2 && /^\d+$/.test(f[0]!) && HOST.test(f[1]!) ? null : 'expected "preference host"';
    case 'SRV':
      return f.length === 4 && f.slice(0, 3).every((x) => /^\d+$/.test(x)) ? null : 'expected 4 fields';
    case 'TXT':
    case 'SPF':
      if (!QUOTED.test(v)) return 'expected quoted strings';
      return txtStrings(v).some((t) => t > 255) ? 'a TXT string is longer than 255 bytes' : null;
    case 'CAA':
      return f.length >= 3 && /^\d+$/.test(f[0]!) ? null : 'expected "flags tag value"';
    default:
      return v.length > 0 ? null : 'empty value';
  }
}
