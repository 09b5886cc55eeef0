/**
 * A distributed Understudy on loopback for system tests: one redis-server, real TLS origins, and the real
 * CLI as separate processes (probes per region, deciders, DNS servers), each on its own ports.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisConnection, RedisStateStore } from '@understudy/backends/redis';
import type { DecisionEvent, EventType, ZoneOverlay } from '@understudy/core';
import { localhostTls } from '@understudy/origins/certs';
import { dig } from '@understudy/testkit/dig';
import { startOrigin, type Origin } from '@understudy/origins/origin';
import { freePort } from '@understudy/testkit/ports';
import type { Child } from '@understudy/testkit/process';
import { startRedis, type RedisServer, type StartRedisOptions } from '@understudy/testkit/redis-server';
import { waitFor } from '@understudy/testkit/wait';
import { distributedConfig, type DistributedConfigInput } from './distributed-config.js';
import { understudy } from './understudy.js';

export const REGIONS = ['us-east', 'eu-west', 'ap-south'] as const;
export const PRIMARY = '192.0.2.10';
export const SECONDARY = '198.51.100.10';

export type Timing = Pick<
  DistributedConfigInput,
  'interval' | 'timeout' | 'fall' | 'rise' | 'failbackAfter' | 'leaseTtl' | 'transfer'
>;

export interface Proc {
  name: string;
  child: Child;
  httpPort: number;
  dnsPort?: number;
  configFile: string;
}

export class Cluster {
  readonly procs = new Map<string, Proc>();
  store!: RedisStateStore;
  private connection!: RedisConnection;

  private constructor(
    readonly dir: string,
    readonly redis: RedisServer,
    readonly primary: Origin,
    readonly secondary: Origin,
    private readonly caFile: string,
    private readonly timing: Timing,
  ) {}

  static async start(timing: Timing, redisOpts: StartRedisOptions = {}): Promise<Cluster> {
    const dir = await mkdtemp(join(tmpdir(), 'understudy-distributed-'));
    const { tls: cert, caFile } = await localhostTls(dir);
    const redis = await startRedis({ appendonly: true, ...redisOpts });
    const primary = await startOrigin({ name: 'primary', tls: cert });
    const secondary = await startOrigin({ name: 'secondary', tls: cert });
    const c = new Cluster(dir, redis, primary, secondary, caFile, timing);
    c.connection = await RedisConnection.create({ url: redis.url, name: 'system-test' });
    c.store = await RedisStateStore.open({ connection: c.connection });
    return c;
  }

  /** A config file of its own per process (its own ports); every one has the same config hash. */
  private async configFor(
    name: string,
    dnsPort: number,
    httpPort: number,
    variant?: string,
  ): Promise<string> {
    const file = join(this.dir, `${name}.yaml`);
    await writeFile(
      file,
      distributedConfig({
        ...this.timing,
        dnsPort,
        httpPort,
        caFile: this.caFile,
        primaryUrl: this.primary.url,
        secondaryUrl: this.secondary.url,
        ...(variant ? { variant } : {}),
      }),
    );
    return file;
  }

  private async spawn(
    name: string,
    args: (file: string) => string[],
    opts: { dns?: boolean; variant?: string; env?: NodeJS.ProcessEnv } = {},
  ): Promise<Proc> {
    const httpPort = await freePort('127.0.0.1', 'tcp');
    const dnsPort = await freePort('127.0.0.1', 'both');
    const configFile = await this.configFor(name, dnsPort, httpPort, opts.variant);
    const child = understudy(args(configFile), opts.env ? { env: opts.env } : {});
    const proc: Proc = { name, child, httpPort, configFile, ...(opts.dns ? { dnsPort } : {}) };
    this.procs.set(name, proc);
    return proc;
  }

  probe(region: string, name = `probe-${region}`, variant?: string, env?: NodeJS.ProcessEnv): Promise<Proc> {
    return this.spawn(name, (f) => ['probe', '--config', f, '--region', region, '--redis', this.redis.url], {
      ...(variant ? { variant } : {}),
      ...(env ? { env } : {}),
    });
  }

  decider(name: string): Promise<Proc> {
    return this.spawn(name, (f) => ['decider', '--config', f, '--redis', this.redis.url]);
  }

  /** A DNS server; `variant` gives it another config hash (see probe()). */
  dns(name: string, variant?: string): Promise<Proc> {
    return this.spawn(name, (f) => ['dns', '--config', f, '--redis', this.redis.url], {
      dns: true,
      ...(variant ? { variant } : {}),
    });
  }

  /** A standalone dashboard (read from Redis, actions relayed to the leader); its URL. */
  async dashboard(name: string): Promise<{ proc: Proc; url: string }> {
    const port = await freePort('127.0.0.1', 'tcp');
    const proc = await this.spawn(name, (f) => [
      'dashboard',
      '--config',
      f,
      '--redis',
      this.redis.url,
      '--listen',
      `127.0.0.1:${port}`,
    ]);
    return { proc, url: `http://127.0.0.1:${port}` };
  }

  get(name: string): Proc {
    const p = this.procs.get(name);
    if (!p) throw new Error(`no process ${name}`);
    return p;
  }

  async readyz(
    name: string,
  ): Promise<{ status: number; body: { ready: boolean; detail?: Record<string, unknown> } }> {
    const res = await fetch(`http://127.0.0.1:${this.get(name).httpPort}/readyz`, {
      signal: AbortSignal.timeout(2000),
    });
    return {
      status: res.status,
      body: (await res.json()) as { ready: boolean; detail?: Record<string, unknown> },
    };
  }

  /** The decider process that says it leads, if any. */
  async leader(names: string[]): Promise<string | null> {
    for (const n of names) {
      const r = await this.readyz(n).catch(() => null);
      if (r?.body.detail?.role === 'leader') return n;
    }
    return null;
  }

  async answer(dnsName: string, timeoutMs = 1000): Promise<string[]> {
    const r = await dig({
      server: '127.0.0.1',
      port: this.get(dnsName).dnsPort!,
      name: 'app.example.test',
      type: 'A',
      timeoutMs,
    });
    if (r.status !== 'NOERROR') throw new Error(`dig ${dnsName}: ${r.status}`);
    return r.answer.filter((a) => a.type === 'A').map((a) => a.data);
  }

  /** Waits until every named DNS server answers `want`; returns the ms it took. */
  async untilAnswer(dnsNames: string[], want: string, timeoutMs: number): Promise<number> {
    const start = Date.now();
    await waitFor(
      async () => {
        for (const n of dnsNames) if ((await this.answer(n)).join(',') !== want) return false;
        return true;
      },
      { timeoutMs, intervalMs: 100, what: `${dnsNames.join(' and ')} → ${want}` },
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${this.outputs()}`);
    });
    return Date.now() - start;
  }

  async events(type?: EventType, limit = 500): Promise<DecisionEvent[]> {
    const all = await this.store.readEvents({ limit });
    return type ? all.filter((e) => e.type === type) : all;
  }

  /** The stored overlay (its serial and the epoch that wrote it). */
  zoneState(): Promise<ZoneOverlay | null> {
    return this.store.readOverlay();
  }

  /** The tail of every process's output, for failure messages. */
  outputs(tail = 3000): string {
    return [...this.procs.values()]
      .map((p) => `--- ${p.name} ---\n${p.child.output().slice(-tail)}`)
      .join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.procs.values()].map((p) => p.child.stop(8000)));
    await this.store?.close().catch(() => undefined);
    await this.connection?.close().catch(() => undefined);
    await Promise.all([this.redis.stop(), this.primary.stop(), this.secondary.stop()]);
    await rm(this.dir, { recursive: true, force: true });
  }
}
