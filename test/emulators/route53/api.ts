/** The five Route 53 operations the provider uses, over the emulator's store. */
import { canonicalName, compareNames, compareSets } from './names.js';
import type { Route53Faults, Route53Stats } from './faults.js';
import { ApiError, SUPPORTED_TYPES, invalidInput } from './types.js';
import type { ZoneStore } from './zone-store.js';
import {
  changeXml,
  getHostedZoneXml,
  hostedZonesByNameXml,
  listRrsetsXml,
  parseChangeRequest,
} from './xml.js';

export const MAX_LIST_ITEMS = 300;
const PREFIX = '/2013-04-01/';

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
}

export interface ApiContext {
  store: ZoneStore;
  faults: Route53Faults;
  stats: Route53Stats;
  now: number;
}

/** Which operation a request is, or null when the path is not one we emulate. */
export function operationOf(method: string, path: string): string | null {
  if (!path.startsWith(PREFIX)) return null;
  const parts = path.slice(PREFIX.length).split('/').filter(Boolean);
  if (method === 'GET' && parts.length === 1 && parts[0] === 'hostedzonesbyname')
    return 'ListHostedZonesByName';
  if (parts[0] === 'hostedzone' && parts.length === 2 && method === 'GET') return 'GetHostedZone';
  if (parts[0] === 'hostedzone' && parts.length === 3 && parts[2] === 'rrset') {
    if (method === 'GET') return 'ListResourceRecordSets';
    if (method === 'POST') return 'ChangeResourceRecordSets';
  }
  if (method === 'GET' && parts[0] === 'change' && parts.length === 2) return 'GetChange';
  return null;
}

/** Ids arrive bare ("Z123") or with their resource prefix ("/hostedzone/Z123", URL-encoded). */
function idFrom(path: string, index: number): string {
  const raw = decodeURIComponent(path.slice(PREFIX.length).split('/').filter(Boolean)[index] ?? '');
  return raw.replace(/^\/?(hostedzone|change)\//, '');
}

function maxItems(q: URLSearchParams, dflt: number): number {
  const raw = q.get('maxitems');
  if (raw === null) return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    throw invalidInput(`maxitems must be a positive integer, got ${raw}`);
  return Math.min(Number(raw), MAX_LIST_ITEMS);
}

export function handleApi(op: string, req: ApiRequest, ctx: ApiContext): string {
  switch (op) {
    case 'ListHostedZonesByName':
      return listZones(req.query, ctx);
    case 'GetHostedZone':
      return getHostedZoneXml(ctx.store.zone(idFrom(req.path, 1)));
    case 'ListResourceRecordSets':
      return listRecords(idFrom(req.path, 1), req.query, ctx);
    case 'ChangeResourceRecordSets':
      return changeRecords(idFrom(req.path, 1), req.body, ctx);
    case 'GetChange':
      return changeXml(
        'GetChangeResponse',
        ctx.store.change(idFrom(req.path, 1), ctx.now, ctx.faults.insyncDelayMs),
      );
    default:
      throw new ApiError(404, 'UnknownOperationException', `Unknown operation ${op}`);
  }
}

function listZones(q: URLSearchParams, ctx: ApiContext): string {
  const dnsParam = q.get('dnsname');
  const idParam = q.get('hostedzoneid');
  if (idParam !== null && dnsParam === null) throw invalidInput('hostedzoneid requires dnsname');
  const max = maxItems(q, 100);
  const from = dnsParam === null ? null : canonicalName(dnsParam);
  const all = ctx.store.zonesByName().filter((z) => {
    if (from === null) return true;
    const c = compareNames(z.name, from);
    return c > 0 || (c === 0 && (idParam === null || z.id >= idParam));
  });
  return hostedZonesByNameXml(
    all.slice(0, max),
    { dnsName: dnsParam, zoneId: idParam, maxItems: max },
    all[max] ?? null,
  );
}

function listRecords(zoneId: string, q: URLSearchParams, ctx: ApiContext): string {
  const name = q.get('name');
  const type = q.get('type');
  if (type !== null && name === null) throw invalidInput('type requires name');
  if (type !== null && !SUPPORTED_TYPES.has(type)) throw invalidInput(`Unsupported record type: ${type}`);
  const max = maxItems(q, MAX_LIST_ITEMS);
  const all = ctx.store.list(zoneId);
  const identifier = q.get('identifier');
  if (identifier !== null && type === null) throw invalidInput('identifier requires name and type');
  const start =
    name === null
      ? null
      : {
          name: canonicalName(name),
          type: type ?? '',
          ...(identifier === null ? {} : { setIdentifier: identifier }),
        };
  const rest = start === null ? all : all.filter((r) => compareSets(r, start) >= 0);
  return listRrsetsXml(rest.slice(0, max), max, rest[max] ?? null);
}

function changeRecords(zoneId: string, body: string, ctx: ApiContext): string {
  const zone = ctx.store.zone(zoneId);
  if (
    ctx.faults.priorRequestWhilePending &&
    ctx.store.hasPending(zone.id, ctx.now, ctx.faults.insyncDelayMs)
  ) {
    ctx.stats.priorRequestNotComplete++;
    throw new ApiError(
      400,
      'PriorRequestNotComplete',
      'The request was rejected because Route 53 was still processing a prior request.',
    );
  }
  const { changes, comment } = parseChangeRequest(body);
  const info = ctx.store.apply(zone.id, changes, ctx.now, comment);
  ctx.stats.changeBatches++;
  ctx.stats.changes += changes.length;
  return changeXml('ChangeResourceRecordSetsResponse', info);
}
