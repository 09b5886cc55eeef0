/**
 * Issue 15 in distributed mode: `understudy dns --redis` as the hidden primary of a real NSD, with a decider
 * and three probes, all separate processes on one redis-server. A failover decided by the decider reaches
 * NSD through NOTIFY + IXFR from the DNS server, and NSD is a publication target: the DNS server records
 * the serial NSD's SOA answers in Redis, and the decider's /status shows it with publishedAt/effectiveBy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '@understudy/testkit/dig';
import { freePort } from '@understudy/testkit/ports';
import { waitFor } from '@understudy/testkit/wait';
import { Cluster, PRIMARY, REGIONS, SECONDARY } from '../support/distributed.js';
import { startNsd, type Secondary } from '../support/secondaries.js';

const SECRET = Buffer.from('issue-15-distributed-tsig-secret').toString('base64');
const ZONE = 'example.test.';
const START_MS = 60_000;

let c: Cluster;
let nsd: Secondary | undefined;
let nsdPort: number;

async function nsdAnswer(): Promise<string> {
  try {
    const r = await dig({
      server: '127.0.0.1',
      port: nsdPort,
      name: 'app.example.test',
      type: 'A',
      timeoutMs: 1000,
    });
    return r.answer.map((a) => a.data).join(',');
  } catch {
    return '';
  }
}

async function untilNsd(want: string, what: string): Promise<void> {
  await waitFor(async () => (await nsdAnswer()) === want, { timeoutMs: 30_000, intervalMs: 100, what }).catch(
    (err: unknown) => {
      throw new Error(`${String(err)}\n${c.outputs()}\n--- nsd ---\n${nsd?.child.output().slice(-2000)}`);
    },
  );
}

beforeAll(async () => {
  // The secret reaches every role's config through the environment, like other secrets.
  process.env.XFR_TSIG_SECRET = SECRET;
  nsdPort = await freePort('127.0.0.1', 'both');
  c = await Cluster.start({
    interval: '500ms',
    timeout: '400ms',
    fall: 2,
    rise: 2,
    failbackAfter: '60s',
    leaseTtl: '3000ms',
    transfer: `    keys: [{ name: xfr-key, secret: "\${XFR_TSIG_SECRET}" }]
    allow: [{ network: 127.0.0.0/8, key: xfr-key }]
    notify: [{ address: "127.0.0.1:${nsdPort}", key: xfr-key }]
    notifyRetry: 200ms
    notifyRetryMax: 2s
`,
  });
  await Promise.all([c.dns('dns-a'), c.decider('decider-a'), ...REGIONS.map((r) => c.probe(r))]);
  await waitFor(async () => (await c.zoneState())?.epoch, {
    timeoutMs: START_MS,
    what: 'a stored zone state',
  });
  await c.untilAnswer(['dns-a'], PRIMARY, START_MS);
  nsd = await startNsd({
    dir: c.dir,
    port: nsdPort,
    zone: ZONE,
    primaryPort: c.get('dns-a').dnsPort!,
    keyName: 'xfr-key',
    secret: SECRET,
  });
}, 120_000);

afterAll(async () => {
  await nsd?.child.stop();
  await c?.stop();
  delete process.env.XFR_TSIG_SECRET;
});

describe('hidden primary in distributed mode', () => {
  it('NSD follows a failover decided by the decider, and the decider shows NSD serving it', async () => {
    await untilNsd(PRIMARY, 'NSD to load the zone');
    await c.primary.setMode('down');
    await c.untilAnswer(['dns-a'], SECONDARY, 30_000);
    await untilNsd(SECONDARY, 'NSD to follow the failover');
    expect(c.get('dns-a').child.output()).toMatch(/"type":"IXFR","serial":\d+,"clientSerial":\d+/);

    const target = `secondary:127.0.0.1:${nsdPort}`;
    const stored = (await c.zoneState())!.serial;
    interface Status {
      records: {
        id: string;
        ttl: number;
        switchedAt: number;
        publishedAt: Record<string, number>;
        effectiveBy: Record<string, number>;
      }[];
      secondaries: { target: string; serial: number | null }[];
    }
    const decider = c.get('decider-a');
    const v = await waitFor(
      async () => {
        const s = (await (await fetch(`http://127.0.0.1:${decider.httpPort}/status`)).json()) as Status;
        const app = s.records.find((r) => r.id === 'app.example.test./A');
        return app?.publishedAt[target] !== undefined && s.secondaries[0]?.serial === stored
          ? { s, app }
          : null;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'NSD published in the decider /status' },
    );
    expect(v.s.secondaries.map((x) => x.target)).toEqual([target]);
    const at = v.app.publishedAt[target]!;
    expect(at).toBeGreaterThanOrEqual(v.app.switchedAt);
    expect(v.app.effectiveBy[target]).toBe(at + v.app.ttl * 1000);
    // The DNS server recorded it in Redis as its own observation.
    const pubs = await c.store.readPublications();
    expect(pubs.find((p) => p.target === target)).toMatchObject({ serial: stored });
  }, 90_000);
});
