/** `type: http|https` checks: target (url or host/port/path), request, and what counts as healthy. */
import path from 'node:path';
import { isIpLiteral } from '@understudy/core';
import { RE2JS } from 're2js';
import type { HttpCheckConfig, StatusRange } from '@understudy/core';
import { checkHost, parseStatus, targetFromParts, targetFromUrl } from './check-target.js';
import type { Target } from './check-target.js';
import type { Path, Problems } from './problems.js';
import { bool, int, isObj, list, obj, str } from './read.js';
import type { Obj } from './read.js';

export function buildTarget(o: Obj, type: string, at: Path, problems: Problems): Target | undefined {
  const url = str(o.url);
  if (url !== undefined && type !== 'tcp') {
    for (const key of ['host', 'port', 'path'])
      if (o[key] !== undefined) problems.error([...at, key], 'give either url or host/port/path, not both');
    return targetFromUrl(url, type, [...at, 'url'], problems);
  }
  if (o.url !== undefined) return undefined;
  return targetFromParts(o, type, at, problems);
}

type HttpOptions = Pick<
  HttpCheckConfig,
  'method' | 'headers' | 'hostHeader' | 'sni' | 'expectStatus' | 'body' | 'tls' | 'maxBodyBytes'
>;

export function httpOptions(
  o: Obj,
  type: 'http' | 'https',
  at: Path,
  problems: Problems,
  baseDir: string,
): HttpOptions {
  const tls = obj(o.tls);
  const caFile = str(tls.caFile);
  return {
    method: (str(o.method) ?? 'GET').toUpperCase(),
    headers: headers(o.headers, [...at, 'headers'], problems),
    hostHeader: optionalHost(o.hostHeader, [...at, 'hostHeader'], problems, true),
    sni: type === 'https' ? sni(o.sni, [...at, 'sni'], problems) : null,
    expectStatus: expectStatus(o.expectStatus, [...at, 'expectStatus'], problems),
    body: body(o.body, [...at, 'body'], problems),
    tls: {
      verify: bool(tls.verify) ?? true,
      caFile: caFile === undefined || caFile.trim() === '' ? null : path.resolve(baseDir, caFile),
      minCertDays: int(tls.minCertDays, 0, 3650) ?? null,
    },
    maxBodyBytes: int(o.maxBodyBytes, 1, 16_777_216) ?? 65536,
  };
}

function headers(raw: unknown, at: Path, problems: Problems): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(obj(raw))) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      problems.error([...at, name], `"${name}" is not a valid header name`, 'semantic', true);
    else if (name.toLowerCase() === 'host')
      problems.error([...at, name], 'set the Host header with hostHeader', 'semantic', true);
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      const text = String(value);
      if (/[\r\n\0]/.test(text)) problems.error([...at, name], 'must not contain line breaks or NUL');
      else out[name] = text;
    }
  }
  return out;
}

/** hostHeader may carry a port ("app.example.test:8443"); sni may not. */
function optionalHost(raw: unknown, at: Path, problems: Problems, allowPort: boolean): string | null {
  const text = str(raw);
  if (text === undefined || text.trim() === '') return null;
  const m = allowPort ? /^(.*?)(:\d{1,5})?$/.exec(text.trim()) : null;
  const host = m ? m[1]! : text.trim();
  const checked = checkHost(host, at, problems);
  return checked === undefined ? null : `${checked}${m?.[2] ?? ''}`;
}

function sni(raw: unknown, at: Path, problems: Problems): string | null {
  const name = optionalHost(raw, at, problems, false);
  if (name !== null && isIpLiteral(name)) {
    problems.error(at, 'must be a DNS name: TLS does not send IP addresses as SNI (RFC 6066)');
    return null;
  }
  return name;
}

function expectStatus(raw: unknown, at: Path, problems: Problems): StatusRange[] {
  if (raw === undefined) return [{ from: 200, to: 399 }];
  const out: StatusRange[] = [];
  for (const [i, item] of list(raw).entries()) {
    const r = parseStatus(item);
    if (typeof r === 'string') problems.error([...at, i], r);
    else out.push(r);
  }
  return out.length > 0 ? out : [{ from: 200, to: 399 }];
}

function body(raw: unknown, at: Path, problems: Problems): HttpCheckConfig['body'] {
  if (!isObj(raw)) return null;
  const contains = str(raw.contains);
  const regex = str(raw.regex);
  if (contains !== undefined && regex === undefined) return { contains };
  if (regex !== undefined && contains === undefined) {
    try {
      // Matched by RE2 (linear time) at run time, so it must compile there: no backreferences, no lookaround.
      RE2JS.compile(regex);
    } catch (err) {
      problems.error(
        [...at, 'regex'],
        `is not a valid RE2 pattern (backreferences and lookaround are not supported): ${(err as Error).message}`,
      );
      return null;
    }
    return { regex };
  }
  return null;
}
