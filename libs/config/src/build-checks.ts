/** `checks:` → CheckConfig[], with defaults and the rules the schema cannot express. */
import path from 'node:path';
import { isIpLiteral } from '@understudy/core';
import { RE2JS } from 're2js';
import type { CheckConfig, HttpCheckConfig, QuorumRule, StatusRange } from '@understudy/core';
import { quorumAt } from './build-top.js';
import { checkHost, parseStatus, targetFromParts, targetFromUrl } from './check-target.js';
import type { Target } from './check-target.js';
import { formatDuration } from './duration.js';
import { didYouMean } from './problems.js';
import type { Path, Problems } from './problems.js';
import { bool, duration, int, isObj, list, obj, str } from './read.js';
import type { Obj } from './read.js';

const HTTP_ONLY = [
  'url',
  'path',
  'method',
  'headers',
  'hostHeader',
  'sni',
  'expectStatus',
  'body',
  'tls',
  'maxBodyBytes',
];
const HTTPS_ONLY = ['sni', 'tls'];
const DAY_MS = 86_400_000;

export interface CheckContext {
  problems: Problems;
  regions: string[];
  quorum: QuorumRule;
  baseDir: string;
}

export function buildChecks(raw: unknown, ctx: CheckContext): CheckConfig[] {
  const out: CheckConfig[] = [];
  for (const [id, value] of Object.entries(obj(raw))) {
    if (!isObj(value)) continue;
    // A bad id is reported by the schema; its body is still checked so every problem shows at once.
    const check = buildCheck(id, value, ['checks', id], ctx);
    if (check) out.push(check);
  }
  return out;
}

function buildCheck(id: string, o: Obj, at: Path, ctx: CheckContext): CheckConfig | undefined {
  const { problems } = ctx;
  const type = o.type;
  if (type !== 'http' && type !== 'https' && type !== 'tcp') return undefined;
  for (const key of type === 'tcp' ? HTTP_ONLY : type === 'http' ? HTTPS_ONLY : []) {
    if (o[key] !== undefined)
      problems.error([...at, key], `does not apply to ${type} checks`, 'semantic', true);
  }
  const interval = duration(o.interval, [...at, 'interval'], 10_000, problems, { min: 100, max: DAY_MS });
  // An explicit short interval should not fail on the default timeout: halve it instead.
  const defaultTimeout = interval > 2000 ? 2000 : Math.floor(interval / 2);
  const timeout = duration(o.timeout, [...at, 'timeout'], defaultTimeout, problems, { min: 1 });
  if (timeout >= interval)
    problems.error(
      [...at, 'timeout'],
      `must be shorter than interval (${formatDuration(timeout)} ≥ ${formatDuration(interval)})`,
    );
  const base = {
    id,
    timeout,
    interval,
    fall: int(o.fall, 1, 100) ?? 3,
    rise: int(o.rise, 1, 100) ?? 2,
    regions: checkRegions(o.regions, [...at, 'regions'], ctx),
    quorum: quorumAt(o.quorum, [...at, 'quorum'], ctx.quorum, problems),
  };
  const target = buildTarget(o, type, at, problems);
  if (!target) return undefined;
  if (type === 'tcp') return { ...base, type, host: target.host, port: target.port };
  return { ...base, type, ...target, ...httpOptions(o, type, at, ctx) };
}

function buildTarget(o: Obj, type: string, at: Path, problems: Problems): Target | undefined {
  const url = str(o.url);
  if (url !== undefined && type !== 'tcp') {
    for (const key of ['host', 'port', 'path'])
      if (o[key] !== undefined) problems.error([...at, key], 'give either url or host/port/path, not both');
    return targetFromUrl(url, type, [...at, 'url'], problems);
  }
  if (o.url !== undefined) return undefined;
  return targetFromParts(o, type, at, problems);
}

function checkRegions(raw: unknown, at: Path, ctx: CheckContext): string[] {
  if (raw === undefined) return [...ctx.regions];
  const out: string[] = [];
  for (const [i, r] of list(raw).entries()) {
    if (typeof r !== 'string') continue;
    if (!ctx.regions.includes(r))
      ctx.problems.error([...at, i], `region "${r}" is not declared in regions${didYouMean(r, ctx.regions)}`);
    else if (out.includes(r)) ctx.problems.error([...at, i], `duplicate region "${r}"`);
    else out.push(r);
  }
  return out.length > 0 ? out : [...ctx.regions];
}

type HttpOptions = Pick<
  HttpCheckConfig,
  'method' | 'headers' | 'hostHeader' | 'sni' | 'expectStatus' | 'body' | 'tls' | 'maxBodyBytes'
>;

function httpOptions(o: Obj, type: 'http' | 'https', at: Path, ctx: CheckContext): HttpOptions {
  const { problems } = ctx;
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
      caFile: caFile === undefined || caFile.trim() === '' ? null : path.resolve(ctx.baseDir, caFile),
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
