/**
 * DNS workers leave with their primary (issue 12): the workers of `understudy run` ignore SIGTERM and
 * SIGINT (the primary stops them over IPC), so when the primary dies without stopping them, as on
 * `kill -9` or a supervisor's timeout, they must notice the IPC channel close and exit, not keep serving.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '@understudy/testkit/dig';
import { freePort } from '@understudy/testkit/ports';
import type { Child } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';
import { APEX, configYaml } from '../bench/scale-config.js';
import { childPids, killLeftovers, running } from '../support/proc-tree.js';
import { understudy } from '../support/understudy.js';

let dir: string;
let workers: number[] = [];
let app: Child | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-worker-exit-'));
});

afterAll(async () => {
  await app?.stop();
  killLeftovers(workers);
  await rm(dir, { recursive: true, force: true });
});

describe('DNS workers of understudy run', () => {
  it('exit within seconds when the main process is killed with SIGKILL', async () => {
    const dnsPort = await freePort('127.0.0.1', 'both');
    const config = join(dir, 'understudy.yaml');
    // dns.workers 2; the one check points at a port nothing listens on (no origin is needed).
    await writeFile(
      config,
      configYaml({ statics: 10, failovers: 1 }, dnsPort, await freePort(), [await freePort()], dir),
    );
    app = understudy(['run', '--config', config]);
    await waitFor(
      async () => {
        if (app!.proc.exitCode !== null) throw new Error(`understudy run exited:\n${app!.output()}`);
        const r = await dig({
          server: '127.0.0.1',
          port: dnsPort,
          name: `s0.${APEX}`,
          type: 'A',
          timeoutMs: 1000,
        });
        return r.answer.length > 0;
      },
      { timeoutMs: 60_000, what: 'the first DNS answer' },
    );
    workers = childPids(app.proc.pid!);
    expect(workers).toHaveLength(2);

    app.proc.kill('SIGKILL');
    expect(await app.exited).toBe('SIGKILL');
    // Generous for a loaded machine; before the fix they served on for about a minute.
    await waitFor(() => workers.every((pid) => !running(pid)), {
      timeoutMs: 5000,
      intervalMs: 50,
      what: `DNS workers ${workers.join(', ')} to exit`,
    });
  });
});
