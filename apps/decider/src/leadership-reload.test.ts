/**
 * Reload (issue 13) in distributed mode: DeciderLeadership.applyConfig hands the config to the term under
 * way, and a decider that takes over later leads with it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLease, MemoryResultsBus, MemoryStateStore } from '@understudy/backends';
import { parseConfig } from '@understudy/config';
import { recordingLogger } from '@understudy/testkit/logger';
import { waitFor } from '@understudy/testkit/wait';
import { DeciderLeadership } from './leadership.js';

const yaml = (checks: string) => `
regions: [a]
listen: { http: null }
decider: { tickInterval: 50ms }
checks:
${checks}
zones:
  - apex: example.test
    ns: [ns1.example.test]
    failover:
      - name: app
        type: A
        ttl: 30
        answers:
          - { name: primary, values: [192.0.2.10], check: p }
`;
const before = parseConfig(yaml('  p: { type: tcp, host: 127.0.0.1, port: 1, interval: 1s }'));
const after = parseConfig(
  yaml(`  p: { type: tcp, host: 127.0.0.1, port: 1, interval: 1s }
  n: { type: tcp, host: 127.0.0.1, port: 2, interval: 1s }`),
);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('DeciderLeadership.applyConfig', () => {
  it('reconfigures the leading term, and a later term starts with the new config', async () => {
    const store = await MemoryStateStore.open({});
    cleanups.push(() => store.close());
    const start = (holder: string) => {
      const l = DeciderLeadership.start({
        config: before.config,
        configHash: before.hash,
        store,
        lease: new MemoryLease({ store, clock: Date, ttlMs: 5_000, holder }),
        clock: Date,
        logger: recordingLogger(),
        acquireInterval: 50,
        openBus: () => Promise.resolve(new MemoryResultsBus({})),
      });
      cleanups.push(() => l.close());
      return l;
    };
    const leader = start('one');
    await waitFor(() => leader.leading, { timeoutMs: 5_000, what: 'one to lead' });
    const standby = start('two');
    const epoch = leader.epoch;

    await Promise.all([leader.applyConfig(after), standby.applyConfig(after)]);
    expect(leader.epoch).toBe(epoch);
    expect(leader.role!.status().checks.map((c) => c.id)).toEqual(['p', 'n']);

    await leader.close();
    await waitFor(() => standby.leading, { timeoutMs: 10_000, what: 'two to take over' });
    expect(standby.role!.status().checks.map((c) => c.id)).toEqual(['p', 'n']);
  });
});
