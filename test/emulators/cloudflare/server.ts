/**
 * A stateful local emulator of the Cloudflare v4 API (zones, DNS records, /dns_records/batch) for the
 * official SDK: bearer auth, Cloudflare's envelope and error codes, validation, batch limits, per-user
 * rate limit with 429 + Retry-After, injected 5xx and latency, and counters.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { admin } from './admin-routes.js';
import { route, type ApiContext } from './api-routes.js';
import { FaultGate } from './faults.js';
import { failure, ok, readJson, send, sleep } from './http-util.js';
import type { RecordInput } from './records.js';
import {
  ApiFailure,
  type CfRecord,
  type CloudflareEmulatorOptions,
  type EmulatorStats,
  type EmulatorZone,
  type EmulatorZoneOptions,
  type Faults,
} from './types.js';
import { ZoneStore } from './zone-store.js';

export interface CloudflareEmulator {
  /** API base URL for the SDK's baseURL, e.g. http://127.0.0.1:4581/client/v4 */
  url: string;
  port: number;
  close(): Promise<void>;
  setFaults(faults: Partial<Faults>): Faults;
  stats(): EmulatorStats;
  resetStats(): void;
  addZone(zone: EmulatorZoneOptions): EmulatorZone;
  /** Zone by id or apex name. */
  zone(idOrName: string): EmulatorZone;
  records(zoneIdOrName: string): CfRecord[];
  seed(zoneIdOrName: string, records: RecordInput[]): CfRecord[];
  /** An out-of-band edit of one record (drift). */
  edit(zoneIdOrName: string, recordId: string, patch: RecordInput): CfRecord;
  remove(zoneIdOrName: string, recordId: string): void;
  /** Accept a token from now on, optionally as a token of `user` (rate limits count per user). */
  addToken(token: string, user?: string): void;
}

const PREFIX = ['client', 'v4'];

const emptyStats = (): EmulatorStats => ({
  requests: 0,
  calls: {},
  batchCalls: 0,
  changes: 0,
  rateLimited: 0,
  serverErrors: 0,
  rejected: 0,
});

/** The bearer token; null when there is no Authorization header. A malformed one is 400 6003, as at Cloudflare. */
function bearer(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (h === undefined) return null;
  const m = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(h);
  if (!m)
    throw new ApiFailure(
      400,
      6003,
      'Invalid request headers',
      {},
      {
        chain: [{ code: 6111, message: 'Invalid format for Authorization header' }],
      },
    );
  return m[1]!;
}

export async function startCloudflareEmulator(
  opts: CloudflareEmulatorOptions = {},
): Promise<CloudflareEmulator> {
  const now = opts.now ?? Date.now;
  const store = new ZoneStore(now);
  for (const z of opts.zones ?? []) store.addZone(z);
  const tokens = new Set(opts.tokens ?? ['test-token']);
  const users = new Map(Object.entries(opts.users ?? {}));
  const addToken = (token: string, user?: string): void => {
    tokens.add(token);
    if (user !== undefined) users.set(token, user);
  };
  /** The rate-limit key: the token's user, or the token (as a digest) when it has no user. */
  const userKey = (token: string): string =>
    users.has(token)
      ? `user:${users.get(token)!}`
      : `token:${createHash('sha256').update(token).digest('hex')}`;
  const gate = new FaultGate(opts.faults ?? {}, opts.seed ?? 1, now);
  const ctx: ApiContext = { store, batchLimit: opts.batchLimit ?? 200, maxPerPage: opts.maxPerPage ?? 5000 };
  let stats = emptyStats();

  const handleApi = async (
    req: IncomingMessage,
    res: ServerResponse,
    parts: string[],
    query: URLSearchParams,
  ) => {
    stats.requests++;
    let extra: Record<string, string> = {};
    try {
      if (gate.latencyMs > 0) await sleep(gate.latencyMs);
      const r = route({ method: req.method ?? 'GET', parts, query, body: () => readJson(req) }, ctx);
      if (!r) throw new ApiFailure(404, 7000, 'No route for that URI');
      stats.calls[r.op] = (stats.calls[r.op] ?? 0) + 1;
      const token = bearer(req);
      if (token === null)
        throw new ApiFailure(400, 9106, 'Missing X-Auth-Key, X-Auth-Email or Authorization headers');
      if (!tokens.has(token)) throw new ApiFailure(403, 9109, 'Invalid access token');
      extra = gate.admit(userKey(token), r.op);
      const answer = await r.run();
      if (r.op === 'records.batch') stats.batchCalls++;
      stats.changes += answer.changes ?? 0;
      send(res, 200, ok(answer.result, answer.resultInfo), extra);
    } catch (err) {
      const f = err instanceof ApiFailure ? err : new ApiFailure(500, 10000, 'Internal emulator error');
      if (f.status === 429) stats.rateLimited++;
      else if (f.status >= 500) stats.serverErrors++;
      else stats.rejected++;
      send(res, f.status, failure(f), { ...extra, ...f.headers });
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    let parts = url.pathname
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    if (parts[0] === '__emulator') {
      try {
        const result = await admin(req.method ?? 'GET', parts.slice(1), () => readJson(req), {
          store,
          gate,
          stats: () => structuredClone(stats),
          resetStats: () => (stats = emptyStats()),
          addToken,
        });
        send(res, 200, ok(result ?? null));
      } catch (err) {
        const f = err instanceof ApiFailure ? err : new ApiFailure(500, 10000, String(err));
        send(res, f.status, failure(f));
      }
      return;
    }
    if (parts[0] === PREFIX[0] && parts[1] === PREFIX[1]) parts = parts.slice(2);
    await handleApi(req, res, parts, url.searchParams);
  };

  const server = createServer((req, res) => {
    req.on('error', () => res.destroy());
    res.on('error', () => undefined);
    handle(req, res).catch(() => res.destroy());
  });
  server.on('error', () => undefined);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  const hostPart = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${hostPart}:${port}/client/v4`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    setFaults: (f) => gate.set(f),
    stats: () => structuredClone(stats),
    resetStats: () => {
      stats = emptyStats();
    },
    addZone: (z) => store.addZone(z),
    zone: (z) => store.zone(z),
    records: (z) => store.all(z),
    seed: (z, recs) => store.seed(store.zone(z).id, recs),
    edit: (z, id, patch) => store.edit(store.zone(z).id, id, patch),
    remove: (z, id) => {
      store.batch(store.zone(z).id, { deletes: [{ id }] });
    },
    addToken,
  };
}
