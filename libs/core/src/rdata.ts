/**
 * Record data in canonical presentation format, the one form every part of the system compares and stores:
 * A "192.0.2.1" · AAAA RFC 5952 · CNAME/NS "target.example." · MX "10 mx.example." ·
 * SRV "10 5 443 svc.example." · TXT one or more quoted strings "\"v=spf1 -all\"" ·
 * CAA "0 issue \"ca.example\"" · SOA "mname. rname. serial refresh retry expire minimum".
 */
import type { RecordType } from './config-types.js';
import { formatIPv6, parseIPv4, parseIPv6 } from './ip.js';
import { normalizeName } from './names.js';

export type Rdata =
  | { type: 'A'; address: string }
  | { type: 'AAAA'; address: string }
  | { type: 'CNAME' | 'NS'; target: string }
  | { type: 'MX'; preference: number; exchange: string }
  | { type: 'SRV'; priority: number; weight: number; port: number; target: string }
  | { type: 'TXT'; strings: string[] }
  | { type: 'CAA'; flags: number; tag: string; value: string }
  | {
      type: 'SOA';
      mname: string;
      rname: string;
      serial: number;
      refresh: number;
      retry: number;
      expire: number;
      minimum: number;
    };

export type RdataResult = { ok: true; rdata: Rdata } | { ok: false; error: string };

const utf8 = new TextEncoder();
export const byteLength = (s: string): number => utf8.encode(s).length;

function uint(text: string | undefined, max: number, what: string): number | string {
  if (text === undefined || !/^\d+$/.test(text)) return `${what} must be an integer`;
  const n = Number(text);
  return n > max ? `${what} must be at most ${max}` : n;
}

function name(text: string | undefined, what: string): string | { error: string } {
  if (text === undefined) return { error: `${what} is missing` };
  const r = normalizeName(text);
  return r.ok ? r.name : { error: `${what}: ${r.error}` };
}

/** Splits presentation text into fields, keeping quoted strings (with their escapes) as one field. */
export function splitFields(text: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) return null;
      out.push(text.slice(i, j + 1));
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && text[j] !== ' ' && text[j] !== '\t') j++;
      out.push(text.slice(i, j));
      i = j;
    }
  }
  return out;
}

/** Decodes one quoted character-string ("a\"b\\c\065") to its content. */
export function unquote(field: string): string | null {
  if (field.length < 2 || !field.startsWith('"') || !field.endsWith('"')) return null;
  const body = field.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const digits = body.slice(i + 1, i + 4);
    if (/^\d{3}$/.test(digits)) {
      const code = Number(digits);
      if (code > 255) return null;
      out += String.fromCharCode(code);
      i += 3;
    } else if (i + 1 < body.length) {
      out += body[++i];
    } else {
      return null;
    }
  }
  return out;
}

export function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (m) => `\\${m}`)}"`;
}

/** Plain text → TXT canonical value, split into ≤ 255-byte character-strings. */
export function txtFromPlain(text: string): string {
  const parts: string[] = [];
  let cur = '';
  for (const ch of text) {
    if (byteLength(cur + ch) > 255) {
      parts.push(cur);
      cur = '';
    }
    cur += ch;
  }
  parts.push(cur);
  return parts.map(quote).join(' ');
}

