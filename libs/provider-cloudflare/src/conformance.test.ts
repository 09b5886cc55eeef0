import { describeDnsProviderConformance } from '@understudy/testkit/provider-conformance';
import {
  rawRecords,
  startEmulator,
  cfBodies,
  provider,
  targetConfig,
  type CloudflareEmulator,
} from './test-support/fixture.js';

let emu: CloudflareEmulator | undefined;
let n = 0;

describeDnsProviderConformance('cloudflare', {
  async create({ takeover }) {
    emu ??= await startEmulator();
    const e = emu;
    const zone = `conformance-${++n}.test.`;
    e.addZone({ name: zone });
    return {
      provider: provider(targetConfig(e, [zone], { takeover })),
      zone,
      seedForeign: (records) => {
        e.seed(zone, cfBodies(records));
        return Promise.resolve();
      },
      rawRecords: () => Promise.resolve(rawRecords(e, zone)),
    };
  },
  async cleanup() {
    await emu?.close();
  },
});
