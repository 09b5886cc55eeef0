/**
 * Operator errors from the bundled CLI (issue 13): a missing config file, a DNS or ops port in use: one
 * clear line naming the file or address, exit 1, no stack trace. And `--log-format pretty`: one human
 * line per event, its time with the zone.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@understudy/testkit/ports';
import { waitFor } from '@understudy/testkit/wait';
import { understudy, understudyOnce } from '../support/understudy.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-operator-errors-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function config(listen: string): Promise<string> {
  const file = join(dir, `c-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(
    file,
    `regions: [r1]\nlisten: ${listen}\nchecks: {}\nzones:\n  - apex: example.test\n    ns: [ns1.example.test]\n`,
  );
  return file;
}

/** Holds a port for UDP and TCP (as another DNS server would), until closed. */
async function occupy(port: number): Promise<() => Promise<void>> {
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((r) => udp.bind(port, '127.0.0.1', r));
  const tcp = net.createServer();
  await new Promise<void>((r) => tcp.listen(port, '127.0.0.1', r));
  return async () => {
    await new Promise<void>((r) => udp.close(() => r()));
    await new Promise((r) => tcp.close(r));
  };
}

const noStack = (output: string) => expect(output).not.toMatch(/^\s+at /m);

describe('operator errors are one clear line', () => {
  it('a missing config file names the file', async () => {
    const missing = join(dir, 'missing.yaml');
    const r = await understudyOnce(['run', '-c', missing]);
    expect(r.code).toBe(1);
    expect(r.output.trim()).toBe(`understudy: cannot read config file ${missing}: no such file`);
  });

  it('a DNS port in use names the address', async () => {
    const port = await freePort('127.0.0.1', 'both');
    const release = await occupy(port);
    try {
      const r = await understudyOnce([
        'dns',
        '-c',
        await config(`{ dns: ["127.0.0.1:${port}"], http: null }`),
      ]);
      expect(r.code).toBe(1);
      expect(r.output).toContain(
        `understudy: cannot listen on 127.0.0.1:${port}: the address is already in use (another instance running?)`,
      );
      noStack(r.output);
    } finally {
      await release();
    }
  });

  it('an ops port in use names the address', async () => {
    const port = await freePort();
    const tcp = net.createServer();
    await new Promise<void>((r) => tcp.listen(port, '127.0.0.1', r));
    try {
      const cfg = await config(`{ dns: ["127.0.0.1:0"], http: "127.0.0.1:${port}" }`);
      const r = await understudyOnce(['run', '-c', cfg]);
      expect(r.code).toBe(1);
      expect(r.output).toContain(
        `understudy: cannot listen on 127.0.0.1:${port}: the address is already in use`,
      );
      noStack(r.output);
    } finally {
      await new Promise((r) => tcp.close(r));
    }
  });
});

describe('--log-format pretty', () => {
  it('writes one human line per event, its time in UTC with Z', async () => {
    const cfg = await config('{ dns: ["127.0.0.1:0"], http: null }');
    const child = understudy(['dns', '-c', cfg, '--log-format', 'pretty']);
    try {
      await waitFor(() => child.output().includes('dns server listening'), {
        timeoutMs: 30_000,
        what: 'the DNS server listening',
      });
      const line = child
        .output()
        .split('\n')
        .find((l) => l.includes('dns server listening'))!;
      expect(line).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO {2}\S+: dns server listening {2}\S+=/,
      );
      expect(child.output()).not.toMatch(/^\{"level"/m);
    } finally {
      await child.stop();
    }
  });
});
