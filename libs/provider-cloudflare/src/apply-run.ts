/**
 * Sends record operations as /dns_records/batch calls of at most `batchSize`, in order. Each batch is one
 * transaction at Cloudflare. A refused batch is split until the refusal is pinned on its own changes, so
 * the rest still applies; a transient failure that outlasts the retries is thrown, saying how far the
 * apply got.
 */
import { batchChanges, changeRecord, TransientError, type ChangeResult } from '@understudy/core';
import type { RecordBatchParams } from 'cloudflare/resources/dns/records';
import { callApi, type CallCounters } from './api-call.js';
import type { OpsPlan, RecordOp } from './apply-ops.js';
import { CloudflareApiError } from './errors.js';
import type { ZoneApi } from './zone-api.js';

export interface BatchRun {
  changes: ChangeResult[];
  propagated: boolean;
  publishedAt: number | null;
  batches: number;
}

function body(zoneId: string, ops: RecordOp[]): RecordBatchParams {
  const of = (kind: RecordOp['kind']) => ops.filter((o) => o.kind === kind).map((o) => o.body);
  const params: Record<string, unknown> = { zone_id: zoneId };
  for (const [key, kind] of [
    ['deletes', 'delete'],
    ['patches', 'patch'],
    ['posts', 'post'],
  ] as const) {
    const list = of(kind);
    if (list.length > 0) params[key] = list;
  }
  return params as unknown as RecordBatchParams;
}

export async function runBatches(
  api: ZoneApi,
  counters: CallCounters,
  where: { zoneId: string; apex: string; batchSize: number },
  plan: OpsPlan,
): Promise<BatchRun> {
  const batches = batchChanges(plan.ops, [{ max: where.batchSize, weight: () => 1 }]);
  const failed = new Map<number, string>(plan.blocked);
  let sent = 0;
  let publishedAt: number | null = null;

  /**
   * One batch; when Cloudflare refuses it (all-or-nothing), its changes are split in halves and sent
   * again until each refusal is pinned on its own change, so one bad record fails alone.
   */
  async function send(ops: RecordOp[], batchNo: number): Promise<void> {
    try {
      await callApi(api.policy, counters, { op: 'dns.records.batch', zone: where.apex }, () =>
        api.client.dns.records.batch(body(where.zoneId, ops)),
      );
      sent++;
      publishedAt = api.policy.clock.now();
    } catch (err) {
      if (!(err instanceof CloudflareApiError)) {
        const progress = `${sent} batch calls applied before this, batch ${batchNo + 1} of ${batches.length}`;
        if (err instanceof TransientError)
          throw new TransientError(`${err.message} (${progress})`, err.retryAfterMs, { cause: err });
        throw err;
      }
      const ids = [...new Set(ops.map((o) => o.change))];
      if (ids.length === 1) {
        api.policy.logger.warn(
          { target: api.policy.target, zone: where.apex, err },
          'cloudflare batch refused',
        );
        failed.set(ids[0]!, err.message);
        return;
      }
      const first = new Set(ids.slice(0, Math.ceil(ids.length / 2)));
      // Halves keep the delete → patch → post order, and the earlier changes go first.
      await send(
        ops.filter((o) => first.has(o.change)),
        batchNo,
      );
      await send(
        ops.filter((o) => !first.has(o.change)),
        batchNo,
      );
    }
  }

  for (const [i, batch] of batches.entries()) await send(batch, i);
  const changes = plan.changes.map((c, i): ChangeResult => {
    const r = changeRecord(c);
    const error = failed.get(i);
    return error === undefined
      ? { kind: c.kind, name: r.name, type: r.type, ok: true }
      : { kind: c.kind, name: r.name, type: r.type, ok: false, error };
  });
  const ok = failed.size === 0;
  return {
    changes,
    propagated: ok,
    // Nothing to send still means the zone already holds the plan's result.
    publishedAt: ok ? (publishedAt ?? api.policy.clock.now()) : null,
    batches: sent,
  };
}
