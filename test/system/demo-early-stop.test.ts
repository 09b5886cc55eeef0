/**
 * SIGTERM (or Ctrl-C) while `understudy demo` starts, before its banner, shuts it down cleanly (issue 12):
 * exit 0, its temp dir removed, no DNS worker left. Before, Node's default action killed it at once,
 * leaving the temp dir, and its DNS workers (which wait for their primary) ran on.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@understudy/testkit/ports';
import { waitFor } from '@understudy/testkit/wait';
import { childPids, killLeftovers, running } from '../support/proc-tree.js';
import { understudy } from '../support/understudy.js';

const BANNER = 'Understudy demo is running';
let tmp: string;
const seen: number[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'understudy-demo-stop-'));
});

afterAll(async () => {
  killLeftovers(seen);
  await rm(tmp, { recursive: true, force: true });
});

/** The demo on free ports, its temp dir (no --dir) in a directory of its own under `tmp`. */
async function startDemo(name: string) {
  const home = await mkdtemp(join(tmp, `${name}-`));
  const port = async () => `127.0.0.1:${await freePort('127.0.0.1', 'tcp')}`;
  const demo = understudy(
    [
      'demo',
      '--dns',
      `127.0.0.1:${await freePort('127.0.0.1', 'both')}`,
      '--http',
      await port(),
      '--control',
      await port(),
      '--dashboard',
      await port(),
    ],
    { env: { TMPDIR: home } },
  );
  return { demo, home };
}

describe('understudy demo stopped before its banner', () => {
  it('exits 0 and removes its temp dir on SIGTERM while it makes its certificates', async () => {
    const { demo, home } = await startDemo('certs');
    // The temp dir is the demo's first step; the CA and the origins come next.
    await waitFor(async () => (await readdir(home)).length > 0, {
      timeoutMs: 30_000,
      intervalMs: 10,
      what: 'the demo temp dir',
    });
    demo.proc.kill('SIGTERM');
    expect(await demo.exited).toBe(0);
    expect(demo.output()).not.toContain(BANNER);
    expect(await readdir(home)).toEqual([]);
  });

  it('exits 0, removes its temp dir and leaves no DNS worker on SIGTERM while its DNS workers start', async () => {
    const { demo, home } = await startDemo('workers');
    const pid = demo.proc.pid!;
    // The app forks its DNS workers; the banner follows once they serve.
    const workers = await waitFor(
      () => {
        if (demo.proc.exitCode !== null) throw new Error(`the demo exited:\n${demo.output()}`);
        const kids = childPids(pid);
        return kids.length > 0 && !demo.output().includes(BANNER) && kids;
      },
      { timeoutMs: 60_000, intervalMs: 5, what: 'the demo to fork a DNS worker' },
    );
    seen.push(...workers);
    demo.proc.kill('SIGTERM');
    expect(await demo.exited).toBe(0);
    expect(demo.output()).not.toContain(BANNER);
    expect(await readdir(home)).toEqual([]);
    await waitFor(() => workers.every((w) => !running(w)), {
      timeoutMs: 5000,
      intervalMs: 50,
      what: `DNS workers ${workers.join(', ')} to exit`,
    });
  });
});
