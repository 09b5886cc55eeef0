/**
 * The `route53` target type, config side: its schema properties, how its YAML object is read, and what
 * is refused at load. Imported by libs/config through `@understudy/provider-route53/config`, so nothing
 * here (nor anything it imports) may load the AWS SDK.
 */
import type { Route53TargetConfig, TargetKind, TargetKindContext, ZoneConfig } from '@understudy/core';
import { nameLengthProblem } from '@understudy/core';
import { markerName } from '../marker.js';

export const route53TargetKind: TargetKind<Route53TargetConfig> = {
  type: 'route53',
  required: [],
  schemaProperties: (t) => ({
    region: { type: 'string', default: 'us-east-1', description: 'AWS region for the API client.' },
    accessKeyId: {
      type: ['string', 'null'],
      default: null,
      description: 'Static credentials ("${AWS_ACCESS_KEY_ID}"); default: the standard AWS credential chain.',
    },
    secretAccessKey: { type: ['string', 'null'], default: null },
    profile: { type: ['string', 'null'], default: null, description: 'Shared-config profile name.' },
    requestsPerSecond: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 100,
      default: 5,
      description: 'Client-side limit for the whole account (Route 53 allows 5 requests/s).',
    },
    pollInterval: { ...t.duration, default: '2s', description: 'GetChange polling until INSYNC.' },
    // Issue 17: Route 53 counts 5 requests/s per AWS account, whatever the credentials.
    account: {
      type: ['string', 'null'],
      default: null,
      description:
        'The AWS account this target calls as (any label, e.g. the account id). Targets naming the same account share one requestsPerSecond budget, whatever their credentials; default: targets share it only when they use the same access key (or profile) and endpoint.',
    },
  }),
  build(o, common, ctx) {
    const { read, path: at } = ctx;
    const accessKeyId = read.str(o.accessKeyId) || null;
    const secretAccessKey = read.str(o.secretAccessKey) || null;
    if ((accessKeyId === null) !== (secretAccessKey === null))
      ctx.error(at, 'set both accessKeyId and secretAccessKey, or neither (to use the AWS credential chain)');
    const target: Route53TargetConfig = {
      ...common,
      type: 'route53',
      region: read.str(o.region) ?? 'us-east-1',
      accessKeyId,
      secretAccessKey,
      profile: read.str(o.profile) || null,
      requestsPerSecond: read.num(o.requestsPerSecond, Number.MIN_VALUE, 100) ?? 5,
      pollInterval: read.duration(o.pollInterval, [...at, 'pollInterval'], 2000, { min: 100 }),
      account: read.str(o.account) || null,
    };
    checkMarkerNames(target, ctx.zones, ctx);
    return target;
  },
};

/** Every failover record a Route 53 target syncs must leave room for its ownership marker's name. */
function checkMarkerNames(
  t: Route53TargetConfig,
  zones: readonly ZoneConfig[],
  ctx: TargetKindContext,
): void {
  const synced = new Set(t.zones.map((z) => z.apex));
  for (const zone of zones) {
    if (!synced.has(zone.apex)) continue;
    for (const rec of zone.failover) {
      const marker = markerName(rec.name, rec.type);
      const problem = nameLengthProblem(marker);
      if (problem === null) continue;
      ctx.error(
        [...ctx.path, 'zones'],
        `record ${rec.id}: target "${t.name}" (route53) writes an ownership marker ${marker} next to it, and that name would be ${problem}; shorten the record's name`,
      );
    }
  }
}
