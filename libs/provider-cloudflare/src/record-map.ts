/**
 * Cloudflare record bodies ↔ canonical presentation values. Cloudflare keeps one record per value and
 * splits some types into fields: MX `priority` + `content`, SRV and CAA a `data` object. Names have no
 * trailing dot; TTL 1 means automatic (300 s).
 */
import { canonicalRdata, parseRdata, txtFromPlain, type RecordType } from '@understudy/core';

export const AUTO_TTL = 1;
/** What "automatic" means, and the fixed TTL of proxied records. */
export const AUTO_TTL_SECONDS = 300;
export const MAX_TTL = 86_400;
export const PROXIABLE: ReadonlySet<RecordType> = new Set(['A', 'AAAA', 'CNAME']);
/** Types this provider reads and writes (Cloudflare keeps the SOA and apex NS itself). */
export const SYNCED_TYPES: ReadonlySet<string> = new Set([
  'A',
  'AAAA',
  'CNAME',
  'TXT',
  'MX',
  'NS',
  'SRV',
  'CAA',
]);

/** The fields of a Cloudflare record this provider looks at. */
export interface CfRecord {
  id: string;
  name: string;
  type: string;
  content?: string;
  ttl: number;
  proxied?: boolean;
  comment?: string | null;
  priority?: number;
  data?: Record<string, unknown>;
  modified_on?: string;
}

export interface ValueFields {
  content?: string;
  priority?: number;
  data?: Record<string, string | number>;
}

const dot = (host: string): string => `${host.toLowerCase().replace(/\.$/, '')}.`;
const undot = (host: string): string => host.replace(/\.$/, '');

export const absoluteName = (cfName: string): string => dot(cfName);
export const cfName = (name: string): string => undot(name.toLowerCase());
export const ttlSeconds = (cfTtl: number): number => (cfTtl === AUTO_TTL ? AUTO_TTL_SECONDS : cfTtl);

/** A scalar from a record's `data` object; anything else reads as empty (and then fails to parse). */
const field = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

function presentation(r: CfRecord): string | null {
  const content = r.content ?? '';
  const d = r.data ?? {};
  switch (r.type) {
    case 'A':
    case 'AAAA':
      return content;
    case 'CNAME':
    case 'NS':
      return dot(content);
    case 'MX':
      return `${r.priority ?? 0} ${dot(content)}`;
    case 'TXT':
      // Cloudflare accepts TXT content quoted or not; unquoted text is one character-string sequence.
      return parseRdata('TXT', content).ok ? content : txtFromPlain(content);
    case 'SRV': {
      if (d['target'] !== undefined)
        return `${field(d['priority'])} ${field(d['weight'])} ${field(d['port'])} ${dot(field(d['target']))}`;
      return `${r.priority ?? 0} ${content}`;
    }
    case 'CAA':
      if (d['tag'] !== undefined)
        return `${field(d['flags'])} ${field(d['tag'])} "${field(d['value']).replace(/["\\]/g, '\\$&')}"`;
      return content;
    default:
      return null;
  }
}

/** The canonical value of a Cloudflare record, or null for types we do not sync or content we cannot read. */
export function canonicalValue(r: CfRecord): string | null {
  if (!SYNCED_TYPES.has(r.type)) return null;
  const text = presentation(r);
  if (text === null) return null;
  const c = canonicalRdata(r.type as RecordType, text);
  return c.ok ? c.value : null;
}

/** The body fields that carry one canonical value. */
export function valueFields(type: RecordType, value: string): ValueFields {
  const p = parseRdata(type, value);
  if (!p.ok) throw new Error(`cannot write ${type} value "${value}": ${p.error}`);
  const r = p.rdata;
  switch (r.type) {
    case 'A':
    case 'AAAA':
      return { content: r.address };
    case 'CNAME':
    case 'NS':
      return { content: undot(r.target) };
    case 'MX':
      return { content: undot(r.exchange), priority: r.preference };
    case 'TXT':
      return { content: value };
    case 'SRV':
      return { data: { priority: r.priority, weight: r.weight, port: r.port, target: undot(r.target) } };
    case 'CAA':
      return { data: { flags: r.flags, tag: r.tag, value: r.value } };
    case 'SOA':
      throw new Error('Cloudflare manages the SOA record itself');
  }
}
