/**
 * Turns a plan into Cloudflare record operations. Each planned RRset is made equal to its target state
 * against what the zone holds right now: records that already hold a wanted value stay (patched only for
 * TTL/proxied/marker), others are patched to a new value, and the rest deleted or posted. So applying the
 * same plan twice changes nothing the second time.
 */
import {
  planChanges,
  recordKey,
  type Plan,
  type PlanChange,
  type ProviderRecord,
  type RecordType,
} from '@understudy/core';
import { isOwnedBy, ownerMarker } from './marker.js';
import {
  absoluteName,
  AUTO_TTL,
  canonicalValue,
  cfName,
  PROXIABLE,
  valueFields,
  type CfRecord,
} from './record-map.js';

export type OpKind = 'delete' | 'patch' | 'post';

export interface RecordOp {
  kind: OpKind;
  body: Record<string, unknown>;
  /** Index into `changes`. */
  change: number;
}

export interface OpsPlan {
  changes: PlanChange[];
  /** Deletes, then patches, then posts: the order Cloudflare runs a batch in, kept across batches. */
  ops: RecordOp[];
  /** Changes Cloudflare would refuse, by index into `changes`, with the reason: never sent. */
  blocked: Map<number, string>;
}

export interface OpsOptions {
  ownerId: string;
  takeover: boolean;
  proxied: boolean;
}

const ORDER: Record<OpKind, number> = { delete: 0, patch: 1, post: 2 };

function target(c: PlanChange): ProviderRecord | null {
  return c.kind === 'delete' ? null : c.kind === 'update' ? c.after : c.record;
}

function groupByKey(current: readonly CfRecord[]): Map<string, CfRecord[]> {
  const out = new Map<string, CfRecord[]>();
  for (const r of current) {
    const key = recordKey({ name: absoluteName(r.name), type: r.type as RecordType });
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  return out;
}

export function buildOps(plan: Plan, current: readonly CfRecord[], opts: OpsOptions): OpsPlan {
  const changes = planChanges(plan);
  const byKey = groupByKey(current);
  const marker = ownerMarker(opts.ownerId);
  const ops: RecordOp[] = [];
  const blocked = delegatedNames(plan, changes, current);
  changes.forEach((c, i) => {
    if (blocked.has(i)) return;
    const key = recordKey(c.kind === 'update' ? c.after : c.record);
    const mine = (byKey.get(key) ?? []).filter((r) => opts.takeover || isOwnedBy(r.comment, opts.ownerId));
    ops.push(...opsFor(target(c), mine, marker, opts.proxied).map((o) => ({ ...o, change: i })));
  });
  ops.sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
  return { changes, ops, blocked };
}

/**
 * Below the apex, a name with NS records is delegated and Cloudflare refuses any other type there
 * (81056). Such a change is failed up front, so it neither fails its batch nor holds back the rest.
 */
function delegatedNames(
  plan: Plan,
  changes: PlanChange[],
  current: readonly CfRecord[],
): Map<number, string> {
  const apex = plan.zone.toLowerCase();
  const nsGone = new Set(
    changes.filter((c) => c.kind === 'delete' && c.record.type === 'NS').map((c) => changeName(c)),
  );
  const delegated = new Set(
    current
      .filter((r) => r.type === 'NS')
      .map((r) => absoluteName(r.name))
      .filter((n) => n !== apex && !nsGone.has(n)),
  );
  const out = new Map<number, string>();
  changes.forEach((c, i) => {
    const want = target(c);
    if (!want || want.type === 'NS' || !delegated.has(want.name)) return;
    out.set(
      i,
      `${want.name} holds NS records (the name is delegated): Cloudflare refuses a ${want.type} record there (81056); remove the delegation or the failover record`,
    );
  });
  return out;
}

const changeName = (c: PlanChange): string => (c.kind === 'update' ? c.after : c.record).name;

function opsFor(want: ProviderRecord | null, existing: CfRecord[], marker: string, proxiedTarget: boolean) {
  if (!want) return existing.map((r) => ({ kind: 'delete' as const, body: { id: r.id } }));
  const proxied = proxiedTarget && PROXIABLE.has(want.type);
  const ttl = proxied ? AUTO_TTL : want.ttl;
  const settings = { ttl, proxied, comment: marker };
  const missing = new Set(want.values);
  const spare: CfRecord[] = [];
  const out: Omit<RecordOp, 'change'>[] = [];
  for (const r of existing) {
    const v = canonicalValue(r);
    if (v !== null && missing.has(v)) {
      missing.delete(v);
      const same = r.ttl === ttl && (r.proxied ?? false) === proxied && r.comment === marker;
      if (!same) out.push({ kind: 'patch', body: { id: r.id, ...settings } });
    } else spare.push(r);
  }
  for (const value of missing) {
    const fields = valueFields(want.type, value);
    const reuse = spare.shift();
    if (reuse) out.push({ kind: 'patch', body: { id: reuse.id, type: want.type, ...fields, ...settings } });
    else
      out.push({ kind: 'post', body: { name: cfName(want.name), type: want.type, ...fields, ...settings } });
  }
  for (const r of spare) out.push({ kind: 'delete', body: { id: r.id } });
  return out;
}
