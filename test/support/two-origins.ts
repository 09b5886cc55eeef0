/**
 * The set-up of the system tests that serve one record from two origins (per-address health, steering):
 * two origin servers on one port at two loopback addresses, and `understudy run` on a config written for
 * them, ready once each origin has been probed three times.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrigin, type Origin } from '@understudy/origins/origin';
import { freePort } from '@understudy/testkit/ports';
import type { Child } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';
import { understudy } from './understudy.js';

export interface TwoOriginPorts {
  originPort: number;
  dnsPort: number;
  httpPort: number;
}

export interface TwoOriginApp {
  dnsPort: number;
  origins: [Origin, Origin];
  app: Child;
  /** Stops the app and the origins and removes the directory. */
  stop(): Promise<void>;
}

export async function startTwoOriginApp(opts: {
  /** The temp directory's name prefix. */
  prefix: string;
  origins: [{ name: string; host: string }, { name: string; host: string }];
  config: (ports: TwoOriginPorts) => string;
  waitMs: number;
}): Promise<TwoOriginApp> {
  const dir = await mkdtemp(join(tmpdir(), opts.prefix));
  const originPort = await freePort('127.0.0.1', 'tcp');
  const origins: [Origin, Origin] = [
    await startOrigin({ ...opts.origins[0], port: originPort }),
    await startOrigin({ ...opts.origins[1], port: originPort }),
  ];
  const ports = {
    originPort,
    dnsPort: await freePort('127.0.0.1', 'both'),
    httpPort: await freePort('127.0.0.1', 'tcp'),
  };
  const file = join(dir, 'understudy.yaml');
  await writeFile(file, opts.config(ports));
  const app = understudy(['run', '--config', file]);
  const stop = async (): Promise<void> => {
    await app.stop();
    await Promise.all(origins.map((o) => o.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(() => origins.every((o) => o.requests >= 3), {
      timeoutMs: opts.waitMs,
      what: `${opts.origins.map((o) => o.name).join(' and ')} probed`,
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { dnsPort: ports.dnsPort, origins, app, stop };
}
