/** Record values as written (text, MX/SRV/CAA objects, TXT plain text) → canonical presentation format. */
import { byteLength, canonicalRdata, quote, txtFromPlain } from '@understudy/core';
import type { RecordType } from '@understudy/core';
import type { Path, Problems } from './problems.js';
import { isObj } from './read.js';
import type { Obj } from './read.js';

export type ValueResult = { ok: true; value: string } | { ok: false; error: string };

const OBJECT_FIELDS: Partial<Record<RecordType, string[]>> = {
  MX: ['preference', 'exchange'],
  SRV: ['priority', 'weight', 'port', 'target'],
  CAA: ['flags', 'tag', 'value'],
};

export function canonicalValue(type: RecordType, raw: unknown): ValueResult {
  if (type === 'TXT') return txtValue(raw);
  if (isObj(raw)) return objectValue(type, raw);
  if (typeof raw === 'number') return canonicalRdata(type, String(raw));
  if (typeof raw !== 'string') return { ok: false, error: `must be a ${type} value written as text` };
  return canonicalRdata(type, raw);
}

/** TXT takes plain text (split into 255-byte strings for you) or a list of explicit character-strings. */
function txtValue(raw: unknown): ValueResult {
  if (typeof raw === 'string' || typeof raw === 'number')
    return { ok: true, value: txtFromPlain(String(raw)) };
  if (Array.isArray(raw)) {
    if (raw.length === 0) return { ok: false, error: 'a TXT value needs at least one string' };
    const parts: string[] = [];
    for (const s of raw) {
      if (typeof s !== 'string') return { ok: false, error: 'TXT character-strings must be strings' };
      if (byteLength(s) > 255) return { ok: false, error: 'a TXT character-string is longer than 255 bytes' };
      parts.push(quote(s));
    }
    return { ok: true, value: parts.join(' ') };
  }
  return { ok: false, error: 'a TXT value must be text or a list of strings' };
}

function objectValue(type: RecordType, o: Obj): ValueResult {
  const fields = OBJECT_FIELDS[type];
  if (!fields)
    return { ok: false, error: `${type} values are written as text; objects are for MX, SRV and CAA` };
  const keys = Object.keys(o);
  const missing = fields.filter((f) => o[f] === undefined);
  const extra = keys.filter((k) => !fields.includes(k));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      missing.length > 0 ? `missing ${missing.join(', ')}` : '',
      extra.length > 0 ? `unexpected ${extra.join(', ')}` : '',
    ].filter(Boolean);
    return { ok: false, error: `${type} objects need { ${fields.join(', ')} }: ${parts.join('; ')}` };
  }
  const text =
    type === 'CAA'
      ? `${String(o.flags)} ${String(o.tag)} ${quote(String(o.value))}`
      : fields.map((f) => String(o[f])).join(' ');
  return canonicalRdata(type, text);
}

/**
 * `value:` or `values:` of a record or answer → canonical values, each problem reported at its own path.
 */
export function collectValues(o: Obj, type: RecordType, at: Path, problems: Problems): string[] | undefined {
  if (o.value !== undefined && o.values !== undefined) {
    problems.error([...at, 'values'], 'give either value or values, not both');
    return undefined;
  }
  if (o.value !== undefined) return canonicalList([o.value], type, () => [...at, 'value'], problems);
  if (o.values === undefined) {
    problems.error([...at, 'values'], 'is required (or value)');
    return undefined;
  }
  const raw = Array.isArray(o.values) ? (o.values as unknown[]) : [];
  return canonicalList(raw, type, (i) => (i < 0 ? [...at, 'values'] : [...at, 'values', i]), problems);
}

/**
 * Canonical values of one RRset; `pathOf(i)` locates item i, and `pathOf(-1)` the list as a whole.
 * Duplicates collapse (an RRset is a set, RFC 2181 §5) with a warning.
 */
export function canonicalList(
  raw: readonly unknown[],
  type: RecordType,
  pathOf: (i: number) => Path,
  problems: Problems,
): string[] {
  const out: string[] = [];
  for (const [i, item] of raw.entries()) {
    const r = canonicalValue(type, item);
    if (!r.ok) problems.error(pathOf(i), r.error);
    else if (out.includes(r.value)) problems.warn(pathOf(i), `duplicate value ${r.value} is ignored`);
    else out.push(r.value);
  }
  if (type === 'CNAME' && out.length > 1)
    problems.error(pathOf(-1), 'a CNAME has exactly one value (RFC 1034 §3.6.2)');
  // At its exact length: push() leaves room for 17, and the config keeps one list per record for its life
  // (issue 11: the main process's memory at 110,000 records).
  return out.slice();
}
