/**
 * Routing-policy record sets (weighted, failover, latency, geolocation, multivalue: a SetIdentifier plus
 * one policy element) and alias record sets (AliasTarget instead of TTL and values), as the
 * ChangeResourceRecordSets API takes and lists them (ResourceRecordSet in the SDK's Route 53 model).
 * Understudy never writes these, but an operator's zone can hold them at a name Understudy manages.
 */
import type { EmuRecord } from './types.js';
import { invalidInput } from './types.js';

export type PolicyKind = 'simple' | 'weighted' | 'failover' | 'latency' | 'geolocation' | 'multivalue';

/** The policy element each kind is recognised by, in the SDK's serialization order. */
const POLICY_ELEMENTS: [string, PolicyKind][] = [
  ['Weight', 'weighted'],
  ['Region', 'latency'],
  ['GeoLocation', 'geolocation'],
  ['Failover', 'failover'],
  ['MultiValueAnswer', 'multivalue'],
];
const GEO_FIELDS = ['ContinentCode', 'CountryCode', 'SubdivisionCode'];

export function policyKind(r: EmuRecord): PolicyKind {
  for (const [el, kind] of POLICY_ELEMENTS) if (r.policy?.[el] !== undefined) return kind;
  return 'simple';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * The routing-policy and alias parts of a parsed ResourceRecordSet element, checked for shape:
 * InvalidInput for a policy without a SetIdentifier (or the reverse), two policies, or an alias with a TTL.
 */
export function parseRouting(
  rrs: Record<string, unknown>,
  where: string,
): Pick<EmuRecord, 'setIdentifier' | 'policy' | 'alias'> {
  const out: Pick<EmuRecord, 'setIdentifier' | 'policy' | 'alias'> = {};
  const policy: Record<string, string> = {};
  for (const [el] of POLICY_ELEMENTS) {
    const v = rrs[el];
    if (v === undefined) continue;
    if (el === 'GeoLocation') {
      const geo = (v ?? {}) as Record<string, unknown>;
      const parts = GEO_FIELDS.filter((f) => str(geo[f]) !== undefined).map((f) => `${f}=${str(geo[f])}`);
      if (parts.length === 0) throw invalidInput(`${where}: GeoLocation needs a code`);
      policy[el] = parts.join(',');
    } else if (str(v) !== undefined) policy[el] = str(v)!;
  }
  const hc = str(rrs['HealthCheckId']);
  const setId = str(rrs['SetIdentifier']);
  const kinds = Object.keys(policy).length;
  if (setId !== undefined && kinds !== 1) {
    throw invalidInput(`${where}: a SetIdentifier needs exactly one routing policy element, got ${kinds}`);
  }
  if (setId === undefined && kinds > 0) {
    throw invalidInput(`${where}: a routing policy element needs a SetIdentifier`);
  }
  if (setId !== undefined) out.setIdentifier = setId;
  if (kinds > 0 || hc !== undefined)
    out.policy = hc === undefined ? policy : { ...policy, HealthCheckId: hc };
  const at = rrs['AliasTarget'] as Record<string, unknown> | undefined;
  if (at !== undefined) {
    const hostedZoneId = str(at['HostedZoneId']);
    const dnsName = str(at['DNSName']);
    const eth = str(at['EvaluateTargetHealth']);
    if (!hostedZoneId || !dnsName || (eth !== 'true' && eth !== 'false')) {
      throw invalidInput(`${where}: AliasTarget needs HostedZoneId, DNSName and EvaluateTargetHealth`);
    }
    if (rrs['TTL'] !== undefined || rrs['ResourceRecords'] !== undefined) {
      throw invalidInput(`${where}: an alias record set takes no TTL and no ResourceRecords`);
    }
    out.alias = { hostedZoneId, dnsName, evaluateTargetHealth: eth === 'true' };
  }
  return out;
}

/** Rules that need the whole record: a non-alias failover PRIMARY must name a health check. */
export function routingProblem(r: EmuRecord): string | null {
  if (r.policy?.['Failover'] !== undefined && !['PRIMARY', 'SECONDARY'].includes(r.policy['Failover'])) {
    return `Failover must be PRIMARY or SECONDARY, got ${r.policy['Failover']}`;
  }
  if (r.policy?.['Failover'] === 'PRIMARY' && !r.alias && r.policy['HealthCheckId'] === undefined) {
    return 'A non-alias primary ResourceRecordSet must have an associated health check';
  }
  return null;
}

/**
 * Why `r` cannot join the sets already at its name and type (`others`, its own set excluded): a plain
 * set cannot share a name and type with sets that have identifiers, nor sets of different policies.
 */
export function coexistProblem(r: EmuRecord, others: readonly EmuRecord[]): string | null {
  if (others.length === 0) return null;
  const kind = policyKind(r);
  if (r.setIdentifier === undefined) {
    return `RRSet with DNS name ${r.name}, type ${r.type} cannot be created as other RRSets exist with the same name and type.`;
  }
  const clash = others.find((o) => policyKind(o) !== kind);
  if (!clash) return null;
  return `RRSet with DNS name ${r.name}, type ${r.type}, SetIdentifier ${r.setIdentifier} cannot be created as a non-${kind} set exists with the same name and type.`;
}

/** DELETE must repeat the set exactly: identifier, policy, alias target, TTL and values. */
export function sameSet(a: EmuRecord, b: EmuRecord): boolean {
  const sorted = (v: readonly string[]): string => JSON.stringify([...v].sort());
  return (
    a.ttl === b.ttl &&
    sorted(a.values) === sorted(b.values) &&
    a.setIdentifier === b.setIdentifier &&
    JSON.stringify(a.policy ?? {}) === JSON.stringify(b.policy ?? {}) &&
    JSON.stringify(a.alias ?? null) === JSON.stringify(b.alias ?? null)
  );
}

/** The routing and alias elements of a listed ResourceRecordSet, in the SDK's order around TTL/values. */
export function routingXml(r: EmuRecord, esc: (s: string) => string): { before: string; after: string } {
  let before = r.setIdentifier === undefined ? '' : `<SetIdentifier>${esc(r.setIdentifier)}</SetIdentifier>`;
  for (const [el] of POLICY_ELEMENTS) {
    const v = r.policy?.[el];
    if (v === undefined) continue;
    if (el === 'GeoLocation') {
      const inner = v
        .split(',')
        .map((kv) => kv.split('='))
        .map(([k, x]) => `<${k}>${esc(x ?? '')}</${k}>`)
        .join('');
      before += `<GeoLocation>${inner}</GeoLocation>`;
    } else before += `<${el}>${esc(v)}</${el}>`;
  }
  let after = '';
  if (r.alias) {
    after +=
      `<AliasTarget><HostedZoneId>${esc(r.alias.hostedZoneId)}</HostedZoneId><DNSName>${esc(r.alias.dnsName)}</DNSName>` +
      `<EvaluateTargetHealth>${r.alias.evaluateTargetHealth}</EvaluateTargetHealth></AliasTarget>`;
  }
  const hc = r.policy?.['HealthCheckId'];
  if (hc !== undefined) after += `<HealthCheckId>${esc(hc)}</HealthCheckId>`;
  return { before, after };
}

/** A record's identity in the store: name, type and (for routing-policy sets) the SetIdentifier. */
export const setKey = (name: string, type: string, setIdentifier?: string): string =>
  `${name}/${type}/${setIdentifier ?? ''}`;

export const noSuchSet = (r: EmuRecord): string =>
  `Tried to delete resource record set [name='${r.name}', type='${r.type}'${r.setIdentifier === undefined ? '' : `, set-identifier='${r.setIdentifier}'`}] but it was not found`;
