/**
 * The `httpServers` section (issue #10): limits and guards of the dashboard/API and the ops endpoint, so
 * load on HTTP cannot starve the probes and the decider. Schema and semantic pass together, in one place.
 */
import { DEFAULT_HTTP_SERVERS, formatIPv6, parseIPv4, parseIPv6 } from '@understudy/core';
import type { HttpServersConfig } from '@understudy/core';
import type { Problems } from './problems.js';
import { duration, int, list, obj, str } from './read.js';
import { defs, strictObject } from './schema-defs.js';
import type { Schema } from './schema-defs.js';

const count = (max: number, def: number, description: string): Schema => ({
  type: 'integer',
  minimum: 1,
  maximum: max,
  default: def,
  description,
});
const d = DEFAULT_HTTP_SERVERS;
const seconds = (ms: number) => `${ms / 1000}s`;

export const httpServersSchema: Schema = strictObject({
  allowedHosts: {
    type: 'array',
    items: { type: 'string', minLength: 1 },
    default: [],
    description:
      'Host names a request may use besides loopback names, IP literals and the listen address; "*.example.com" ' +
      'matches subdomains, "*" accepts any (turns off the DNS-rebinding guard).',
  },
  trustedProxies: {
    type: 'array',
    items: { type: 'string', minLength: 1 },
    default: [],
    description: 'IP addresses of reverse proxies whose X-Forwarded-For names the client; default none.',
  },
  maxConnections: count(100_000, d.maxConnections, 'Open connections per server; more are closed at once.'),
  maxConnectionsPerClient: count(100_000, d.maxConnectionsPerClient, 'Open connections per client address.'),
  maxStreams: count(100_000, d.maxStreams, 'Live event streams (/api/v1/stream) in all.'),
  maxStreamsPerClient: count(100_000, d.maxStreamsPerClient, 'Live event streams per client.'),
  headersTimeout: { ...defs.duration, default: seconds(d.headersTimeout) },
  requestTimeout: { ...defs.duration, default: seconds(d.requestTimeout) },
  keepAliveTimeout: { ...defs.duration, default: seconds(d.keepAliveTimeout) },
});

/** An IP literal in canonical form (IPv6 per RFC 5952), or null. */
export function canonicalIp(text: string): string | null {
  if (parseIPv4(text)) return text;
  const g = parseIPv6(text.replace(/^\[|\]$/g, ''));
  return g ? formatIPv6(g) : null;
}

const HOST_PATTERN = /^(\*|(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?)$/;

export function buildHttpServers(raw: unknown, problems: Problems): HttpServersConfig {
  const o = obj(raw);
  const at = (key: string, i?: number) => (i === undefined ? ['httpServers', key] : ['httpServers', key, i]);
  const allowedHosts: string[] = [];
  for (const [i, h] of list(o.allowedHosts).entries()) {
    const name = str(h)?.trim().toLowerCase();
    if (name === undefined) continue;
    if (!HOST_PATTERN.test(name))
      problems.error(at('allowedHosts', i), `"${name}" is not a host name, "*.name" or "*"`);
    else allowedHosts.push(name.replace(/\.$/, ''));
  }
  const trustedProxies: string[] = [];
  for (const [i, p] of list(o.trustedProxies).entries()) {
    const text = str(p);
    if (text === undefined) continue;
    const ip = canonicalIp(text.trim());
    if (ip === null) problems.error(at('trustedProxies', i), `"${text}" is not an IP address`);
    else trustedProxies.push(ip);
  }
  const n = (key: keyof HttpServersConfig, def: number) => int(o[key], 1, 100_000) ?? def;
  const ms = (key: keyof HttpServersConfig, def: number) =>
    duration(o[key], at(key), def, problems, { min: 100 });
  const out: HttpServersConfig = {
    allowedHosts,
    trustedProxies,
    maxConnections: n('maxConnections', d.maxConnections),
    maxConnectionsPerClient: n('maxConnectionsPerClient', d.maxConnectionsPerClient),
    maxStreams: n('maxStreams', d.maxStreams),
    maxStreamsPerClient: n('maxStreamsPerClient', d.maxStreamsPerClient),
    headersTimeout: ms('headersTimeout', d.headersTimeout),
    requestTimeout: ms('requestTimeout', d.requestTimeout),
    keepAliveTimeout: ms('keepAliveTimeout', d.keepAliveTimeout),
  };
  // Node rejects a request timeout shorter than the headers timeout.
  if (out.requestTimeout < out.headersTimeout)
    problems.error(at('requestTimeout'), 'must be at least httpServers.headersTimeout');
  if (out.maxStreams >= out.maxConnections)
    problems.error(at('maxStreams'), 'must be below httpServers.maxConnections (streams hold connections)');
  return out;
}
