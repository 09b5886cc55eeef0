/** The REST-XML layer: parse a ChangeResourceRecordSets body, write responses and errors. */
import { XMLParser } from 'fast-xml-parser';
import { canonicalName, wireName } from './names.js';
import type { HostedZone } from './zone-store.js';
import type { ApiError, ChangeInfo, EmuChange, EmuRecord } from './types.js';
import { invalidInput } from './types.js';
import { parseRouting, routingXml, setKey } from './routing.js';

export const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (tag) => tag === 'Change' || tag === 'ResourceRecord',
});

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Parses the body of a ChangeResourceRecordSets request. Shape errors are InvalidInput. */
export function parseChangeRequest(body: string): { changes: EmuChange[]; comment: string | null } {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(body, true) as Record<string, unknown>;
  } catch (err) {
    throw invalidInput(`Invalid XML: ${err instanceof Error ? err.message.split('\n')[0] : 'unparsable'}`);
  }
  const req = doc['ChangeResourceRecordSetsRequest'] as Record<string, unknown> | undefined;
  const batch = req?.['ChangeBatch'] as Record<string, unknown> | undefined;
  const list = (batch?.['Changes'] as Record<string, unknown> | undefined)?.['Change'];
  if (!batch || !Array.isArray(list)) throw invalidInput('Missing ChangeBatch/Changes/Change');
  const changes = list.map((c, i) => parseChange(c as Record<string, unknown>, i));
  return { changes, comment: text(batch['Comment']) };
}

function parseChange(c: Record<string, unknown>, i: number): EmuChange {
  const action = text(c['Action']);
  if (action !== 'CREATE' && action !== 'UPSERT' && action !== 'DELETE') {
    throw invalidInput(
      `Change ${i + 1}: Action must be CREATE, UPSERT or DELETE, got ${action ?? 'nothing'}`,
    );
  }
  const rrs = c['ResourceRecordSet'] as Record<string, unknown> | undefined;
  const name = text(rrs?.['Name']);
  const type = text(rrs?.['Type']);
  if (!rrs || !name || !type) throw invalidInput(`Change ${i + 1}: ResourceRecordSet needs Name and Type`);
  const routing = parseRouting(rrs, `Change ${i + 1}`);
  if (routing.alias) {
    return { action, record: { name: canonicalName(name), type, ttl: 0, values: [], ...routing } };
  }
  const ttlText = text(rrs['TTL']);
  if (ttlText === null || !/^-?\d+$/.test(ttlText)) {
    throw invalidInput(`Change ${i + 1}: TTL must be an integer, got ${ttlText ?? 'nothing'}`);
  }
  const rrList = (rrs['ResourceRecords'] as Record<string, unknown> | undefined)?.['ResourceRecord'];
  const values = (Array.isArray(rrList) ? rrList : []).map((r) =>
    text((r as Record<string, unknown>)['Value']),
  );
  if (values.some((v) => v === null))
    throw invalidInput(`Change ${i + 1}: every ResourceRecord needs a Value`);
  const record: EmuRecord = {
    name: canonicalName(name),
    type,
    ttl: Number(ttlText),
    values: values as string[],
    ...routing,
  };
  return { action, record };
}

const doc = (root: string, inner: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${NS}">${inner}</${root}>`;

export function errorXml(err: ApiError, requestId: string): string {
  const e = `<Error><Type>${err.type}</Type><Code>${esc(err.code)}</Code><Message>${esc(err.message)}</Message></Error>`;
  return doc('ErrorResponse', `${e}<RequestId>${requestId}</RequestId>`);
}

function zoneXml(z: HostedZone): string {
  return (
    `<HostedZone><Id>/hostedzone/${z.id}</Id><Name>${esc(wireName(z.name))}</Name>` +
    `<CallerReference>emulator-${z.id}</CallerReference><Config><PrivateZone>false</PrivateZone></Config>` +
    `<ResourceRecordSetCount>${z.records.size}</ResourceRecordSetCount></HostedZone>`
  );
}

export function hostedZonesByNameXml(
  zones: HostedZone[],
  q: { dnsName: string | null; zoneId: string | null; maxItems: number },
  next: HostedZone | null,
): string {
  const parts = [`<HostedZones>${zones.map(zoneXml).join('')}</HostedZones>`];
  if (q.dnsName !== null) parts.push(`<DNSName>${esc(q.dnsName)}</DNSName>`);
  if (q.zoneId !== null) parts.push(`<HostedZoneId>${esc(q.zoneId)}</HostedZoneId>`);
  parts.push(`<IsTruncated>${next !== null}</IsTruncated>`);
  if (next)
    parts.push(
      `<NextDNSName>${esc(wireName(next.name))}</NextDNSName><NextHostedZoneId>${next.id}</NextHostedZoneId>`,
    );
  parts.push(`<MaxItems>${q.maxItems}</MaxItems>`);
  return doc('ListHostedZonesByNameResponse', parts.join(''));
}

export function getHostedZoneXml(z: HostedZone): string {
  const ns = z.records.get(setKey(z.name, 'NS'))?.values ?? [];
  const servers = ns.map((n) => `<NameServer>${esc(n)}</NameServer>`).join('');
  return doc(
    'GetHostedZoneResponse',
    `${zoneXml(z)}<DelegationSet><NameServers>${servers}</NameServers></DelegationSet>`,
  );
}

function rrsetXml(r: EmuRecord): string {
  const values = r.values.map((v) => `<ResourceRecord><Value>${esc(v)}</Value></ResourceRecord>`).join('');
  const { before, after } = routingXml(r, esc);
  const data = r.alias ? '' : `<TTL>${r.ttl}</TTL><ResourceRecords>${values}</ResourceRecords>`;
  return (
    `<ResourceRecordSet><Name>${esc(wireName(r.name))}</Name><Type>${r.type}</Type>${before}` +
    `${data}${after}</ResourceRecordSet>`
  );
}

export function listRrsetsXml(records: EmuRecord[], maxItems: number, next: EmuRecord | null): string {
  const parts = [`<ResourceRecordSets>${records.map(rrsetXml).join('')}</ResourceRecordSets>`];
  parts.push(`<IsTruncated>${next !== null}</IsTruncated>`);
  if (next) {
    parts.push(
      `<NextRecordName>${esc(wireName(next.name))}</NextRecordName><NextRecordType>${next.type}</NextRecordType>`,
    );
    // A page that ends inside a group of sets with identifiers says where in the group to go on.
    if (next.setIdentifier !== undefined)
      parts.push(`<NextRecordIdentifier>${esc(next.setIdentifier)}</NextRecordIdentifier>`);
  }
  parts.push(`<MaxItems>${maxItems}</MaxItems>`);
  return doc('ListResourceRecordSetsResponse', parts.join(''));
}

function changeInfoXml(c: ChangeInfo): string {
  const comment = c.comment === null ? '' : `<Comment>${esc(c.comment)}</Comment>`;
  return (
    `<ChangeInfo><Id>/change/${c.id}</Id><Status>${c.status}</Status>` +
    `<SubmittedAt>${new Date(c.submittedAt).toISOString()}</SubmittedAt>${comment}</ChangeInfo>`
  );
}

export const changeXml = (
  op: 'ChangeResourceRecordSetsResponse' | 'GetChangeResponse',
  c: ChangeInfo,
): string => doc(op, changeInfoXml(c));
