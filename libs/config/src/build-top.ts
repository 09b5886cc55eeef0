/** Top-level sections: regions, quorum, listen, dns, state, decider, probe, logging. */
import path from 'node:path';
import { DEFAULT_PROBE_HEALTH } from '@understudy/core';
import type { DnsIdentityConfig, ListenAddress, QuorumRule, UnderstudyConfig } from '@understudy/core';
import { parseListenAddress } from './listen-address.js';
import { parseQuorum } from './quorum.js';
import type { Path, Problems } from './problems.js';
import { bool, duration, int, isObj, list, num, obj, str } from './read.js';
import type { Obj } from './read.js';
import { REGION_PATTERN } from './schema-defs.js';
import { buildDnsLimits } from './build-dns-limits.js';
import { buildDnsTransfer } from './build-dns-transfer.js';
import { buildDnsGeo } from './build-dns-geo.js';

const REGION = new RegExp(REGION_PATTERN);
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
type LogLevel = UnderstudyConfig['logging']['level'];

export function buildRegions(raw: unknown, problems: Problems): string[] {
  const seen = new Map<string, number>();
  const out: string[] = [];
  for (const [i, r] of list(raw).entries()) {
    if (typeof r !== 'string' || !REGION.test(r)) continue;
    const first = seen.get(r);
    if (first !== undefined)
      problems.error(['regions', i], `duplicate region "${r}" (also regions[${first}])`);
    else {
      seen.set(r, i);
      out.push(r);
    }
  }
  return out;
}

export function quorumAt(raw: unknown, path: Path, fallback: QuorumRule, problems: Problems): QuorumRule {
  if (typeof raw !== 'string') return fallback;
  try {
    return parseQuorum(raw);
  } catch (err) {
    problems.error(path, (err as Error).message);
    return fallback;
  }
}

/** A listen address, or null after reporting why it is malformed. */
export function parseListen(text: string, at: Path, problems: Problems): ListenAddress | null {
  try {
    return parseListenAddress(text);
  } catch (err) {
    problems.error(at, (err as Error).message);
    return null;
  }
}

export function buildListen(raw: unknown, problems: Problems): UnderstudyConfig['listen'] {
  const o = obj(raw);
  const seen = new Map<string, string>();
  const unique = (addr: ListenAddress | null, at: Path, label: string): ListenAddress | null => {
    if (!addr) return null;
    const key = `${addr.host}|${addr.port}`;
    const other = seen.get(key);
    // Port 0 asks the OS for a fresh port each time, so repeats cannot collide.
    if (other !== undefined && addr.port !== 0)
      problems.error(at, `duplicate listen address (also ${other})`);
    seen.set(key, label);
    return addr;
  };
  const dnsRaw = o.dns === undefined ? ['127.0.0.1:5300'] : list(o.dns);
  const dns: ListenAddress[] = [];
  for (const [i, text] of dnsRaw.entries()) {
    if (typeof text !== 'string') continue;
    const at = ['listen', 'dns', i];
    const addr = unique(parseListen(text, at, problems), at, `listen.dns[${i}]`);
    if (addr) dns.push(addr);
  }
  let http: ListenAddress | null = null;
  if (o.http !== null) {
    const text = o.http === undefined ? '127.0.0.1:9053' : str(o.http);
    if (text !== undefined) http = parseListen(text, ['listen', 'http'], problems);
  }
  // The HTTP and DNS listeners share TCP, so the same address is a real clash.
  if (http) unique(http, ['listen', 'http'], 'listen.http');
  const dashText = str(o.dashboard);
  const dashboard =
    dashText === undefined
      ? null
      : unique(
          parseListen(dashText, ['listen', 'dashboard'], problems),
          ['listen', 'dashboard'],
          'listen.dashboard',
        );
  return { dns, http, dashboard };
}

export function buildAdmin(raw: unknown, problems: Problems): UnderstudyConfig['admin'] {
  const tokens: UnderstudyConfig['admin']['tokens'] = [];
  const names = new Map<string, number>();
  for (const [i, t] of list(obj(raw).tokens).entries()) {
    const name = str(obj(t).name);
    const token = str(obj(t).token);
    if (name === undefined || token === undefined || token.length < 16) continue;
    const first = names.get(name);
    if (first !== undefined)
      problems.error(
        ['admin', 'tokens', i, 'name'],
        `duplicate token name "${name}" (also admin.tokens[${first}])`,
      );
    else names.set(name, i);
    tokens.push({ name, token });
  }
  return { tokens };
}

export function buildState(raw: unknown, baseDir: string): UnderstudyConfig['state'] {
  const file = str(obj(raw).file);
  return { file: file === undefined || file.trim() === '' ? null : path.resolve(baseDir, file) };
}

