/**
 * The `cloudflare` target type, config side: its schema properties, how its YAML object is read, and
 * what is refused or warned about at load. Imported by libs/config through
 * `@understudy/provider-cloudflare/config`, so nothing here (nor anything it imports) may load the SDK.
 */
import type { CloudflareTargetConfig, TargetKind, TargetKindContext } from '@understudy/core';

/** Cloudflare proxied records always have this TTL. */
const PROXIED_TTL = 300;

export const cloudflareTargetKind: TargetKind<CloudflareTargetConfig> = {
  type: 'cloudflare',
  required: ['apiToken'],
  schemaProperties: (t) => ({
    apiToken: {
      type: 'string',
      minLength: 1,
      description: 'API token with Zone:Read and DNS:Edit ("${CF_API_TOKEN}").',
    },
    batchSize: {
      type: 'integer',
      minimum: 1,
      maximum: 3500,
      default: 200,
      description: 'Changes per /dns_records/batch call: 200 on Free, up to 3,500 on paid plans.',
    },
    minTtl: {
      type: 'integer',
      enum: [30, 60],
      default: 60,
      description: 'Provider minimum TTL: 60, or 30 on Enterprise.',
    },
    proxied: {
      type: 'boolean',
      default: false,
      description: 'Publish proxied records (their TTL is fixed at 300 s by Cloudflare).',
    },
    rateLimit: t.strictObject({
      requests: { type: 'integer', minimum: 1, default: 1200 },
      window: { ...t.duration, default: '5m' },
    }),
    // Issue 17: Cloudflare counts 1,200 requests per 5 minutes per user (every token and the dashboard).
    user: {
      type: ['string', 'null'],
      default: null,
      description:
        'The Cloudflare user owning apiToken (any label, e.g. the login e-mail). Targets naming the same user share one rateLimit budget, whatever their tokens; default: targets share it only when they use the same token and endpoint.',
    },
  }),
  build(o, common, ctx) {
    const { read, path: at } = ctx;
    const apiToken = read.str(o.apiToken);
    if (apiToken === undefined) return undefined;
    const rl = read.obj(o.rateLimit);
    const target: CloudflareTargetConfig = {
      ...common,
      type: 'cloudflare',
      apiToken,
      batchSize: read.int(o.batchSize, 1, 3500) ?? 200,
      minTtl: read.int(o.minTtl, 30, 60) === 30 ? 30 : 60,
      proxied: read.bool(o.proxied) ?? false,
      rateLimit: {
        requests: read.int(rl.requests, 1, Number.MAX_SAFE_INTEGER) ?? 1200,
        window: read.duration(rl.window, [...at, 'rateLimit', 'window'], 300_000, { min: 1000 }),
      },
      user: read.str(o.user) || null,
    };
    warnTtls(target, ctx);
    checkDelegations(target, ctx);
    warnDegradedTtls(target, ctx); // issue 14
    return target;
  },
};

/** The failover records of the zones this target syncs. */
function* syncedFailover(t: CloudflareTargetConfig, ctx: TargetKindContext) {
  const synced = new Set(t.zones.map((z) => z.apex));
  for (const zone of ctx.zones) if (synced.has(zone.apex)) yield* zone.failover.map((rec) => ({ zone, rec }));
}

/** A failover record whose TTL Cloudflare will not honour is served slower than configured: say so at load. */
function warnTtls(t: CloudflareTargetConfig, ctx: TargetKindContext): void {
  for (const { rec } of syncedFailover(t, ctx)) {
    if (t.proxied && rec.ttl !== PROXIED_TTL)
      ctx.warn(
        [...ctx.path, 'proxied'],
        `record ${rec.id} has TTL ${rec.ttl}s, but proxied Cloudflare records always have ${PROXIED_TTL}s`,
      );
    else if (!t.proxied && rec.ttl < t.minTtl)
      ctx.warn(
        [...ctx.path, 'minTtl'],
        `record ${rec.id} has TTL ${rec.ttl}s, below Cloudflare's minimum of ${t.minTtl}s: target "${t.name}" will serve ${t.minTtl}s, so failover there drains slower`,
      );
  }
}

/**
 * Cloudflare refuses any other type at a name with NS records below the apex (a delegation, error
 * 81056). A failover record at a name the zone's own records delegate can never be synced there.
 */
function checkDelegations(t: CloudflareTargetConfig, ctx: TargetKindContext): void {
  const delegated = new Map<string, Set<string>>();
  for (const { zone, rec } of syncedFailover(t, ctx)) {
    let names = delegated.get(zone.apex);
    if (!names) {
      names = new Set(zone.records.filter((r) => r.type === 'NS' && r.name !== zone.apex).map((r) => r.name));
      delegated.set(zone.apex, names);
    }
    if (!names.has(rec.name)) continue;
    ctx.error(
      [...ctx.path, 'zones'],
      `record ${rec.id}: ${rec.name} also has NS records in zone ${zone.apex}, and target "${t.name}" (cloudflare) refuses any other type at a delegated name; move the failover record or the delegation`,
    );
  }
}

// --- issue 14: health per address (i14addr) ---
/**
 * The healthy set of a per-address tier is published as one RRset, which every provider holds; what
 * Cloudflare cannot hold is a degraded TTL below its minimum, or any TTL but 300 s on proxied records.
 */
function warnDegradedTtls(t: CloudflareTargetConfig, ctx: TargetKindContext): void {
  for (const { rec } of syncedFailover(t, ctx)) {
    const d = rec.degradedTtl ?? null;
    if (d === null || (!t.proxied && d >= t.minTtl)) continue;
    ctx.warn(
      [...ctx.path, t.proxied ? 'proxied' : 'minTtl'],
      t.proxied
        ? `record ${rec.id} has degradedTtl ${d}s, but proxied Cloudflare records always have 300s: target "${t.name}" does not shorten it`
        : `record ${rec.id} has degradedTtl ${d}s, below Cloudflare's minimum of ${t.minTtl}s: target "${t.name}" serves ${t.minTtl}s while degraded`,
    );
  }
}
// --- end issue 14 ---
