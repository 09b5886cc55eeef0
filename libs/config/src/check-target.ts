/** Where a check connects (url or host/port/path) and what it accepts (status ranges). */
import { isIpLiteral, normalizeName, parseIPv6 } from '@understudy/core';
import type { StatusRange } from '@understudy/core';
import type { Path, Problems } from './problems.js';
import { int, str } from './read.js';
import type { Obj } from './read.js';

export interface Target {
  host: string;
  port: number;
  path: string;
}

const DEFAULT_PORT: Record<string, number> = { https: 443, http: 80 };

/** A host as the checks library wants it: an IP literal without brackets, or a lower-case name. */
export function checkHost(input: string, at: Path, problems: Problems): string | undefined {
  const bare = input.trim().replace(/^\[(.*)\]$/, '$1');
  if (isIpLiteral(bare)) return parseIPv6(bare) ? bare.toLowerCase() : bare;
  const n = normalizeName(bare);
  if (!n.ok || bare === '' || n.name === '.') {
    problems.error(at, n.ok ? 'must not be empty' : n.error);
    return undefined;
  }
  return bare.toLowerCase().replace(/\.$/, '');
}

export function targetFromUrl(raw: string, type: string, at: Path, problems: Problems): Target | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.error(at, `"${raw}" is not a valid URL`);
    return undefined;
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme !== type) {
    problems.error(at, `URL scheme "${scheme}" does not match check type "${type}"`);
    return undefined;
  }
  if (url.username !== '' || url.password !== '') {
    problems.error(at, 'must not contain credentials; send them with `headers` (and ${VAR} interpolation)');
    return undefined;
  }
  if (url.hash !== '') problems.error(at, 'must not contain a #fragment (it is never sent)');
  const host = checkHost(url.hostname, at, problems);
  if (host === undefined) return undefined;
  const port = url.port === '' ? DEFAULT_PORT[type]! : Number(url.port);
  return { host, port, path: `${url.pathname}${url.search}` };
}

/** host + port (+ path) written as separate keys. */
export function targetFromParts(o: Obj, type: string, at: Path, problems: Problems): Target | undefined {
  const hostText = str(o.host);
  if (hostText === undefined) {
    if (o.host === undefined)
      problems.error([...at, 'host'], type === 'tcp' ? 'is required for tcp checks' : 'is required (or url)');
    return undefined;
  }
  const host = checkHost(hostText, [...at, 'host'], problems);
  let port = int(o.port, 1, 65535) ?? DEFAULT_PORT[type];
  if (port === undefined) {
    if (o.port === undefined) problems.error([...at, 'port'], 'is required for tcp checks');
    port = 0;
  }
  let path = str(o.path) ?? '/';
  if (!path.startsWith('/')) {
    problems.error([...at, 'path'], `must start with "/", got "${path}"`);
    path = '/';
  }
  return host === undefined ? undefined : { host, port, path };
}

/** 200, "200", "200-299" or "2xx" → a range within 100..599. */
export function parseStatus(item: unknown): StatusRange | string {
  if (typeof item === 'number') {
    return Number.isInteger(item) && item >= 100 && item <= 599
      ? { from: item, to: item }
      : `status ${item} is outside 100..599`;
  }
  if (typeof item !== 'string') return 'must be a status code or range';
  const text = item.trim().toLowerCase();
  const klass = /^([1-5])xx$/.exec(text);
  if (klass) return { from: Number(klass[1]) * 100, to: Number(klass[1]) * 100 + 99 };
  const m = /^(\d{3})(?:\s*-\s*(\d{3}))?$/.exec(text);
  if (!m) return `"${item}" is not a status code, a range like "200-299", or a class like "2xx"`;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from < 100 || to > 599) return `"${item}" is outside 100..599`;
  if (from > to) return `"${item}" is an empty range (${from} > ${to})`;
  return { from, to };
}
