/** Faults and measurements for the chaos suite, over a Cluster from ./distributed.js. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DecisionEvent } from '@understudy/core';
import { waitFor } from '@understudy/testkit/wait';
import type { Cluster } from './distributed.js';

/** kill -9 of a cluster process; it is forgotten (a new one may take its name). */
export async function kill9(c: Cluster, name: string): Promise<void> {
  const child = c.get(name).child;
  child.proc.kill('SIGKILL');
  await child.exited;
  c.procs.delete(name);
}

/** A graceful stop (SIGTERM) of a cluster process; it is forgotten. */
export async function stopProc(c: Cluster, name: string): Promise<void> {
  await c.get(name).child.stop(8000);
  c.procs.delete(name);
}

/** Ms from now until one of `names` says it leads; fails after `timeoutMs`. Returns [ms, leader]. */
export async function timeToLeader(
  c: Cluster,
  names: string[],
  timeoutMs: number,
): Promise<[number, string]> {
  const start = Date.now();
  const leader = await waitFor(() => c.leader(names), {
    timeoutMs,
    intervalMs: 100,
    what: `a leader among ${names.join(', ')}`,
  }).catch(async (err: unknown) => {
    const states = await Promise.all(
      [...c.procs.keys()]
        .filter((n) => n.startsWith('decider'))
        .map(
          async (n) => `${n}: ${JSON.stringify((await c.readyz(n).catch(() => null))?.body ?? 'no reply')}`,
        ),
    );
    throw new Error(`${String(err)}\n${states.join('\n')}\n${c.outputs(1500)}`);
  });
  return [Date.now() - start, leader];
}

/** Every stored event, oldest first. */
export async function timeline(c: Cluster): Promise<DecisionEvent[]> {
  return (await c.store.readEvents({ limit: 10_000 })).sort((a, b) => a.seq - b.seq);
}

/** seq values missing between the first and the last event, and seq values stored twice. */
export function seqProblems(events: DecisionEvent[]): { gaps: number[]; duplicates: number[] } {
  const gaps: number[] = [];
  const duplicates: number[] = [];
  for (let i = 1; i < events.length; i++) {
    const prev = events[i - 1]!.seq;
    const seq = events[i]!.seq;
    if (seq === prev) duplicates.push(seq);
    for (let s = prev + 1; s < seq; s++) gaps.push(s);
  }
  return { gaps, duplicates };
}

/** The serial in the DNS servers' shared disk cache (the default dns.cacheFile next to the configs). */
export async function cachedSerial(c: Cluster): Promise<number | null> {
  try {
    const body = JSON.parse(await readFile(join(c.dir, 'understudy-dns-cache.json'), 'utf8')) as {
      overlay?: { serial?: number };
    };
    return body.overlay?.serial ?? null;
  } catch {
    return null;
  }
}

/** Waits until the stored decider state shows a down vote for `check` from some region. */
export async function untilFirstDownVote(c: Cluster, check: string, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      const st = await c.store.loadDecider().catch(() => null);
      const regions = st?.checks[check]?.regions ?? {};
      return Object.values(regions).some((r) => r.consecutiveFail >= 1);
    },
    { timeoutMs, intervalMs: 50, what: `a down vote for ${check}` },
  );
}
