import type { ResultBatch } from '@understudy/core';
import { createCa, issueCert } from '@understudy/origins/certs';
import { startOrigin } from '@understudy/origins/origin';
import type { Origin } from '@understudy/origins/origin';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeRunner } from './probe-runner.js';
import { httpCheckConfig } from './test-support/fixtures.js';
import { recordingLogger } from '@understudy/testkit/logger';

/** End to end with real timers, the real runCheck and a real TLS origin switched down and up. */
describe('ProbeRunner live', () => {
  let origin: Origin;
  let dir: string;
  let caFile: string;

  beforeAll(async () => {
    const ca = await createCa();
    const leaf = await issueCert({ ca, commonName: 'localhost', altNames: ['localhost', '127.0.0.1'] });
    dir = await mkdtemp(join(tmpdir(), 'probe-live-'));
    caFile = join(dir, 'ca.pem');
    await writeFile(caFile, ca.certPem);
    origin = await startOrigin({ name: 'live', tls: leaf });
  });

  afterAll(async () => {
    await origin.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports the origin up, then down with reason connect, then up again', async () => {
    const batches: ResultBatch[] = [];
    const runner = new ProbeRunner({
      region: 'eu',
      probeId: 'live-1',
      checks: [
        httpCheckConfig({
          id: 'live',
          type: 'https',
          port: origin.port,
          interval: 50,
          timeout: 1_000,
          tls: { verify: true, caFile, minCertDays: 7 },
        }),
      ],
      publish: (b) => {
        batches.push(b);
        return Promise.resolve();
      },
      flushInterval: 0,
      jitter: 0.1,
      clock: { now: () => Date.now() },
      random: { next: Math.random },
      logger: recordingLogger(),
    });
    const latest = () => batches.at(-1)?.results.at(-1);
    const waitFor = async (pred: () => boolean) => {
      const until = Date.now() + 10_000;
      while (!pred()) {
        if (Date.now() > until) throw new Error(`timed out; last result ${JSON.stringify(latest())}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    runner.start();
    try {
      await waitFor(() => latest()?.ok === true);
      expect(latest()).toMatchObject({ checkId: 'live', region: 'eu', probeId: 'live-1', status: 200 });
      expect(latest()!.timings.tls).toBeGreaterThanOrEqual(0);
      await origin.setMode('down');
      await waitFor(() => latest()?.reason === 'connect');
      await origin.setMode('up');
      await waitFor(() => latest()?.ok === true);
    } finally {
      await runner.close();
    }
    const seqs = batches.flatMap((b) => b.results.map((r) => r.seq));
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(runner.stats().publishFailures).toBe(0);
  });
});