export function parseRdata(type: RecordType, text: string): RdataResult {
  const fail = (error: string): RdataResult => ({ ok: false, error });
  const f = splitFields(text.trim());
  if (!f || f.length === 0) return fail(`${type} value is empty or has an unclosed quote`);
  const expect = (n: number): string | null =>
    f.length === n ? null : `${type} value needs ${n} field${n > 1 ? 's' : ''}, got ${f.length}: "${text}"`;
  switch (type) {
    case 'A': {
      const e = expect(1);
      if (e) return fail(e);
      return parseIPv4(f[0]!)
        ? { ok: true, rdata: { type, address: f[0]! } }
        : fail(`"${text}" is not an IPv4 address`);
    }
    case 'AAAA': {
      const e = expect(1);
      if (e) return fail(e);
      const g = parseIPv6(f[0]!);
      return g
        ? { ok: true, rdata: { type, address: formatIPv6(g) } }
        : fail(`"${text}" is not an IPv6 address`);
    }
    case 'CNAME':
    case 'NS': {
      const e = expect(1);
      if (e) return fail(e);
      const t = name(f[0], 'target');
      return typeof t === 'string' ? { ok: true, rdata: { type, target: t } } : fail(t.error);
    }
    case 'MX': {
      const e = expect(2);
      if (e) return fail(e);
      const pref = uint(f[0], 65535, 'MX preference');
      const ex = name(f[1], 'MX exchange');
      if (typeof pref === 'string') return fail(pref);
      return typeof ex === 'string'
        ? { ok: true, rdata: { type, preference: pref, exchange: ex } }
        : fail(ex.error);
    }
    case 'SRV': {
      const e = expect(4);
      if (e) return fail(e);
      const nums = [
        uint(f[0], 65535, 'SRV priority'),
        uint(f[1], 65535, 'SRV weight'),
        uint(f[2], 65535, 'SRV port'),
      ];
      const bad = nums.find((n) => typeof n === 'string');
      if (typeof bad === 'string') return fail(bad);
      const t = name(f[3], 'SRV target');
      if (typeof t !== 'string') return fail(t.error);
      const [priority, weight, port] = nums as number[];
      return { ok: true, rdata: { type, priority: priority!, weight: weight!, port: port!, target: t } };
    }
    case 'TXT': {
      const strings: string[] = [];
      for (const field of f) {
        const s = unquote(field);
        if (s === null)
          return fail(`TXT value must be quoted strings, e.g. "\\"v=spf1 -all\\"": got ${field}`);
        if (byteLength(s) > 255) return fail('a TXT character-string is longer than 255 bytes');
        strings.push(s);
      }
      return { ok: true, rdata: { type, strings } };
    }
    case 'CAA': {
      const e = expect(3);
      if (e) return fail(e);
      const flags = uint(f[0], 255, 'CAA flags');
      if (typeof flags === 'string') return fail(flags);
      const tag = f[1]!.toLowerCase();
      if (!/^[a-z0-9]{1,15}$/.test(tag)) return fail(`CAA tag "${f[1]}" must be 1-15 letters or digits`);
      const value = unquote(f[2]!) ?? f[2]!;
      return { ok: true, rdata: { type, flags, tag, value } };
    }
    case 'SOA': {
      const e = expect(7);
      if (e) return fail(e);
      const m = name(f[0], 'SOA mname');
      const r = name(f[1], 'SOA rname');
      if (typeof m !== 'string') return fail(m.error);
      if (typeof r !== 'string') return fail(r.error);
      const n = ['serial', 'refresh', 'retry', 'expire', 'minimum'].map((w, i) =>
        uint(f[i + 2], 0xffffffff, `SOA ${w}`),
      );
      const bad = n.find((x) => typeof x === 'string');
      if (typeof bad === 'string') return fail(bad);
      const [serial, refresh, retry, expire, minimum] = n as number[];
      return {
        ok: true,
        rdata: {
          type,
          mname: m,
          rname: r,
          serial: serial!,
          refresh: refresh!,
          retry: retry!,
          expire: expire!,
          minimum: minimum!,
        },
      };
    }
  }
}

export function formatRdata(r: Rdata): string {
  switch (r.type) {
    case 'A':
    case 'AAAA':
      return r.address;
    case 'CNAME':
    case 'NS':
      return r.target;
    case 'MX':
      return `${r.preference} ${r.exchange}`;
    case 'SRV':
      return `${r.priority} ${r.weight} ${r.port} ${r.target}`;
    case 'TXT':
      return r.strings.map(quote).join(' ');
    case 'CAA':
      return `${r.flags} ${r.tag} ${quote(r.value)}`;
    case 'SOA':
      return `${r.mname} ${r.rname} ${r.serial} ${r.refresh} ${r.retry} ${r.expire} ${r.minimum}`;
  }
}

/** Parse then format: the canonical form of a value, or an error naming what is wrong. */
export function canonicalRdata(
  type: RecordType,
  text: string,
): { ok: true; value: string } | { ok: false; error: string } {
  const r = parseRdata(type, text);
  return r.ok ? { ok: true, value: formatRdata(r.rdata) } : r;
}
