/**
 * Issue 14 §1, end to end: `understudy run` with a tier of two addresses, each checked on its own from one
 * check template, against two real HTTP origins on 127.0.0.1 and 127.0.0.2 (same port). One dies: the
 * other stays in the answer, with the shorter degradedTtl; both die (below minHealthy): the secondary
 * takes over. dig and kdig both see it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig, kdig, type DigResult } from '@understudy/testkit/dig';
import type { Origin } from '@understudy/origins/origin';
import type { Child } from '@understudy/testkit/process';
import { startTwoOriginApp, type TwoOriginApp, type TwoOriginPorts } from '../support/two-origins.js';
import { waitForApp } from '../support/understudy.js';

const TTL = 30;
const DEGRADED_TTL = 3;
// Detection is interval × fall + timeout; the waits allow far more for a loaded 2-core machine.
const WAIT_MS = 20_000;

let dnsPort: number;
let a: Origin;
let b: Origin;
let app: Child | undefined;
let rig: TwoOriginApp | undefined;

function config({ originPort, dnsPort, httpPort }: TwoOriginPorts): string {
  return `regions: [local]
listen:
  dns: ["127.0.0.1:${dnsPort}"]
  http: "127.0.0.1:${httpPort}"
logging: { level: warn }
decider: { tickInterval: 200ms }
checks:
  web:
    type: http
    url: "http://{address}:${originPort}/health"
    hostHeader: www.example.test
    interval: 500ms
    timeout: 300ms
    fall: 2
    rise: 2
zones:
  - apex: example.test
    ns: [ns1.example.test]
    records:
      - { name: ns1, type: A, values: [127.0.0.1] }
    failover:
      - name: www
        type: A
        ttl: ${TTL}
        degradedTtl: ${DEGRADED_TTL}
        answers:
          - name: primary
            checkTemplate: web
            minHealthy: 1
            addresses: [127.0.0.1, 127.0.0.2]
          - { name: secondary, values: [198.51.100.10], check: null }
        failbackAfter: 1h
        flapDamping: false
`;
}

type Tool = (o: Parameters<typeof dig>[0]) => Promise<DigResult>;

async function answer(tool: Tool): Promise<{ values: string[]; ttls: number[] }> {
  const r = await tool({ server: '127.0.0.1', port: dnsPort, name: 'www.example.test', timeoutMs: 2000 });
  expect(r.status).toBe('NOERROR');
  const rrs = r.answer.filter((x) => x.type === 'A');
  return { values: rrs.map((x) => x.data), ttls: rrs.map((x) => x.ttl) };
}

async function until(want: string[], what: string): Promise<void> {
  await waitForApp(app, async () => (await answer(dig)).values.join(',') === want.join(','), {
    timeoutMs: WAIT_MS,
    intervalMs: 100,
    what,
  });
}

beforeAll(async () => {
  rig = await startTwoOriginApp({
    prefix: 'understudy-per-address-',
    origins: [
      { name: 'a', host: '127.0.0.1' },
      { name: 'b', host: '127.0.0.2' },
    ],
    config,
    waitMs: WAIT_MS,
  });
  ({ dnsPort, app } = rig);
  [a, b] = rig.origins;
});

afterAll(async () => {
  await rig?.stop();
});

describe('health per address (issue 14)', () => {
  it('serves both healthy addresses with the normal TTL', async () => {
    await until(['127.0.0.1', '127.0.0.2'], 'both addresses served');
    for (const tool of [dig, kdig] as Tool[]) {
      const r = await answer(tool);
      expect(r.values).toEqual(['127.0.0.1', '127.0.0.2']);
      expect(r.ttls).toEqual([TTL, TTL]);
    }
  });

  it('one address dies: the other stays in the answer, with the degraded TTL', async () => {
    await a.setMode('down');
    await until(['127.0.0.2'], 'only 127.0.0.2 served');
    for (const tool of [dig, kdig] as Tool[]) {
      const r = await answer(tool);
      expect(r.values).toEqual(['127.0.0.2']);
      expect(r.ttls[0]).toBeLessThanOrEqual(DEGRADED_TTL);
    }
  });

  it('the other dies too (below minHealthy): the secondary tier takes over', async () => {
    await b.setMode('down');
    await until(['198.51.100.10'], 'the secondary served');
    for (const tool of [dig, kdig] as Tool[]) expect((await answer(tool)).values).toEqual(['198.51.100.10']);
  });
});
