/** The shared DnsProvider conformance suite, against Route53Provider + the emulator over HTTP. */
import { describeDnsProviderConformance } from '@understudy/testkit/provider-conformance';
import { OWNER, provider, startRoute53Emulator, targetConfig } from './test-support/harness.js';
import type { Route53Emulator } from './test-support/harness.js';

let emu: Route53Emulator | null = null;
let seq = 0;

describeDnsProviderConformance('route53', {
  async create({ takeover }) {
    emu ??= await startRoute53Emulator({ faults: { insyncDelayMs: 30 } });
    const e = emu;
    const zone = `conformance-${++seq}.test.`;
    const zoneId = e.createZone(zone);
    // Half the cases find the zone by name, half by configured id.
    const cfg = targetConfig(e.url, [{ apex: zone, id: seq % 2 === 0 ? zoneId : null }], { takeover });
    return {
      provider: provider(cfg, { ownerId: OWNER }),
      zone,
      seedForeign: (records) => Promise.resolve(e.seed(zoneId, records)),
      rawRecords: () => Promise.resolve(e.records(zoneId).map((r) => ({ ...r, type: r.type as 'A' }))),
    };
  },
  async cleanup() {
    await emu?.close();
  },
  timeoutMs: 30_000,
});