export function buildDecider(
  raw: unknown,
  regionCount: number,
  problems: Problems,
): UnderstudyConfig['decider'] {
  const o = obj(raw);
  const guard = obj(o.massFailureGuard);
  const minVoters = int(o.minVoters, 1, Number.MAX_SAFE_INTEGER) ?? Math.max(1, Math.min(2, regionCount));
  // The decider caps minVoters at each check's region count, so this is only ever a misunderstanding.
  if (regionCount > 0 && minVoters > regionCount)
    problems.warn(
      ['decider', 'minVoters'],
      `is ${minVoters} but only ${regionCount} region${regionCount === 1 ? ' is' : 's are'} configured; each check uses at most its own number of regions`,
    );
  return {
    staleAfterIntervals: int(o.staleAfterIntervals, 1, 1000) ?? 3,
    minVoters,
    massFailureGuard: {
      enabled: bool(guard.enabled) ?? true,
      share: num(guard.share, Number.MIN_VALUE, 1) ?? 0.5,
      minChecks: int(guard.minChecks, 1, Number.MAX_SAFE_INTEGER) ?? 4,
      window: duration(guard.window, ['decider', 'massFailureGuard', 'window'], 60_000, problems, {
        min: 1000,
      }),
    },
    tickInterval: duration(o.tickInterval, ['decider', 'tickInterval'], 1000, problems, { min: 10 }),
    leaseTtl: duration(o.leaseTtl, ['decider', 'leaseTtl'], 5000, problems, { min: 1000 }),
  };
}

export function buildDns(raw: unknown, problems: Problems, baseDir: string): UnderstudyConfig['dns'] {
  const o: Obj = isObj(raw) ? raw : {};
  // null (or '') turns the cache off; absent means the default file next to the config.
  const cacheFile = o.cacheFile === null ? null : (str(o.cacheFile) ?? 'understudy-dns-cache.json');
  return {
    cacheFile: cacheFile === null || cacheFile.trim() === '' ? null : path.resolve(baseDir, cacheFile),
    workers: o.workers === 'auto' || o.workers === undefined ? 'auto' : (int(o.workers, 1, 64) ?? 'auto'),
    udpPayloadSize: int(o.udpPayloadSize, 512, 4096) ?? 1232,
    tcpIdleTimeout: duration(o.tcpIdleTimeout, ['dns', 'tcpIdleTimeout'], 10_000, problems, { min: 100 }),
    limits: buildDnsLimits(o.limits, problems),
    // --- issue 15: server identity (i15-conf) ---
    identity: buildDnsIdentity(o.identity, problems),
    transfer: buildDnsTransfer(o.transfer, problems), // zone transfer (issue 15)
    // --- issue 11: batched UDP I/O (i11-io) ---
    udpIo: o.udpIo === 'dgram' || o.udpIo === 'batched' ? o.udpIo : 'auto',
    // --- issue 14 part 3: client location (i14geodns) ---
    geo: buildDnsGeo(o.geo, problems, baseDir),
  };
}

/** dns.identity: each text or null; '' counts as null (off). A TXT string holds at most 255 octets. */
function buildDnsIdentity(raw: unknown, problems: Problems): DnsIdentityConfig {
  const o: Obj = isObj(raw) ? raw : {};
  const text = (key: 'id' | 'nsid' | 'version'): string | null => {
    const v = o[key];
    if (typeof v !== 'string' || v === '') return null;
    if (Buffer.byteLength(v, 'utf8') <= 255) return v;
    problems.error(['dns', 'identity', key], 'is longer than 255 octets in UTF-8');
    return null;
  };
  return { id: text('id'), nsid: text('nsid'), version: text('version') };
}

export function buildProbe(raw: unknown, problems: Problems): UnderstudyConfig['probe'] {
  const o: Obj = isObj(raw) ? raw : {};
  return {
    flushInterval: duration(o.flushInterval, ['probe', 'flushInterval'], 0, problems),
    jitter: num(o.jitter, 0, 0.5) ?? 0.1,
    health: buildProbeHealth(o.health, problems),
  };
}

// --- probe self-health (issue #10) ---
function buildProbeHealth(raw: unknown, problems: Problems): UnderstudyConfig['probe']['health'] {
  const o: Obj = isObj(raw) ? raw : {};
  const d = DEFAULT_PROBE_HEALTH;
  return {
    maxEventLoopDelay: duration(
      o.maxEventLoopDelay,
      ['probe', 'health', 'maxEventLoopDelay'],
      d.maxEventLoopDelay,
      problems,
      { min: 10 },
    ),
    maxFdShare: num(o.maxFdShare, Number.MIN_VALUE, 1) ?? d.maxFdShare,
  };
}

export function buildLogging(raw: unknown): UnderstudyConfig['logging'] {
  const level = str(obj(raw).level);
  const known = LOG_LEVELS.find((l) => l === level);
  return { level: known ?? ('info' satisfies LogLevel) };
}
