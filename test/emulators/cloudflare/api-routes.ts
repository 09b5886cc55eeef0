/** The Cloudflare v4 API operations the SDK sends for zones and DNS records. */
import { asObject, paginate, type ResultInfo } from './http-util.js';
import { ZoneStore } from './zone-store.js';
import { ApiFailure, type CfRecord, type EmulatorZone } from './types.js';

export interface ApiRequest {
  method: string;
  /** Path with any /client/v4 prefix removed, split on "/" without empty parts. */
  parts: string[];
  query: URLSearchParams;
  body: () => Promise<unknown>;
}

export interface ApiAnswer {
  result: unknown;
  resultInfo?: ResultInfo;
  /** Record changes made (for the counters). */
  changes?: number;
}

export interface Route {
  op: string;
  run: () => Promise<ApiAnswer>;
}

export interface ApiContext {
  store: ZoneStore;
  batchLimit: number;
  maxPerPage: number;
}

const zoneView = (z: EmulatorZone): unknown => ({
  id: z.id,
  name: z.name,
  status: 'active',
  paused: false,
  type: 'full',
  plan: {
    id: z.enterprise ? 'enterprise' : 'free',
    name: z.enterprise ? 'Enterprise Website' : 'Free Website',
  },
  account: { id: '0'.repeat(32), name: 'emulator' },
  name_servers: ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'],
});

function recordFilter(query: URLSearchParams): (r: CfRecord) => boolean {
  const name = (query.get('name') ?? query.get('name[exact]'))?.toLowerCase().replace(/\.$/, '');
  const type = query.get('type')?.toUpperCase();
  return (r) => (name === undefined || r.name === name) && (type === undefined || r.type === type);
}

/** Matches a request to an operation, or returns null (unknown route). */
export function route(req: ApiRequest, ctx: ApiContext): Route | null {
  const { method, parts, query } = req;
  const [root, zoneId, sub, recordId, extra] = parts;
  if (root !== 'zones' || extra !== undefined) return null;
  if (zoneId === undefined) {
    if (method !== 'GET') return null;
    return {
      op: 'zones.list',
      run: () => {
        const { page, info } = paginate(ctx.store.listZones(query.get('name') ?? undefined), query, {
          perPage: 20,
          maxPerPage: 50,
        });
        return Promise.resolve({ result: page.map(zoneView), resultInfo: info });
      },
    };
  }
  if (sub === undefined)
    return method === 'GET'
      ? { op: 'zones.get', run: () => Promise.resolve({ result: zoneView(ctx.store.byId(zoneId)) }) }
      : null;
  if (sub !== 'dns_records') return null;
  if (recordId === undefined) return collectionRoute(req, zoneId, ctx);
  if (recordId === 'batch') return method === 'POST' ? batchRoute(req, zoneId, ctx) : null;
  return recordRoute(req, zoneId, recordId, ctx);
}

function collectionRoute(req: ApiRequest, zoneId: string, ctx: ApiContext): Route | null {
  if (req.method === 'GET')
    return {
      op: 'records.list',
      run: () => {
        const all = ctx.store.all(ctx.store.byId(zoneId).id).filter(recordFilter(req.query));
        const { page, info } = paginate(all, req.query, { perPage: 100, maxPerPage: ctx.maxPerPage });
        return Promise.resolve({ result: page, resultInfo: info });
      },
    };
  if (req.method === 'POST')
    return {
      op: 'records.create',
      run: async () => {
        const zone = ctx.store.byId(zoneId);
        const body = asObject(await req.body());
        return { result: ctx.store.batch(zone.id, { posts: [body] }).posts[0], changes: 1 };
      },
    };
  return null;
}

function batchRoute(req: ApiRequest, zoneId: string, ctx: ApiContext): Route {
  return {
    op: 'records.batch',
    run: async () => {
      const zone = ctx.store.byId(zoneId);
      const body = asObject(await req.body());
      const size = ZoneStore.size(body);
      if (size > ctx.batchLimit)
        throw new ApiFailure(
          400,
          81087,
          `Batch of ${size} changes exceeds the limit of ${ctx.batchLimit} changes per request for this plan.`,
        );
      return { result: ctx.store.batch(zone.id, body), changes: size };
    },
  };
}

function recordRoute(req: ApiRequest, zoneId: string, recordId: string, ctx: ApiContext): Route | null {
  const zone = (): EmulatorZone => ctx.store.byId(zoneId);
  switch (req.method) {
    case 'GET':
      return {
        op: 'records.get',
        run: () => Promise.resolve({ result: ctx.store.get(zone().id, recordId) }),
      };
    case 'DELETE':
      return {
        op: 'records.delete',
        run: () => {
          ctx.store.batch(zone().id, { deletes: [{ id: recordId }] });
          return Promise.resolve({ result: { id: recordId }, changes: 1 });
        },
      };
    case 'PATCH':
    case 'PUT': {
      const kind = req.method === 'PATCH' ? 'patches' : 'puts';
      return {
        op: req.method === 'PATCH' ? 'records.edit' : 'records.update',
        run: async () => {
          const body = { ...asObject(await req.body()), id: recordId };
          const out = ctx.store.batch(zone().id, { [kind]: [body] });
          return { result: out[kind][0], changes: 1 };
        },
      };
    }
    default:
      return null;
  }
}
