/**
 * A zone-transfer secondary is a publication target (issue 15): after it acknowledges a NOTIFY, the DNS role
 * asks its SOA and records the serial it answers as a publication of `secondary:<host>:<port>`. The
 * secondary here is a real UDP socket that acknowledges NOTIFYs and answers SOA queries by relaying them to
 * a zone it holds, which lags behind the primary until told to catch up (as a secondary mid-transfer does).
 */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStateStore } from '@understudy/backends';
import { parseConfig } from '@understudy/config';
import { secondaryTarget } from '@understudy/core';
import { DnsServer, zoneBaseFromConfig } from '@understudy/dns-server';
import { recordingLogger } from '@understudy/testkit/logger';
import { freePort } from '@understudy/testkit/ports';
import { waitFor } from '@understudy/testkit/wait';
import { DnsRole } from './dns-role.js';
import { overlayAt, PRIMARY, SECONDARY } from './test-support/fixture.js';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

function configFor(dnsPort: number, secondaryPort: number) {
  return parseConfig(`regions: [r1]
listen: { dns: ["127.0.0.1:${dnsPort}"] }
dns:
  workers: 1
  transfer:
    notify: [{ address: "127.0.0.1:${secondaryPort}" }]
    notifyRetry: 50ms
    notifyRetryMax: 200ms
checks:
  primary: { type: tcp, host: 127.0.0.1, port: 1, interval: 1s, timeout: 500ms }
zones:
  - apex: example.test
    ns: [ns1.example.test]
    records:
      - { name: ns1, type: A, values: [127.0.0.1] }
    failover:
      - name: app
        type: A
        ttl: 5
        answers:
          - { name: primary, values: [${PRIMARY}], check: primary }
          - { name: secondary, values: [${SECONDARY}] }
`);
}

/** A secondary serving `held` (a DnsServer of its own) behind a socket that also acknowledges NOTIFYs. */
async function fakeSecondary(port: number, loaded: ReturnType<typeof configFor>) {
  const held = new DnsServer({ listen: [{ host: '127.0.0.1', port: 0 }], logger: recordingLogger() });
  const overlay = (serial: number, values: string[]) => ({
    serial,
    epoch: 1,
    generatedAt: 1000,
    records: { 'app.example.test./A': values },
  });
  expect(held.setBase(zoneBaseFromConfig(loaded.config), overlay(101, [PRIMARY])).ok).toBe(true);
  await held.start();
  const heldPort = held.addresses().udp[0]!.port;
  const sock = dgram.createSocket('udp4');
  const relay = dgram.createSocket('udp4');
  let asker: dgram.RemoteInfo | null = null;
  let soaQueries = 0;
  relay.on('message', (reply) => asker && sock.send(reply, asker.port, asker.address));
  sock.on('message', (msg, rinfo) => {
    if (((msg[2]! >> 3) & 0x0f) === 4) {
      const ack = Buffer.from(msg);
      ack[2] = ack[2]! | 0x80;
      sock.send(ack, rinfo.port, rinfo.address);
      return;
    }
    asker = rinfo;
    soaQueries++;
    relay.send(msg, heldPort, '127.0.0.1');
  });
  await new Promise<void>((r) => sock.bind(port, '127.0.0.1', r));
  closers.push(async () => {
    sock.close();
    relay.close();
    await held.close();
  });
  return {
    soaQueries: () => soaQueries,
    transferred: (serial: number, values: string[]) =>
      held.applyUpdate({ kind: 'full', overlay: overlay(serial, values) }),
  };
}

describe('a zone-transfer secondary as a publication target', () => {
  it('is recorded serving a serial once its SOA answers it, not when the NOTIFY is acknowledged', async () => {
    const [dnsPort, secPort] = [await freePort('127.0.0.1', 'both'), await freePort('127.0.0.1', 'udp')];
    const loaded = configFor(dnsPort, secPort);
    const secondary = await fakeSecondary(secPort, loaded);
    const store = await MemoryStateStore.open();
    await store.writeOverlay(overlayAt(101, 'primary'));
    let now = 5_000;
    const role = await DnsRole.start({
      config: loaded.config,
      store,
      logger: recordingLogger(),
      clock: { now: () => now },
      instance: 'dns-a',
      // Re-checks the secondaries' SOA (and re-reports) every 50 ms.
      publicationHeartbeat: 50,
    });
    closers.push(() => role.close());
    const target = secondaryTarget(`127.0.0.1:${secPort}`);
    const ofSecondary = async () => (await store.readPublications()).find((p) => p.target === target);
    await waitFor(async () => (await ofSecondary())?.serial === 101, { timeoutMs: 5000, what: 'serial 101' });
    expect(await ofSecondary()).toEqual({ target, instance: 'dns-a', serial: 101, at: 5_000, since: 5_000 });

    // The failover: the NOTIFY is acknowledged at once, but the secondary still answers 101 meanwhile.
    now = 6_000;
    await store.writeOverlay(overlayAt(102, 'secondary'));
    expect(role.serial).toBe(102);
    const asked = secondary.soaQueries();
    await waitFor(() => secondary.soaQueries() >= asked + 2, { timeoutMs: 5000, what: 'SOA queries' });
    expect((await ofSecondary())?.serial).toBe(101);
    now = 7_000;
    expect(secondary.transferred(102, [SECONDARY]).ok).toBe(true);
    await waitFor(async () => (await ofSecondary())?.serial === 102, { timeoutMs: 5000, what: 'serial 102' });
    expect((await ofSecondary())?.at).toBe(7_000);
    // Re-checks re-report 102 with their own time; it is still served since it was first seen (issue 11).
    now = 8_000;
    await waitFor(async () => (await ofSecondary())?.at === 8_000, { timeoutMs: 5000, what: 'a re-check' });
    expect(await ofSecondary()).toMatchObject({ serial: 102, since: 7_000 });
  });
});
