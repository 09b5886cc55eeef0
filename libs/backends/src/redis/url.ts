/**
 * Redis URLs → ioredis options. Accepts redis://, rediss:// (TLS) and Sentinel
 * (redis+sentinel:// or rediss+sentinel://host1:26379,host2:26379/<master>[/db]).
 * Errors are ConfigErrors naming the config field; they never contain the password.
 */
import { isIP } from 'node:net';
import type { RedisOptions } from 'ioredis';
import { ConfigError } from '@understudy/core';

const SCHEMES = ['redis', 'rediss', 'redis+sentinel', 'rediss+sentinel'] as const;
interface HostPort {
  host: string;
  port: number;
}

export function redisOptionsFromUrl(url: string, field = 'redis.url'): RedisOptions {
  const fail = (message: string): never => {
    throw new ConfigError([{ path: field, message: `${message} (in ${redactRedisUrl(url)})` }]);
  };
  const schemeEnd = url.indexOf('://');
  const scheme = url.slice(0, Math.max(schemeEnd, 0)).toLowerCase();
  if (schemeEnd < 0 || !(SCHEMES as readonly string[]).includes(scheme)) {
    fail(`expected a redis://, rediss:// or redis+sentinel:// URL`);
  }
  const rest = url.slice(schemeEnd + 3);
  // The last "@" ends the userinfo, so a password may contain "@", "/" or "?" unencoded.
  const at = rest.lastIndexOf('@');
  const userinfo = at < 0 ? null : rest.slice(0, at);
  const located = at < 0 ? rest : rest.slice(at + 1);
  if (/[?#]/.test(located)) fail('query strings and fragments are not supported');
  const slash = located.indexOf('/');
  const hostsPart = slash < 0 ? located : located.slice(0, slash);
  const path = slash < 0 ? '' : located.slice(slash + 1);
  const auth = userinfo === null ? {} : parseUserinfo(userinfo, fail);
  const sentinel = scheme.endsWith('+sentinel');
  const hosts = hostsPart.split(',').map((h) => parseHostPort(h, sentinel ? 26379 : 6379, fail));
  const tls = scheme.startsWith('rediss');

  if (!sentinel) {
    if (hosts.length !== 1) fail('a redis:// URL names exactly one host (use redis+sentinel:// for several)');
    const { host, port } = hosts[0]!;
    const db = path === '' ? undefined : parseDb(path, fail);
    return {
      host,
      port,
      ...auth,
      ...(db === undefined ? {} : { db }),
      ...(tls ? { tls: isIP(host) ? {} : { servername: host } } : {}),
    };
  }
  const [name, dbPart, ...extra] = path.split('/');
  if (!name) fail('a Sentinel URL needs the master name as its path: redis+sentinel://host:26379/mymaster');
  if (extra.length > 0) fail('unexpected path after the Sentinel master name and db');
  const db = dbPart === undefined || dbPart === '' ? undefined : parseDb(dbPart, fail);
  return {
    sentinels: hosts,
    name: decodeURIComponent(name!),
    ...auth,
    ...(db === undefined ? {} : { db }),
    ...(tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
  };
}

/** The URL with any password replaced by "***", for logs and messages. */
export function redactRedisUrl(url: string): string {
  const schemeEnd = url.indexOf('://');
  const at = url.lastIndexOf('@');
  if (schemeEnd < 0 || at < schemeEnd) return url;
  const userinfo = url.slice(schemeEnd + 3, at);
  const colon = userinfo.indexOf(':');
  const user = colon < 0 ? '' : userinfo.slice(0, colon);
  return `${url.slice(0, schemeEnd + 3)}${user}:***${url.slice(at)}`;
}

function parseUserinfo(
  userinfo: string,
  fail: (m: string) => never,
): { username?: string; password?: string } {
  const colon = userinfo.indexOf(':');
  const rawUser = colon < 0 ? '' : userinfo.slice(0, colon);
  // "redis://secret@host" is the password alone, as redis-cli and ioredis read it.
  const rawPass = colon < 0 ? userinfo : userinfo.slice(colon + 1);
  try {
    const username = decodeURIComponent(rawUser);
    const password = decodeURIComponent(rawPass);
    return { ...(username ? { username } : {}), ...(password ? { password } : {}) };
  } catch {
    return fail('the user or password is not valid percent-encoding');
  }
}

function parseHostPort(part: string, defaultPort: number, fail: (m: string) => never): HostPort {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d+))?$/i.exec(part);
  if (!m) return fail(`bad host "${part.slice(0, 100)}": expected host[:port]`);
  const host = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!;
  if (m[1]!.startsWith('[') && isIP(host) !== 6) return fail(`bad IPv6 address "${host}"`);
  if (!/^[a-z0-9._:-]+$/i.test(host)) return fail(`bad host name "${host.slice(0, 100)}"`);
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) return fail(`bad port ${m[2]}: expected 1-65535`);
  return { host, port };
}

function parseDb(text: string, fail: (m: string) => never): number {
  if (!/^\d{1,5}$/.test(text)) return fail(`bad database "${text.slice(0, 20)}": expected a number`);
  return Number(text);
}
