/** Zone lookup and record listing over the SDK, each page one counted, rate-limited call. */
import type Cloudflare from 'cloudflare';
import { normalizeName } from '@understudy/core';
import { callApi, type CallCounters, type CallPolicy } from './api-call.js';
import { CloudflareApiError, targetLabel, unknownZoneError } from './errors.js';
import type { CfRecord } from './record-map.js';

export interface ZoneApi {
  client: Cloudflare;
  policy: CallPolicy;
  perPage: number;
}

/** A 200 answer that is not the Cloudflare API's shape (a proxy page, a wrong endpoint): name the target. */
function notTheApi(target: string, op: string, endpointHint: string): CloudflareApiError {
  return new CloudflareApiError(
    `${targetLabel(target)}: ${op} answered with something that is not the Cloudflare API (${endpointHint}); check the endpoint`,
    undefined,
    [],
  );
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The zone id for an apex: the configured id (checked against the apex) or a lookup by name. */
export async function findZoneId(
  api: ZoneApi,
  counters: CallCounters,
  apex: string,
  configuredId: string | null,
): Promise<string> {
  const name = apex.replace(/\.$/, '');
  const target = api.policy.target;
  if (configuredId !== null) {
    let zone: { id: string; name: string };
    try {
      zone = await callApi(api.policy, counters, { op: 'zones.get', zone: apex }, () =>
        api.client.zones.get({ zone_id: configuredId }),
      );
    } catch (err) {
      if (err instanceof CloudflareApiError && (err.status === 404 || err.status === 400))
        throw unknownZoneError(target, apex, `zone id ${configuredId} does not exist (${err.message})`);
      throw err;
    }
    if (!isObject(zone) || typeof zone.name !== 'string' || typeof zone.id !== 'string')
      throw notTheApi(target, 'zones.get', 'no zone with an id and a name');
    const got = normalizeName(zone.name);
    if (!got.ok || got.name !== apex)
      throw unknownZoneError(target, apex, `configured zone id ${configuredId} is the zone ${zone.name}`);
    return zone.id;
  }
  const page = await callApi(api.policy, counters, { op: 'zones.list', zone: apex }, () =>
    api.client.zones.list({ name, per_page: 50 }),
  );
  if (!isObject(page) || !Array.isArray(page.result)) throw notTheApi(target, 'zones.list', 'no result list');
  const hit = page.result.find(
    (z) => isObject(z) && typeof z.name === 'string' && z.name.toLowerCase() === name,
  );
  if (!hit)
    throw unknownZoneError(
      target,
      apex,
      'the API token cannot see a zone of that name (check the name, the account, and the token’s Zone:Read permission)',
    );
  return hit.id;
}

/** Every record of the zone, page by page; stops on a short page so no empty trailing page is fetched. */
export async function listRecords(
  api: ZoneApi,
  counters: CallCounters,
  zoneId: string,
  apex: string,
): Promise<CfRecord[]> {
  const out: CfRecord[] = [];
  const what = { op: 'dns.records.list', zone: apex };
  let page = await callApi(api.policy, counters, what, () =>
    api.client.dns.records.list({ zone_id: zoneId, per_page: api.perPage, page: 1 }),
  );
  for (let n = 1; ; n++) {
    if (!isObject(page) || !Array.isArray(page.result))
      throw notTheApi(api.policy.target, 'dns.records.list', 'no result list');
    out.push(...(page.result as unknown as CfRecord[]));
    const totalPages = (page.result_info as { total_pages?: number } | undefined)?.total_pages;
    const more = totalPages === undefined ? page.result.length >= api.perPage : n < totalPages;
    if (!more || !page.hasNextPage()) return out;
    const current = page;
    page = await callApi(api.policy, counters, what, () => current.getNextPage());
  }
}
