/**
 * A stateful local Route 53 (REST-XML, 2013-04-01) for tests, benchmarks and `npm run emulate:route53`.
 * The official SDK is pointed at it (`endpoint`), so its real serialization and error mapping run.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin.js';
import { handleApi, operationOf } from './api.js';
import type { Route53Faults, Route53Stats } from './faults.js';
import { AccountRateLimiter, DEFAULT_FAULTS, MAX_REQUEST_LOG, emptyStats } from './faults.js';
import type { EmuRecord } from './types.js';
import { ApiError } from './types.js';
import { errorXml } from './xml.js';
import { ZoneStore } from './zone-store.js';

export interface Route53EmulatorOptions {
  /** Default 0 (a random free port). */
  port?: number;
  host?: string;
  /** Hosted zones to create at start; ids are generated when not given. */
  zones?: { name: string; id?: string }[];
  faults?: Partial<Route53Faults>;
  /** Access key ids accepted; null (default) accepts any signed request. Others get 403 InvalidClientTokenId. */
  validAccessKeyIds?: string[] | null;
  /** Access key ids that are valid but not allowed (403 AccessDenied). */
  deniedAccessKeyIds?: string[];
  /** Uniform [0, 1) source for the random faults. */
  random?: () => number;
  /**
   * The AWS account of each access key id (key → account). Route 53's 5 requests/s are counted per
   * account, every key of it together; a key not listed is an account of its own.
   */
  accounts?: Record<string, string>;
}

export interface RecordEdit {
  put?: EmuRecord[];
  remove?: { name: string; type: string }[];
}

export interface Route53Emulator {
  url: string;
  port: number;
  store: ZoneStore;
  createZone(name: string, id?: string): string;
  /** The zone's RRsets in listing order (names stored lower-case, absolute, unescaped). */
  records(zoneId: string): EmuRecord[];
  /** Put RRsets directly, without validation or counting (test setup). */
  seed(zoneId: string, records: EmuRecord[]): void;
  /** Change records out of band, as an operator editing in the console would (drift). */
  edit(zoneId: string, edit: RecordEdit): void;
  setFaults(faults: Partial<Route53Faults>): Route53Faults;
  /** From now on count `accessKeyId`'s requests against `account` (rate limits are per account). */
  setAccount(accessKeyId: string, account: string): void;
  faults(): Route53Faults;
  stats(): Route53Stats;
  resetStats(): void;
  close(): Promise<void>;
}

const MAX_BODY = 10 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError(413, 'RequestEntityTooLarge', 'request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const accessKeyOf = (auth: string | undefined): string | null =>
  /Credential=([^/,\s]+)\//.exec(auth ?? '')?.[1] ?? null;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startRoute53Emulator(opts: Route53EmulatorOptions = {}): Promise<Route53Emulator> {
  const store = new ZoneStore();
  for (const z of opts.zones ?? []) store.createZone(z.name, z.id);
  let faults: Route53Faults = { ...DEFAULT_FAULTS, ...opts.faults };
  let stats = emptyStats();
  const limiter = new AccountRateLimiter();
  const random = opts.random ?? Math.random;
  const valid = opts.validAccessKeyIds ? new Set(opts.validAccessKeyIds) : null;
  const denied = new Set(opts.deniedAccessKeyIds ?? []);
  const accounts = new Map(Object.entries(opts.accounts ?? {}));
  const accountOf = (accessKeyId: string): string => accounts.get(accessKeyId) ?? `key:${accessKeyId}`;
  let reqSeq = 0;

  const emulator: Route53Emulator = {
    url: '',
    port: 0,
    store,
    createZone: (name, id) => store.createZone(name, id).id,
    records: (zoneId) => store.list(zoneId),
    seed: (zoneId, records) => store.put(zoneId, records),
    edit: (zoneId, e) => {
      for (const r of e.remove ?? []) store.remove(zoneId, r.name, r.type);
      store.put(zoneId, e.put ?? []);
    },
    setFaults: (f) => (faults = { ...faults, ...f }),
    setAccount: (accessKeyId, account) => void accounts.set(accessKeyId, account),
    faults: () => ({ ...faults }),
    stats: () => structuredClone(stats),
    resetStats: () => void (stats = emptyStats()),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // SDK clients keep connections alive; without this close() would wait for them to time out.
        server.closeAllConnections();
      }),
  };

  /** Auth, rate limits and injected faults, in the order Route 53's front end would apply them. */
  function gate(op: string, accessKeyId: string | null, now: number): void {
    if (accessKeyId === null) {
      throw new ApiError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    }
    if ((valid && !valid.has(accessKeyId)) || denied.has(accessKeyId)) {
      stats.authFailures++;
      if (denied.has(accessKeyId)) {
        throw new ApiError(403, 'AccessDenied', `User is not authorized to perform: route53:${op}`);
      }
      throw new ApiError(
        403,
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
      );
    }
    const overRate =
      faults.requestsPerSecond !== null &&
      !limiter.admit(accountOf(accessKeyId), faults.requestsPerSecond, now);
    const forced = faults.throttleNext > 0;
    if (forced) faults.throttleNext--;
    if (overRate || forced || (faults.throttleRate > 0 && random() < faults.throttleRate)) {
      stats.throttled++;
      throw new ApiError(400, 'Throttling', 'Rate exceeded');
    }
    const failing = faults.failNext > 0;
    if (failing) faults.failNext--;
    if (failing || (faults.serverErrorRate > 0 && random() < faults.serverErrorRate)) {
      stats.serverErrors++;
      throw new ApiError(500, 'InternalFailure', 'An internal error occurred (injected by the emulator).');
    }
  }

  async function serveApi(req: IncomingMessage, res: ServerResponse, url: URL, op: string): Promise<void> {
    const now = Date.now();
    const accessKeyId = accessKeyOf(req.headers.authorization);
    stats.calls[op] = (stats.calls[op] ?? 0) + 1;
    stats.requests.push({ at: now, op, accessKeyId });
    if (stats.requests.length > MAX_REQUEST_LOG)
      stats.requests.splice(0, stats.requests.length - MAX_REQUEST_LOG);
    const requestId = `emu-${++reqSeq}`;
    let status = 200;
    let body: string;
    try {
      const text = await readBody(req);
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      gate(op, accessKeyId, now);
      body = handleApi(
        op,
        { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body: text },
        {
          store,
          faults,
          stats,
          now: Date.now(),
        },
      );
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, 'InternalFailure', 'emulator error');
      status = e.status;
      body = errorXml(e, requestId);
    }
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    res.end(body);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname.startsWith('/__emulator/')) {
      await handleAdmin(req, res, url, emulator, readBody);
      return;
    }
    const op = operationOf(req.method ?? 'GET', url.pathname);
    if (op === null) {
      res.writeHead(404, { 'content-type': 'text/xml' });
      res.end(
        errorXml(
          new ApiError(404, 'UnknownOperationException', `No operation at ${req.method} ${url.pathname}`),
          'emu-0',
        ),
      );
      return;
    }
    await serveApi(req, res, url, op);
  }

  const server = createServer((req, res) => {
    route(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('error', () => undefined);
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  emulator.port = port;
  emulator.url = `http://${opts.host === '::1' ? '[::1]' : (opts.host ?? '127.0.0.1')}:${port}`;
  return emulator;
}
