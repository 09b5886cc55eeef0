import { describe, expect, it } from 'vitest';
import type { UnderstudyConfig } from './config-types.js';
import { secondaryStatuses, secondaryTarget } from './secondaries.js';
import type { Publication } from './state-types.js';
import { PUBLICATION_MAX_AGE, statusView } from './status-view.js';
import { config } from './test-support/fixtures.js';
import { Harness } from './test-support/harness.js';

function withSecondaries(c: UnderstudyConfig): UnderstudyConfig {
  return {
    ...c,
    dns: {
      ...c.dns,
      transfer: {
        allow: [],
        keys: [],
        notify: [
          { host: '192.0.2.53', port: 53, key: null },
          { host: '2001:db8::53', port: 5353, key: null },
        ],
        journalSize: 100,
        notifyRetry: 1000,
        notifyRetryMax: 60_000,
        notifyMinInterval: 0,
      },
    },
  };
}

const pub = (target: string, instance: string, serial: number, at: number): Publication => ({
  target,
  instance,
  serial,
  at,
});

describe('secondary targets', () => {
  const c = withSecondaries(config());
  const nsd = secondaryTarget('192.0.2.53:53');

  it('are named after the address they are notified at', () => {
    expect(nsd).toBe('secondary:192.0.2.53:53');
    expect(secondaryStatuses(c, [], 0, PUBLICATION_MAX_AGE).map((s) => s.target)).toEqual([
      'secondary:192.0.2.53:53',
      'secondary:2001:db8::53:5353',
    ]);
  });

  it('serve the lowest serial the fresh reports saw, confirmed at the latest of them', () => {
    const now = 100_000;
    const pubs = [
      pub(nsd, 'dns-a', 12, now - 2000),
      pub(nsd, 'dns-b', 11, now - 1000),
      // Too old: an instance that stopped reporting no longer holds the secondary back.
      pub(nsd, 'dns-c', 3, now - PUBLICATION_MAX_AGE - 1),
      // The built-in server's own publications are another target.
      pub('dns', 'dns-a', 40, now),
    ];
    const [first, second] = secondaryStatuses(c, pubs, now, PUBLICATION_MAX_AGE);
    expect(first).toEqual({
      target: nsd,
      address: '192.0.2.53:53',
      serial: 11,
      seenAt: now - 1000,
      instances: 2,
    });
    expect(second).toMatchObject({ serial: null, seenAt: null, instances: 0 });
  });

  it('get publishedAt and effectiveBy = publishedAt + TTL per record, and show in the status view', () => {
    const h = new Harness(c);
    h.rounds(2, { primary: '+++', secondary: '+++' });
    h.rounds(2, { primary: '--+', secondary: '+++' });
    const serial = h.engine.zoneState.serial;
    // The secondary still answers the serial before the failover: nothing is published to it yet.
    expect(h.engine.markPublished(nsd, serial - 1, h.now)).toBe(false);
    const seen = h.now + 250;
    expect(h.engine.markPublished(nsd, serial, seen)).toBe(true);
    const v = statusView(h.config, h.engine.state, h.now + 1000, [pub(nsd, 'dns-a', serial, seen)]);
    expect(v.records[0]!.publishedAt[nsd]).toBe(seen);
    expect(v.records[0]!.effectiveBy[nsd]).toBe(seen + 30_000);
    expect(v.secondaries[0]).toMatchObject({ target: nsd, serial, seenAt: seen, instances: 1 });
  });

  it('are absent without dns.transfer', () => {
    expect(secondaryStatuses(config(), [pub(nsd, 'a', 1, 0)], 0, PUBLICATION_MAX_AGE)).toEqual([]);
  });
});
