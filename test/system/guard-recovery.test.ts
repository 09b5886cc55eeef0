/**
 * Issue #10 §4, end to end: `understudy run` (the built CLI, embedded) with ten checks on two real TLS
 * origins and 100 failover records. Both origins stop: the guard holds once more than half of the checks
 * are down. Both come back: the first checks to recover release the guard, and the checks it held, whose
 * origins are up by then, must not fail over on the down votes they were held with.
 *
 * The fast checks (every 500 ms) sit on one origin and the slow ones (every 4 s) on the other, so the
 * order is fixed: the fast ones go down first and fail over (5 of 10 is not more than half), the slow ones
 * are held, and on recovery the fast ones release the guard while the slow ones still wait for fresh results.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localhostTls } from '@understudy/origins/certs';
import { dig } from '@understudy/testkit/dig';
import { startOrigin, type Origin } from '@understudy/origins/origin';
import { freePort } from '@understudy/testkit/ports';
import type { Child } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';
import { understudy } from '../support/understudy.js';

const FAST = ['c0', 'c1', 'c2', 'c3', 'c4'];
const SLOW = ['c5', 'c6', 'c7', 'c8', 'c9'];
const RECORDS_PER_CHECK = 10;

interface Ev {
  seq: number;
  type: string;
  check?: string;
  record?: string;
  to?: string;
  evidence: { guard?: { rejudged?: string[] } };
}
interface CheckItem {
  id: string;
  verdict: string;
  regions: { region: string; state: string }[];
}

let dir: string;
let dnsPort: number;
let dashboard: string;
let fastOrigin: Origin;
let slowOrigin: Origin;
let app: Child | undefined;

function configYaml(caFile: string): string {
  const check = (id: string) => {
    const slow = SLOW.includes(id);
    return `  ${id}:
    type: https
    url: ${(slow ? slowOrigin : fastOrigin).url}/health/${id}
    sni: localhost
    tls: { verify: true, caFile: ${caFile} }
    interval: ${slow ? '4s' : '500ms'}
    timeout: 400ms
    fall: 2
    rise: 2`;
  };
  const records = [...FAST, ...SLOW].flatMap((id) =>
    Array.from(
      { length: RECORDS_PER_CHECK },
      (_, n) => `      - name: ${id}-r${n}
        type: A
        ttl: 5
        answers:
          - { name: primary, values: [192.0.2.${n + 1}], check: ${id} }
          - { name: secondary, values: [198.51.100.${n + 1}] }
        failbackAfter: 120s
        flapDamping: false`,
    ),
  );
  return `regions: [us-east, eu-west, ap-south]
quorum: "2/3"
listen:
  dns: ["127.0.0.1:${dnsPort}"]
  dashboard: "${dashboard.replace('http://', '')}"
decider:
  tickInterval: 200ms
logging: { level: info }
checks:
${[...FAST, ...SLOW].map(check).join('\n')}
zones:
  - apex: example.test
    ns: [ns1.example.test]
    records:
      - { name: ns1, type: A, values: [127.0.0.1] }
    failover:
${records.join('\n')}
`;
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${dashboard}${path}`, { signal: AbortSignal.timeout(3000) });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function events(type: string): Promise<Ev[]> {
  return (await api<{ items: Ev[] }>(`/api/v1/events?type=${type}&limit=500`)).items;
}

async function checks(): Promise<Map<string, CheckItem>> {
  const { items } = await api<{ items: CheckItem[] }>('/api/v1/checks?limit=500');
  return new Map(items.map((c) => [c.id, c]));
}

async function answer(name: string): Promise<string[]> {
  const r = await dig({ server: '127.0.0.1', port: dnsPort, name, type: 'A', timeoutMs: 2000 });
  expect(r.status).toBe('NOERROR');
  return r.answer.filter((a) => a.type === 'A').map((a) => a.data);
}

const withOutput = (err: unknown): never => {
  throw new Error(`${String(err)}\n--- understudy output (tail) ---\n${app?.output().slice(-4000) ?? ''}`);
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-guard-'));
  const { tls, caFile } = await localhostTls(dir);
  fastOrigin = await startOrigin({ name: 'fast', tls });
  slowOrigin = await startOrigin({ name: 'slow', tls });
  dnsPort = await freePort('127.0.0.1', 'both');
  dashboard = `http://127.0.0.1:${await freePort('127.0.0.1', 'tcp')}`;
  const configFile = join(dir, 'understudy.yaml');
  await writeFile(configFile, configYaml(caFile));
  app = understudy(['run', '--config', configFile]);
  await waitFor(
    async () => {
      const c = await checks().catch(() => new Map<string, CheckItem>());
      return c.size === 10 && [...c.values()].every((x) => x.verdict === 'up');
    },
    { timeoutMs: 90_000, intervalMs: 250, what: 'all ten checks up' },
  ).catch(withOutput);
});

afterAll(async () => {
  await app?.stop();
  await Promise.all([fastOrigin?.stop(), slowOrigin?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('mass-failure guard: both origins stop, then come back', () => {
  it('holds the slow checks once more than half are down', async () => {
    await Promise.all([fastOrigin.setMode('down'), slowOrigin.setMode('down')]);
    await waitFor(async () => (await events('guard-hold')).length > 0, {
      timeoutMs: 45_000,
      intervalMs: 250,
      what: 'guard-hold',
    }).catch(withOutput);
    // Every region of every slow check votes down, and the guard keeps their verdicts up.
    await waitFor(
      async () => {
        const c = await checks();
        return SLOW.every((id) => c.get(id)!.regions.every((r) => r.state === 'down'));
      },
      { timeoutMs: 45_000, intervalMs: 250, what: 'the slow checks to be held with every region down' },
    ).catch(withOutput);
    const c = await checks();
    expect(SLOW.map((id) => c.get(id)!.verdict)).toEqual(SLOW.map(() => 'up'));
    expect(FAST.map((id) => c.get(id)!.verdict)).toEqual(FAST.map(() => 'down'));
    expect(await answer('c9-r0.example.test')).toEqual(['192.0.2.1']);
  }, 120_000);

  it('switches 0 records of the held checks when the first recoveries release the guard', async () => {
    const holdSeq = (await events('guard-hold'))[0]!.seq;
    const switchedBefore = (await events('answer-switched')).length;
    expect(switchedBefore).toBe(FAST.length * RECORDS_PER_CHECK); // the fast checks' records, before the hold
    await Promise.all([fastOrigin.setMode('up'), slowOrigin.setMode('up')]);
    await waitFor(async () => (await events('guard-release')).length > 0, {
      timeoutMs: 45_000,
      intervalMs: 250,
      what: 'guard-release',
    }).catch(withOutput);
    // Until every slow check has reported up on fresh results, nothing of theirs may go down or switch.
    await waitFor(
      async () => {
        const c = await checks();
        return SLOW.every((id) => c.get(id)!.regions.every((r) => r.state === 'up'));
      },
      { timeoutMs: 45_000, intervalMs: 250, what: 'the slow checks to report up again' },
    ).catch(withOutput);
    const downs = (await events('verdict-changed')).filter(
      (e) => e.seq > holdSeq && e.to === 'down' && SLOW.includes(e.check!),
    );
    expect(downs.map((e) => e.check)).toEqual([]);
    const switched = (await events('answer-switched')).length - switchedBefore;
    expect(switched).toBe(0);
    for (const id of SLOW) expect(await answer(`${id}-r0.example.test`)).toEqual(['192.0.2.1']);
    const release = (await events('guard-release'))[0]!;
    expect([...(release.evidence.guard?.rejudged ?? [])].sort()).toEqual(SLOW);
  }, 120_000);
});
