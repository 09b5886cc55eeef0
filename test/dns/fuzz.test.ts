/** A short fuzzing pass (test/fuzz/dns-fuzz.ts): 20,000 mutated UDP and 1,000 TCP messages. */
import type { DnsWorkerPool } from '@understudy/dns-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFuzz, startTarget } from '../fuzz/dns-fuzz.js';

let target: { pool: DnsWorkerPool; port: number };
beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => target.pool.close());

describe('DNS fuzzing, short pass', () => {
  it('keeps the same worker, answers a valid query after every chunk, bounds memory and reply sizes', async () => {
    const r = await runFuzz(target.port, { udp: 20_000, tcp: 1000, chunk: 5000, seed: 7, maxRssMb: 300 });
    expect([r.udpSent, r.tcpSent]).toEqual([20_000, 1000]);
    expect(r.workerPids).toHaveLength(1);
    // Most mutated queries still get a reply (FORMERR at least); none is an amplifier.
    expect(r.udpReplies).toBeGreaterThan(10_000);
    expect(r.tcpReplies).toBeGreaterThan(100);
    expect(r.replyBytes / r.requestBytes).toBeLessThan(4);
    expect(r.maxReply).toBeLessThanOrEqual(1232);
  }, 60_000);
});
