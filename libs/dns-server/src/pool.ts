/**
 * DnsWorkerPool: the DnsServer API over N node:cluster workers that share the listening sockets.
 *
 * Why: Node's per-datagram cost (one recvmsg, one sendmsg, the dgram JS around them) bounds one event
 * loop near 10 µs per query, so one process cannot use a second core. See the package README for
 * measurements. One worker per core, at most 2, is the suggested default (defaultDnsWorkers); 1 means
 * "use DnsServer in-process" and is what tests and small hosts want.
 *
 * The primary validates every ZoneState (building the same snapshot the workers build) before it
 * broadcasts it, so setZoneState keeps its synchronous contract. With setBase, workers build the base
 * themselves from `baseSource` and get only the overlay, then OverlayUpdates; the primary checks each
 * update cheaply (serial, values against the slots' types) so applyUpdate answers synchronously too,
 * and a worker that refuses a delta (it missed one) is sent the whole overlay. Workers acknowledge each state once
 * they serve it, and onServing reports a serial once every live worker does (ServingTracker).
 * Workers re-run `exec` (default: the main script); that script must call runDnsWorker() when
 * cluster.isWorker. A worker that dies is replaced, at most once per second.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger, OverlayUpdate, ZoneOverlay, ZoneState } from '@understudy/core';
import { copyOverlay, patchOverlay } from '@understudy/core';
import { isFromWorker } from './pool-protocol.js';
import type { FromWorker, ToWorker, WorkerInit } from './pool-protocol.js';
import type { BoundAddress, DnsServerOptions, SetZoneStateResult } from './server.js';
import { PublishTraces, wallMs } from './publish-trace.js';
import { ServingTracker } from './serving-tracker.js';
import { buildModel } from './model.js';
import { buildSnapshot } from './snapshot.js';
import { baseZoneState, slotProblems, updateProblem } from './zone-base.js';
import type { FailoverSlot, ZoneBase } from './zone-base.js';

export interface DnsWorkerPoolOptions extends DnsServerOptions {
  workers: number;
  /** Script the workers run; default process.argv[1]. */
  exec?: string;
  args?: string[];
  /** Node flags for the workers; default those of this process. */
  execArgv?: string[];
  /** How long start() waits for every worker to listen (default 30 s). */
  startTimeoutMs?: number;
  /**
   * For setBase: opaque JSON the workers' loadBase (see runDnsWorker) turns into the same ZoneBase the
   * primary was given, e.g. { configPath }. The base itself never travels over IPC.
   */
  baseSource?: unknown;
  /**
   * setBase builds the model in the primary to answer synchronously whether the base is valid (default
   * true). False skips that O(zone) build (seconds and hundreds of MB at 100,000 names) for a base that comes
   * from a config that passed validation; a worker that still refuses it reports so (us:zone-rejected).
   */
  validateBase?: boolean;
}

/**
 * How long after every worker listens the first is asked to settle its heap (us:settle): short, so the
 * start-up peak is gone within seconds (idle RSS), but not at once, so the first queries are answered.
 */
const SETTLE_AFTER_MS = 1_000;

/** What the primary serves: a whole state (setZoneState), or a base's slots and the current overlay. */
type Latest =
  { kind: 'state'; zs: ZoneState } | { kind: 'base'; slots: Map<string, FailoverSlot>; overlay: ZoneOverlay };

/** One worker per core, at most two: more only adds contention on a shared socket. */
export function defaultDnsWorkers(): number {
  return Math.min(2, Math.max(1, availableParallelism()));
}

