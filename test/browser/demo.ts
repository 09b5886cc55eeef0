/**
 * The real demo (bundled CLI) with its dashboard on a free port, for the browser tests. The demo's admin
 * token comes from UNDERSTUDY_DEMO_TOKEN, and it prints `dashboard: http://…` once serving.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@understudy/testkit/ports';
import type { Child } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';
import { understudy, understudyOnce } from '../support/understudy.js';

export interface RunningDemo {
  url: string;
  token: string;
  output(): string;
  /** `understudy demo fail|restore <origin>` through the demo's control endpoint. */
  origin(action: 'fail' | 'restore', name: string): Promise<void>;
  stop(): Promise<number | string>;
}

/** The demo exited because a port freePort chose was taken before it could bind it. */
class PortTaken extends Error {}

/**
 * Starts the demo on free ports. freePort's ports can be taken by another process before the demo binds
 * them (an unavoidable race, see testkit's ports.ts; it happened in CI), so a demo that exits with "address
 * already in use" before serving is started again on new ports, three times at most.
 */
export async function startDemo(token: string): Promise<RunningDemo> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDemoOnce(token);
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt >= 3) throw err;
    }
  }
}

async function startDemoOnce(token: string): Promise<RunningDemo> {
  const dir = await mkdtemp(join(tmpdir(), 'understudy-browser-'));
  const host = '127.0.0.1';
  const control = `${host}:${await freePort(host, 'tcp')}`;
  const args = [
    'demo',
    '--dns',
    `${host}:${await freePort(host, 'both')}`,
    '--http',
    `${host}:${await freePort(host, 'tcp')}`,
    '--control',
    control,
    '--dashboard',
    `${host}:${await freePort(host, 'tcp')}`,
    '--dir',
    dir,
  ];
  const demo: Child = understudy(args, { env: { UNDERSTUDY_DEMO_TOKEN: token } });
  const printed = waitFor(() => /dashboard:\s+(http:\/\/\S+)/.exec(demo.output())?.[1], {
    timeoutMs: 30_000,
    what: 'the demo to print `dashboard: http://…`',
  });
  const exited = demo.exited.then((how) => {
    throw new Error(`the demo exited (${how}) before printing its dashboard URL`);
  });
  const url = await Promise.race([printed, exited]).catch(async (err: unknown) => {
    await demo.stop();
    await rm(dir, { recursive: true, force: true });
    const message = `${String(err)}\n--- demo output ---\n${demo.output()}`;
    throw /already in use/.test(demo.output()) ? new PortTaken(message) : new Error(message);
  });
  return {
    url: url.endsWith('/') ? url : `${url}/`,
    token,
    output: () => demo.output(),
    async origin(action, name) {
      const r = await understudyOnce(['demo', action, name, '--control', control, '--token', token]);
      if (r.code !== 0) throw new Error(`demo ${action} ${name} failed (${r.code}): ${r.output}`);
    },
    async stop() {
      const how = await demo.stop();
      await rm(dir, { recursive: true, force: true });
      return how;
    },
  };
}
