/**
 * DnsWorkerPool: the DnsServer API over N node:cluster workers that share the listening sockets.
 *
 * Why: Node's per-datagram cost (one recvmsg, one sendmsg, the dgram JS around them) bounds one event
 * loop near 10 µs per query, so one process cannot use a second core. See the package README for
 * measurements. One worker per core, at most 2, is the suggested default (defaultDnsWorkers); 1 means
 * "use DnsServer in-process" and is what tests and small hosts want.
 *
 * The primary validates every ZoneState (building the same snapshot the workers build) before it
 * broadcasts it, so setZoneState keeps its synchronous contract. Workers acknowledge each state once
 * they serve it, and onServing reports a serial once every live worker does (ServingTracker).
 * Workers re-run `exec` (default: the main script); that script must call runDnsWorker() when
 * cluster.isWorker. A worker that dies is replaced, at most once per second.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger, ZoneState } from '@understudy/core';
import { isFromWorker } from './pool-protocol.js';
import type { FromWorker, ToWorker, WorkerInit } from './pool-protocol.js';
import type { BoundAddress, DnsServerOptions, SetZoneStateResult } from './server.js';
import { ServingTracker } from './serving-tracker.js';
import { buildSnapshot } from './snapshot.js';

export interface DnsWorkerPoolOptions extends DnsServerOptions {
  workers: number;
  /** Script the workers run; default process.argv[1]. */
  exec?: string;
  args?: string[];
  /** Node flags for the workers; default those of this process. */
  execArgv?: string[];
  /** How long start() waits for every worker to listen (default 30 s). */
  startTimeoutMs?: number;
}

/** One worker per core, at most two: more only adds contention on a shared socket. */
export function defaultDnsWorkers(): number {
  return Math.min(2, Math.max(1, availableParallelism()));
}

export class DnsWorkerPool {
  private readonly logger: Logger;
  private readonly workers = new Set<Worker>();
  private latest: ZoneState | null = null;
  private readonly tracker: ServingTracker<Worker>;
  private bound: { udp: BoundAddress[]; tcp: BoundAddress[] } = { udp: [], tcp: [] };
  private closing = false;
  private lastRespawn = 0;

  constructor(private readonly opts: DnsWorkerPoolOptions) {
    if (!Number.isInteger(opts.workers) || opts.workers < 1)
      throw new RangeError(`workers must be ≥ 1, got ${opts.workers}`);
    if (!cluster.isPrimary) throw new Error('DnsWorkerPool runs in the cluster primary');
    this.logger = opts.logger;
    this.tracker = new ServingTracker((serial) => {
      if (!this.closing) this.hook('onServing', () => opts.onServing?.(serial));
    });
  }

  get serial(): number | null {
    return this.latest?.serial ?? null;
  }

  setZoneState(zs: ZoneState): SetZoneStateResult {
    try {
      buildSnapshot(zs);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.logger.error(
        { serial: zs?.serial, error },
        'dns: zone state rejected; keeping the previous snapshot',
      );
      return { ok: false, error };
    }
    this.latest = zs;
    const gen = this.tracker.accept(zs.serial);
    for (const w of this.workers) this.post(w, { t: 'us:zone', zs, gen });
    return { ok: true, serial: zs.serial };
  }

  async start(): Promise<void> {
    cluster.setupPrimary({
      ...(this.opts.exec ? { exec: this.opts.exec } : {}),
      ...(this.opts.args ? { args: this.opts.args } : {}),
      ...(this.opts.execArgv ? { execArgv: this.opts.execArgv } : {}),
    });
    const first = await Promise.allSettled(Array.from({ length: this.opts.workers }, () => this.spawn()));
    const failed = first.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.close();
      throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    }
  }

  addresses(): { udp: BoundAddress[]; tcp: BoundAddress[] } {
    return this.bound;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.workers].map((w) => this.stop(w)));
  }

  private init(): WorkerInit {
    const o = this.opts;
    const init: WorkerInit = {
      listen: o.listen,
      countQueries: o.onQueries !== undefined,
      reportIntervalMs: o.reportIntervalMs ?? 1000,
    };
    // Only what is set: the worker's DnsServer fills its own defaults.
    const optional = [
      'udpPayloadSize',
      'tcpIdleTimeoutMs',
      'tcpMaxConnections',
      'tcpFrameTimeoutMs',
      'tcpMaxConnectionsPerClient',
      'rateLimit',
      'latencySampleEvery',
    ] as const;
    for (const k of optional) if (o[k] !== undefined) Object.assign(init, { [k]: o[k] });
    return init;
  }

  private post(w: Worker, m: ToWorker): void {
    if (w.isConnected()) w.send(m);
  }

  private spawn(): Promise<void> {
    const w = cluster.fork();
    this.workers.add(w);
    this.tracker.add(w);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('dns worker did not start in time')),
        this.opts.startTimeoutMs ?? 30_000,
      );
      const settle = (err?: Error): void => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      w.on('error', (err) => this.logger.warn({ err }, 'dns: worker channel error'));
      w.on('message', (m: unknown) => {
        if (isFromWorker(m)) this.onWorkerMessage(w, m, settle);
      });
      w.on('exit', (code, signal) => {
        this.workers.delete(w);
        this.tracker.remove(w);
        settle(new Error(`dns worker exited (code ${code}, signal ${signal})`));
        if (!this.closing) this.respawn(code, signal);
      });
    });
  }

  private onWorkerMessage(w: Worker, m: FromWorker, settle: (err?: Error) => void): void {
    switch (m.t) {
      case 'us:hello':
        this.post(w, {
          t: 'us:init',
          init: this.init(),
          state: this.latest && { zs: this.latest, gen: this.tracker.latestGen },
        });
        break;
      case 'us:ready':
        if (this.bound.udp.length === 0) this.bound = m.addresses;
        settle();
        break;
      case 'us:failed':
        settle(new Error(`dns worker could not start: ${m.error}`));
        break;
      case 'us:zone-rejected':
        this.logger.error(
          { serial: m.serial, error: m.error },
          'dns: a worker rejected a zone state the primary accepted',
        );
        break;
      case 'us:serving':
        this.tracker.ack(w, m.gen);
        break;
      case 'us:counts':
        this.hook('onQueries', () => this.opts.onQueries?.(m.counts, m.latency));
        break;
    }
  }

  private hook(name: string, call: () => void): void {
    try {
      call();
    } catch (err) {
      this.logger.warn({ err }, `dns: ${name} hook threw`);
    }
  }

  private respawn(code: number | null, signal: string | null): void {
    this.logger.error({ code, signal }, 'dns: worker died; starting a replacement');
    const wait = Math.max(0, this.lastRespawn + 1000 - Date.now());
    this.lastRespawn = Date.now() + wait;
    setTimeout(() => {
      if (this.closing) return;
      this.spawn().catch((err: unknown) => this.logger.error({ err }, 'dns: replacement worker failed'));
    }, wait).unref();
  }

  private stop(w: Worker): Promise<void> {
    return new Promise((resolve) => {
      if (w.isDead()) {
        resolve();
        return;
      }
      const kill = setTimeout(() => w.process.kill('SIGKILL'), 5000);
      w.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      this.post(w, { t: 'us:close' });
    });
  }
}
