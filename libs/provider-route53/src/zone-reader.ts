/** Finding a hosted zone (by configured id or by name) and reading all its RRsets, page by page. */
import type { ListResourceRecordSetsResponse, RRType } from '@aws-sdk/client-route-53';
import {
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
} from '@aws-sdk/client-route-53';
import type { ProviderRecord } from '@understudy/core';
import { recordKey } from '@understudy/core';
import type { CallCounters, Route53Api } from './api-client.js';
import type { ZoneSnapshot } from './change-batches.js';
import { Route53TargetError } from './errors.js';
import { parseMarker } from './marker.js';
import { decodeName, fromWire } from './records.js';

export const bareId = (id: string): string => id.replace(/^\/?hostedzone\//, '');

/** The hosted zone id for `apex`: verified once when configured, else looked up by name. */
export async function resolveZoneId(
  api: Route53Api,
  target: string,
  apex: string,
  configuredId: string | null,
  counters: CallCounters,
): Promise<string> {
  if (configuredId !== null) {
    const id = bareId(configuredId);
    const res = await api.call(
      'GetHostedZone',
      (c) => c.send(new GetHostedZoneCommand({ Id: id })),
      counters,
    );
    if (!res.HostedZone?.Name) {
      throw new Route53TargetError(
        target,
        'NotRoute53',
        `GetHostedZone ${id} answered without a hosted zone: the endpoint does not look like the Route 53 API`,
      );
    }
    const name = decodeName(res.HostedZone.Name);
    if (name !== apex) {
      throw new Route53TargetError(target, 'ZoneMismatch', `hosted zone ${id} is ${name}, not ${apex}`);
    }
    return id;
  }
  const res = await api.call(
    'ListHostedZonesByName',
    (c) => c.send(new ListHostedZonesByNameCommand({ DNSName: apex, MaxItems: 20 })),
    counters,
  );
  if (!Array.isArray(res.HostedZones)) {
    throw new Route53TargetError(
      target,
      'NotRoute53',
      'ListHostedZonesByName answered without a zone list: the endpoint does not look like the Route 53 API',
    );
  }
  const named = res.HostedZones.filter((z) => decodeName(z.Name ?? '') === apex);
  const pub = named.filter((z) => z.Config?.PrivateZone !== true);
  if (pub.length === 0) {
    throw new Route53TargetError(target, 'NoSuchHostedZone', `no public hosted zone named ${apex}`);
  }
  if (pub.length > 1) {
    throw new Route53TargetError(
      target,
      'AmbiguousZone',
      `${pub.length} public hosted zones are named ${apex}; set the zone's id in the target config`,
    );
  }
  return bareId(pub[0]!.Id ?? '');
}

export interface ReadResult {
  owned: ProviderRecord[];
  foreign: ProviderRecord[];
  snapshot: ZoneSnapshot;
}

/** Lists every RRset and sorts them into ours (marked by `ownerId`), foreign, and markers (neither). */
export async function readZone(
  api: Route53Api,
  zoneId: string,
  ownerId: string,
  pageSize: number,
  counters: CallCounters,
): Promise<ReadResult> {
  const all: ReturnType<typeof fromWire>[] = [];
  let start: { name: string; type: RRType; identifier: string | undefined } | null = null;
  for (;;) {
    const res: ListResourceRecordSetsResponse = await api.call(
      'ListResourceRecordSets',
      (c) =>
        c.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            MaxItems: pageSize,
            ...(start ? { StartRecordName: start.name, StartRecordType: start.type } : {}),
            // A page that ended inside a group of sets with identifiers goes on inside the group.
            ...(start?.identifier !== undefined ? { StartRecordIdentifier: start.identifier } : {}),
          }),
        ),
      counters,
    );
    for (const rrs of res.ResourceRecordSets ?? []) all.push(fromWire(rrs));
    if (!res.IsTruncated || !res.NextRecordName || !res.NextRecordType) break;
    start = { name: res.NextRecordName, type: res.NextRecordType, identifier: res.NextRecordIdentifier };
  }
  const snapshot: ZoneSnapshot = { records: new Map(), markers: new Map(), special: new Map() };
  const candidates = new Map<string, ProviderRecord>();
  for (const item of all) {
    if (!item) continue;
    const key = recordKey(item.record);
    const m =
      item.record.type === 'TXT' && !item.wire.set ? parseMarker(item.record.name, item.wire.values) : null;
    if (m) snapshot.markers.set(`${m.name}/${m.type}`, { wire: item.wire, owner: m.owner });
    else if (item.wire.set) {
      // Every set at the name and type is kept: a takeover must delete each one exactly.
      snapshot.special.set(key, [...(snapshot.special.get(key) ?? []), item.wire]);
      const seen = candidates.get(key);
      candidates.set(
        key,
        seen ? { ...seen, values: [...seen.values, ...item.record.values].sort() } : item.record,
      );
    } else {
      snapshot.records.set(key, item.wire);
      candidates.set(key, item.record);
    }
  }
  const owned: ProviderRecord[] = [];
  const foreign: ProviderRecord[] = [];
  for (const [key, r] of candidates) {
    // Alias and routing-policy sets are never ours, whatever a marker says.
    const mine = snapshot.markers.get(key)?.owner === ownerId && !snapshot.special.has(key);
    (mine ? owned : foreign).push(r);
  }
  return { owned, foreign, snapshot };
}
