/**
 * Issue 14 part 3, end to end: `understudy run` with a failover record steered by client location, two
 * real HTTP origins (127.0.0.1 = the European one, 127.0.0.2 = the American one) probed by the embedded
 * probe, and dns.geo operator networks that place 10.1.0.0/16 in Germany and 10.2.0.0/16 in the US.
 * `dig +subnet` and `kdig +subnet` for the two locations get two answers with the matched network as the
 * ECS scope; a client no rule matches gets the record's own answer with scope 0. When the European
 * origin dies, German clients move to the American answer (the rule's next answer), and back when it
 * recovers (rules hold no failback).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig, kdig, type DigResult } from '@understudy/testkit/dig';
import type { Origin } from '@understudy/origins/origin';
import type { Child } from '@understudy/testkit/process';
import { startTwoOriginApp, type TwoOriginApp, type TwoOriginPorts } from '../support/two-origins.js';
import { waitForApp } from '../support/understudy.js';

// Detection is interval × fall + timeout; the waits allow far more for a loaded 2-core machine.
const WAIT_MS = 20_000;
const EU = '127.0.0.1';
const US = '127.0.0.2';
const GERMANY = '+subnet=10.1.7.0/24';
const AMERICA = '+subnet=10.2.9.0/24';
const ELSEWHERE = '+subnet=10.3.1.0/24';

let dnsPort: number;
let eu: Origin;
let app: Child | undefined;
let rig: TwoOriginApp | undefined;

function config({ originPort, dnsPort, httpPort }: TwoOriginPorts): string {
  const check = (host: string): string => `
    type: http
    url: "http://${host}:${originPort}/health"
    hostHeader: www.example.test
    interval: 500ms
    timeout: 300ms
    fall: 2
    rise: 2`;
  return `regions: [local]
listen:
  dns: ["127.0.0.1:${dnsPort}"]
  http: "127.0.0.1:${httpPort}"
logging: { level: warn }
decider: { tickInterval: 200ms }
dns:
  geo:
    database: null
    networks:
      - { prefix: 10.1.0.0/16, country: DE }
      - { prefix: 10.2.0.0/16, country: US }
checks:
  eu-web:${check(EU)}
  us-web:${check(US)}
zones:
  - apex: example.test
    ns: [ns1.example.test]
    records:
      - { name: ns1, type: A, values: [127.0.0.1] }
    failover:
      - name: www
        type: A
        ttl: 30
        answers:
          - { name: us, values: [${US}], check: us-web }
          - { name: eu, values: [${EU}], check: eu-web }
        steering:
          rules:
            - match: { continents: [EU] }
              order: [eu, us]
            - match: { countries: [US] }
              order: [us, eu]
        failbackAfter: 1h
        flapDamping: false
`;
}

type Tool = typeof dig;

async function ask(tool: Tool, flag: string): Promise<{ values: string[]; subnet: string | null }> {
  const r: DigResult = await tool({
    server: '127.0.0.1',
    port: dnsPort,
    name: 'www.example.test',
    flags: [flag],
    timeoutMs: 2000,
  });
  expect(r.status).toBe('NOERROR');
  return {
    values: r.answer.filter((x) => x.type === 'A').map((x) => x.data),
    // Both tools print the reply's option as address/source/scope.
    subnet: /CLIENT-SUBNET: (\S+)/.exec(r.raw)?.[1] ?? null,
  };
}

async function until(flag: string, want: string, what: string): Promise<void> {
  await waitForApp(app, async () => (await ask(dig, flag)).values.join(',') === want, {
    timeoutMs: WAIT_MS,
    intervalMs: 100,
    what,
  });
}

beforeAll(async () => {
  rig = await startTwoOriginApp({
    prefix: 'understudy-geo-',
    origins: [
      { name: 'eu', host: EU },
      { name: 'us', host: US },
    ],
    config,
    waitMs: WAIT_MS,
  });
  ({ dnsPort, app } = rig);
  [eu] = rig.origins;
});

afterAll(async () => {
  await rig?.stop();
});

describe('steering by client location (issue 14 part 3)', () => {
  it('two client locations get two answers, with the matched network as the scope', async () => {
    await until(GERMANY, EU, 'the European answer for a German client');
    for (const tool of [dig, kdig]) {
      expect(await ask(tool, GERMANY)).toEqual({ values: [EU], subnet: '10.1.7.0/24/16' });
      expect(await ask(tool, AMERICA)).toEqual({ values: [US], subnet: '10.2.9.0/24/16' });
    }
  });

  it('a client no rule matches gets the record’s own answer, with scope 0', async () => {
    for (const tool of [dig, kdig])
      expect(await ask(tool, ELSEWHERE)).toEqual({ values: [US], subnet: '10.3.1.0/24/0' });
  });

  it('the European origin dies: German clients get the next answer of their rule, and return', async () => {
    await eu.setMode('down');
    await until(GERMANY, US, 'a German client moved to the American answer');
    expect((await ask(kdig, GERMANY)).values).toEqual([US]);
    expect((await ask(dig, AMERICA)).values).toEqual([US]);
    await eu.setMode('up');
    await until(GERMANY, EU, 'a German client back on the European answer');
  });
});