export class DnsWorkerPool {
  private readonly logger: Logger;
  private readonly workers = new Set<Worker>();
  private latest: Latest | null = null;
  private readonly tracker: ServingTracker<Worker>;
  private readonly traces = new PublishTraces<Worker>();
  private bound: { udp: BoundAddress[]; tcp: BoundAddress[] } = { udp: [], tcp: [] };
  private closing = false;
  private lastRespawn = 0;
  /** Where workers load the base from: opts.baseSource, then the one the latest setBase named (reload). */
  private baseSource: unknown;
  /** Forked workers that said hello before there was anything to serve: they get their init with it. */
  private readonly waiting = new Set<Worker>();
  /** The first workers' start (fork), awaited by start(). */
  private forked: Promise<PromiseSettledResult<Worker>[]> | null = null;
  /** Workers asked to settle their heap (us:settle), and what to call when they have. */
  private readonly settling = new Map<Worker, () => void>();
  private settleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: DnsWorkerPoolOptions) {
    this.baseSource = opts.baseSource;
    if (!Number.isInteger(opts.workers) || opts.workers < 1)
      throw new RangeError(`workers must be ≥ 1, got ${opts.workers}`);
    if (!cluster.isPrimary) throw new Error('DnsWorkerPool runs in the cluster primary');
    this.logger = opts.logger;
    this.tracker = new ServingTracker((serial, servedAt) => {
      if (this.closing) return;
      const trace = this.traces.complete(this.tracker.latestGen);
      if (trace && opts.onPublished) this.hook('onPublished', () => opts.onPublished?.(trace));
      // How long every worker has served it already (their clocks are this machine's).
      const agoMs = servedAt === null ? 0 : Math.max(0, wallMs() - servedAt);
      this.hook('onServing', () => opts.onServing?.(serial, agoMs));
    });
  }

  get serial(): number | null {
    const l = this.latest;
    return l === null ? null : l.kind === 'state' ? l.zs.serial : l.overlay.serial;
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
    this.latest = { kind: 'state', zs };
    const gen = this.tracker.accept(zs.serial);
    const initialized = this.initWaiting();
    for (const w of this.workers) if (!initialized.has(w)) this.post(w, { t: 'us:zone', zs, gen });
    return { ok: true, serial: zs.serial };
  }

  /**
   * Validates the base under the overlay in the primary (the model only: every value parsed, nothing
   * encoded) and has every worker load it from baseSource. A reload passes the new base's `source`: each
   * worker keeps answering from its old base until it has built the new one, then swaps (issue 13).
   */
  setBase(base: ZoneBase, overlay: ZoneOverlay, source: unknown = this.baseSource): SetZoneStateResult {
    try {
      if (source === undefined) throw new Error('setBase needs DnsWorkerPoolOptions.baseSource');
      const problems = slotProblems(base);
      if (problems.length > 0) throw new Error(`zone base: ${problems.join('; ')}`);
      if (this.opts.validateBase !== false) buildModel(baseZoneState(base, overlay));
    } catch (err) {
      return this.rejected(overlay?.serial, err);
    }
    const copy = copyOverlay(overlay);
    this.baseSource = source;
    this.latest = { kind: 'base', slots: new Map(base.slots.map((s) => [s.id, s])), overlay: copy };
    const gen = this.tracker.accept(overlay.serial);
    const initialized = this.initWaiting();
    for (const w of this.workers)
      if (!initialized.has(w)) this.post(w, { t: 'us:base', source, overlay: copy, gen });
    return { ok: true, serial: overlay.serial };
  }

  /** Checks the update against the served serial and the slots' types, then sends it to every worker. */
  applyUpdate(u: OverlayUpdate): SetZoneStateResult {
    const l = this.latest;
    if (l?.kind !== 'base')
      return this.rejected(null, new Error('applyUpdate needs a base: call setBase first'));
    const problem = updateProblem(l.slots, l.overlay.serial, u);
    if (problem) return this.rejected(null, new Error(problem));
    if (u.kind === 'delta') {
      patchOverlay(l.overlay, u.delta); // in place: O(delta)
    } else {
      l.overlay = copyOverlay(u.overlay);
    }
    const gen = this.tracker.accept(l.overlay.serial);
    this.traces.sent(gen, l.overlay.serial);
    for (const w of this.workers) this.post(w, { t: 'us:update', u, gen });
    return { ok: true, serial: l.overlay.serial };
  }

  private rejected(serial: unknown, err: unknown): SetZoneStateResult {
    const error = err instanceof Error ? err.message : String(err);
    this.logger.error({ serial, error }, 'dns: zone update rejected; keeping what was served');
    return { ok: false, error };
  }

  /**
   * Where workers (including those already forked and waiting) load the base from, for a base file written
   * after fork(): setBase's `source` still wins.
   */
  setBaseSource(source: unknown): void {
    this.baseSource = source;
  }

  /**
   * Forks the workers now, before there is anything to serve (issue 11: their start-up overlaps the
   * caller's own work, such as building and writing the base): each waits, without listening, until
   * setBase or setZoneState gives it a zone. start() then waits for them to listen. Idempotent.
   */
  fork(): void {
    if (this.forked) return;
    cluster.setupPrimary({
      ...(this.opts.exec ? { exec: this.opts.exec } : {}),
      ...(this.opts.args ? { args: this.opts.args } : {}),
      ...(this.opts.execArgv ? { execArgv: this.opts.execArgv } : {}),
    });
    this.forked = Promise.allSettled(Array.from({ length: this.opts.workers }, () => this.spawn()));
  }

  async start(): Promise<void> {
    this.fork();
    const first = await this.forked!;
    const failed = first.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.close();
      throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    }
    // Every worker answers now: their start-up garbage can go, one worker at a time, after a moment in
    // which both answer (a client's first queries, and its retries, find a worker that is not collecting).
    const started = first.map((r) => (r as PromiseFulfilledResult<Worker>).value);
    this.settleTimer = setTimeout(() => void this.settleInTurn(started), SETTLE_AFTER_MS);
    this.settleTimer.unref();
  }

  /**
   * Asks each worker in turn to give its start-up heap back (us:settle), the next once the previous is
   * done: a collection stops a worker for up to a second at 100,000 names, so the others answer meanwhile,
   * and the first answer does not wait for it.
   */
  private async settleInTurn(workers: Worker[]): Promise<void> {
    for (const w of workers) {
      if (this.closing) return;
      if (!this.workers.has(w)) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.opts.startTimeoutMs ?? 30_000);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.settling.set(w, done);
        this.post(w, { t: 'us:settle' });
      });
      this.settling.delete(w);
    }
  }

  /** Gives the waiting workers their init now that there is something to serve; returns them. */
  private initWaiting(): Set<Worker> {
    const sent = new Set(this.waiting);
    this.waiting.clear();
    for (const w of sent) this.post(w, this.initMessage());
    return sent;
  }

  addresses(): { udp: BoundAddress[]; tcp: BoundAddress[] } {
    return this.bound;
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.settleTimer);
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
      'identity',
      'latencySampleEvery',
      'udpIo', // issue 11: batched UDP I/O
      'geo', // issue 14 part 3
    ] as const;
    for (const k of optional) if (o[k] !== undefined) Object.assign(init, { [k]: o[k] });
    if (o.transfer)
      init.transfer = {
        ...o.transfer,
        keys: o.transfer.keys.map((k) => ({ name: k.name, secret: k.secret.toString('base64') })),
      };
    return init;
  }

  private initMessage(): ToWorker {
    const l = this.latest;
    const gen = this.tracker.latestGen;
    if (l?.kind === 'base')
      return {
        t: 'us:init',
        init: this.init(),
        state: null,
        base: { source: this.baseSource, overlay: l.overlay, gen },
      };
    return { t: 'us:init', init: this.init(), state: l && { zs: l.zs, gen } };
  }

  private post(w: Worker, m: ToWorker): void {
    if (w.isConnected()) w.send(m);
  }

  private spawn(): Promise<Worker> {
    const w = cluster.fork();
    this.workers.add(w);
    this.tracker.add(w);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              this.latest === null
                ? 'dns worker did not start in time: it waits for a zone, and none was set (setBase or setZoneState)'
                : 'dns worker did not start in time',
            ),
          ),
        this.opts.startTimeoutMs ?? 30_000,
      );
      const settle = (err?: Error): void => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(w);
      };
      w.on('error', (err) => this.logger.warn({ err }, 'dns: worker channel error'));
      w.on('message', (m: unknown) => {
        if (isFromWorker(m)) this.onWorkerMessage(w, m, settle);
      });
      w.on('exit', (code, signal) => {
        this.workers.delete(w);
        this.waiting.delete(w);
        this.settling.get(w)?.();
        this.tracker.remove(w);
        settle(new Error(`dns worker exited (code ${code}, signal ${signal})`));
        if (!this.closing) this.respawn(code, signal);
      });
    });
  }

  private onWorkerMessage(w: Worker, m: FromWorker, settle: (err?: Error) => void): void {
    switch (m.t) {
      case 'us:hello':
        // Nothing to serve yet (forked early): a worker never listens without a zone.
        if (this.latest === null) this.waiting.add(w);
        else this.post(w, this.initMessage());
        break;
      case 'us:settled':
        this.settling.get(w)?.();
        break;
      case 'us:ready':
        if (this.bound.udp.length === 0) this.bound = m.addresses;
        settle();
        break;
      case 'us:failed':
        settle(
          Object.assign(new Error(`dns worker could not start: ${m.error}`), {
            ...(m.code === undefined ? {} : { code: m.code }),
            ...(m.address === undefined ? {} : { address: m.address }),
            ...(m.port === undefined ? {} : { port: m.port }),
          }),
        );
        break;
      case 'us:zone-rejected':
        this.logger.error(
          { serial: m.serial, error: m.error },
          'dns: a worker rejected a zone state the primary accepted',
        );
        break;
      case 'us:update-rejected':
        this.logger.warn(
          { serial: m.serial, kind: m.kind, error: m.error },
          'dns: a worker refused an overlay update; sending it the whole overlay',
        );
        // A worker that missed a delta (still loading, or a rejected base) catches up from the overlay.
        if (m.kind === 'delta' && this.latest?.kind === 'base')
          this.post(w, {
            t: 'us:update',
            u: { kind: 'full', overlay: this.latest.overlay },
            gen: this.tracker.latestGen,
          });
        break;
      case 'us:applied':
        if (m.trace) this.traces.applied(w, m.trace, m.info);
        this.hook('onApplied', () => this.opts.onApplied?.(m.info));
        break;
      case 'us:serving':
        if (m.at !== undefined) this.traces.acked(w, m.gen, m.at);
        this.tracker.ack(w, m.gen, m.at);
        break;
      case 'us:counts':
        this.hook('onQueries', () => this.opts.onQueries?.(m.counts, m.latency));
        break;
      case 'us:transfer':
        this.hook('onTransfer', () => this.opts.onTransfer?.(m.info));
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
      this.spawn().then(
        (w) => this.settleInTurn([w]),
        (err: unknown) => this.logger.error({ err }, 'dns: replacement worker failed'),
      );
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
