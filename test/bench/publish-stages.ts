/**
 * The publish breakdown of bench:scale (issue 11): understudy_dns_publish_stage_seconds and
 * understudy_dns_publish_slices_total read from /metrics, and their change between two readings.
 */
import { fmt, summarize } from './stats.js';

export type Totals = Map<string, { sum: number; count: number }>;

/** understudy_dns_publish_stage_seconds (sum, count) by stage, and the slices counter, from /metrics. */
export async function stageTotals(httpPort: number): Promise<Totals> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const out: Totals = new Map();
  const at = (k: string) => out.get(k) ?? out.set(k, { sum: 0, count: 0 }).get(k)!;
  for (const m of text.matchAll(
    /^understudy_dns_publish_stage_seconds_(sum|count)\{stage="(\w+)"\} (\S+)$/gm,
  ))
    at(m[2]!)[m[1] as 'sum' | 'count'] = Number(m[3]);
  const slices = /^understudy_dns_publish_slices_total (\S+)$/m.exec(text);
  if (slices) at('slices').sum = Number(slices[1]);
  return out;
}

/** Mean ms per observation of each stage between two readings; slices per worker apply. */
export function stageMeans(a: Totals, b: Totals): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [stage, t] of b) {
    if (stage === 'slices') continue;
    const n = t.count - (a.get(stage)?.count ?? 0);
    if (n > 0) out[stage] = ((t.sum - (a.get(stage)?.sum ?? 0)) * 1000) / n;
  }
  const applies = (b.get('plan')?.count ?? 0) - (a.get('plan')?.count ?? 0);
  if (applies > 0) out.slices = ((b.get('slices')?.sum ?? 0) - (a.get('slices')?.sum ?? 0)) / applies;
  return out;
}

const STAGES = ['decide', 'handoff', 'ipc', 'queue', 'plan', 'encode', 'paused', 'commit', 'ack', 'slices'];

export function breakdown(perChange: Record<string, number>[]): string {
  return STAGES.map((stage) => {
    const s = summarize(perChange.flatMap((c) => (c[stage] === undefined ? [] : [c[stage]])));
    return `${stage} ${fmt(s.p50)}/${fmt(s.max)}`;
  }).join(' · ');
}
