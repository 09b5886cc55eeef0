/**
 * The DNS role: serves the static base built from the config plus the store's overlay, applies every overlay
 * update in time proportional to it, and reports which serial it serves (once every DNS worker serves it) so
 * the decider can compute publishedAt/effectiveBy.
 *
 * Started without a store (Redis down), it serves the overlay from its disk cache and follows the store
 * once follow() hands it one; the serial never goes backwards across that switch.
 */
import {
  BUILTIN_TARGET,
  copyOverlay,
  nextSerial,
  patchOverlay,
  secondaryTarget,
  type Clock,
  type Logger,
  type OverlayUpdate,
  type StateStore,
  type UnderstudyConfig,
  type ZoneOverlay,
} from '@understudy/core';
import {
  DnsServer,
  DnsWorkerPool,
  defaultDnsWorkers,
  dnsServerOptions,
  wallMs,
  zoneBaseFromConfig,
  checkGeoDatabase,
  type DnsServerOptions,
  type PublishTrace,
  type ZoneBase,
} from '@understudy/dns-server';
import { settleHeapAfterStart } from './heap-release.js';
import { dnsRestartNeeded, notifyChanged, type ConfigUpdate } from './reconfigure.js';
import { notifierFor, secondaryWatchFor, type NotifyHooks } from './transfer-notify.js';
import { writeWorkerBase, type WorkerConfigSource } from './worker.js';
import type { ZoneCache } from './zone-cache.js';

/** Where the served overlay came from: the store, the disk cache, or the config (nothing stored yet). */
export type ZoneSource = 'store' | 'disk-cache' | 'config';

export interface DnsRoleOptions {
  config: UnderstudyConfig;
  /** null: start from `cached` and wait for follow(). */
  store: StateStore | null;
  /** The disk cache's overlay, served when `store` is null. */
  cached?: ZoneOverlay;
  /** Every overlay served from the store is saved here (when its serial changes). */
  cache?: ZoneCache;
  logger: Logger;
  clock: Clock;
  /** Names this server in publications, e.g. the host name. */
  instance: string;
  /**
   * The config DNS worker processes serve (more than one worker). With it, this process writes the static
   * base it built from that config to a private file once, and every worker reads it from there (a JSON
   * parse instead of a YAML parse and schema validation per worker); only overlays travel over IPC.
   * Without it, workers get the whole zone over IPC on every change (the slow path, for tests and tools).
   */
  workerConfig?: WorkerConfigSource;
  /** Script the DNS workers run (default: this process's main script). */
  workerExec?: string;
  /** Node flags the DNS workers get on top of this process's (e.g. a TypeScript loader in tests). */
  workerExecArgv?: string[];
  /** Query counts, batched about once a second (for metrics). */
  onQueries?: DnsServerOptions['onQueries'];
  /** Base builds and overlay updates, with their cost (for metrics). */
  onApplied?: DnsServerOptions['onApplied'];
  /** An overlay is now answered by every DNS worker. Treat it as read-only. */
  onServing?: (overlay: ZoneOverlay, source: ZoneSource) => void;
  /**
   * Issue 11: where a store update's time went, from the decision (`decidedAt`, the update's generatedAt) and
   * its arrival here (`receivedAt`) to every worker serving it (metrics, bench:scale's breakdown).
   */
  onPublished?: (trace: PublishTrace & { decidedAt: number; receivedAt: number }) => void;
  /**
   * The served serial is re-recorded this often (ms; 0 = never), so the decider knows this instance is
   * alive and waits for it before calling a change published. Default 10 000.
   */
  publicationHeartbeat?: number;
  /** Zone transfers (issue 15): every transfer served or refused, NOTIFYs sent and acknowledged (metrics). */
  onTransfer?: DnsServerOptions['onTransfer'];
  notifyHooks?: NotifyHooks;
}

/**
 * Node flags for DNS worker processes, on top of this process's (and of workerYoungGeneration's): one V8
 * background thread. Keeps an idle worker near 60 MB instead of 77 MB (issue 11 §2).
 */
export const DNS_WORKER_NODE_FLAGS: readonly string[] = [
  '--v8-pool-size=1',
  // The optimizing compiler runs on the worker's own thread: a worker optimizes its few hot functions once,
  // and the compiler thread's memory cost 6 MB of RSS per idle worker (70 → 64 MB, bench:startup).
  '--no-concurrent-recompilation',
  // One full collection after the base is built (worker.ts), so the start-up peak is given back.
  '--expose-gc',
];

/** Failover records per MB of a DNS worker's young generation (semi-space), at most 8 MB. */
const FAILOVERS_PER_SEMI_SPACE_MB = 1_500;

/**
 * A DNS worker's young generation (semi-space size, MB), from the failover records it serves: 1 MB keeps a
 * small worker lean (answering allocates little and briefly), but a publish allocates in proportion to the
 * records it changes. At 110,000 records (11,000 failover) a failover changes 1,100 of them, and with 1 MB a
 * worker ran a dozen scavenges per publish, each scanning its 120 MB old generation's pointers into the young
 * one: the worker stages of decision → served went from p50 10 to 6 ms with 8 MB, idle RSS unchanged
 * (bench:scale, issue 11).
 */
export function workerSemiSpaceMb(failovers: number): number {
  return Math.min(8, Math.max(1, Math.ceil(failovers / FAILOVERS_PER_SEMI_SPACE_MB)));
}

/** The young-generation flags of DNS workers for `config` (both bounds: the launchers' minimum is inherited). */
export function workerYoungGeneration(config: UnderstudyConfig): string[] {
  const mb = workerSemiSpaceMb(config.zones.reduce((n, z) => n + z.failover.length, 0));
  return [`--min-semi-space-size=${mb}`, `--max-semi-space-size=${mb}`];
}

export class DnsRole {
  private unsubscribe: (() => void) | undefined;
  private closed = false;
  /**
   * What the server serves, updated in place (O(delta) per change), and where it came from (only the store's
   * is published).
   */
  private served_: { overlay: ZoneOverlay; source: ZoneSource } | null = null;
  private rereading = false;
  private store: StateStore | null;
  private server!: DnsServer | DnsWorkerPool;
  /** Built in start(), while the DNS workers start. */
  private base!: ZoneBase;
  /** The config in force: the one started with, then each one applyConfig took. */
  private config: UnderstudyConfig;
  /** Base files of earlier configs, removed once a later swap is served (a respawned worker reads the latest). */
  private oldBaseFiles: (() => void)[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private stopSettling: (() => void) | undefined;
  /** Deletes the base file the workers read, if one was written. */
  private removeBaseFile: (() => void) | undefined;
  /** The serial recorded as published by this instance, once every worker served it. */
  private publishedSerial: number | null = null;
  /** When every worker started serving publishedSerial: the heartbeat re-reports it unchanged (`since`). */
  private publishedSince = 0;
  private publishFailing = false;
  private notifier: ReturnType<typeof notifierFor> = null;
  /** What each zone-transfer secondary serves, recorded as the publications of its target. */
  private watch: ReturnType<typeof secondaryWatchFor> = null;
  /** Per secondary target, the serial it was last seen answering and since when (re-checks keep `since`). */
  private readonly secondarySince = new Map<string, { serial: number; since: number }>();
  /** The newest store delta handed to the server: its decision time and arrival, for onPublished. */
  private lastDelta: { serial: number; decidedAt: number; receivedAt: number } | null = null;

  private constructor(private readonly opts: DnsRoleOptions) {
    this.store = opts.store;
    this.config = opts.config;
  }

  static async start(opts: DnsRoleOptions): Promise<DnsRole> {
    const role = new DnsRole(opts);
    const d = opts.config.dns;
    const serverOpts: DnsServerOptions = {
      listen: opts.config.listen.dns,
      logger: opts.logger,
      ...dnsServerOptions(d),
      onServing: (serial, agoMs) => role.served(serial, agoMs),
      ...(opts.onQueries ? { onQueries: opts.onQueries } : {}),
      ...(opts.onApplied ? { onApplied: opts.onApplied } : {}),
      ...(opts.onTransfer ? { onTransfer: opts.onTransfer } : {}),
      ...(opts.onPublished ? { onPublished: (t: PublishTrace) => role.published(t) } : {}),
    };
    // With more than one worker, cluster workers answer and this process only feeds them overlay updates.
    const workers = d.workers === 'auto' ? defaultDnsWorkers() : d.workers;
    const pool =
      workers > 1
        ? new DnsWorkerPool({
            ...serverOpts,
            workers,
            ...(opts.workerExec ? { exec: opts.workerExec } : {}),
            execArgv: [
              ...process.execArgv,
              ...(opts.workerExecArgv ?? []),
              ...DNS_WORKER_NODE_FLAGS,
              ...workerYoungGeneration(opts.config),
            ],
            // The base comes from the validated config, and each worker builds (and checks) it anyway.
            validateBase: false,
          })
        : null;
    // Issue 11: the workers start (a process and its modules each) while this one builds and writes the
    // base; the pool holds each until it has something to serve.
    pool?.fork();
    role.server = pool ?? new DnsServer(serverOpts);
    try {
      role.base = zoneBaseFromConfig(opts.config);
      // Issue 14 part 3: a database that cannot serve steered records fails the start, naming its path.
      if (d.geo && role.base.slots.some((s) => s.steering)) checkGeoDatabase(d.geo);
      if (pool && opts.workerConfig) {
        const written = writeWorkerBase(role.base);
        role.removeBaseFile = written.remove;
        pool.setBaseSource(written.source);
      }
      role.startNotify();
      if (opts.store) await role.follow(opts.store);
      else if (opts.cached) role.install(opts.cached, 'disk-cache');
      else throw new Error('DnsRole: needs a store or a cached overlay');
      await role.server.start();
    } catch (err) {
      await role.close().catch(() => undefined);
      throw err;
    }
    // With workers answering, this process's start-up peak (config parse, base build) is dead now and
    // nothing here answers queries: give it back before the decider and probes start, and again after
    // their first burst (heap-release.ts).
    if (workers > 1)
      role.stopSettling = settleHeapAfterStart({
        onRelease: (before, after) =>
          opts.logger.debug(
            { heapMb: [before.total >> 20, after.total >> 20], rssMb: process.memoryUsage.rss() >> 20 },
            'dns: start-up heap released',
          ),
      });
    const every = opts.publicationHeartbeat ?? 10_000;
    if (every > 0) {
      role.heartbeat = setInterval(() => {
        role.recordPublication();
        void role.watch?.check();
      }, every);
      role.heartbeat.unref();
    }
    opts.logger.info(
      { listen: role.server.addresses(), serial: role.server.serial, workers },
      'dns server listening',
    );
    return role;
  }

  /**
   * Follows `store` from now on: every newer overlay update it holds or announces is applied. With nothing
   * stored yet (no decider has run) and nothing served, the config is served with every record on its
   * primary.
   */
  async follow(store: StateStore): Promise<void> {
    if (this.closed) return;
    this.store = store;
    // Subscribe before reading so no update written in between is missed; older ones are ignored anyway.
    this.unsubscribe = store.subscribe((u) => this.onUpdate(u));
    const stored = await store.readOverlay();
    if (stored) this.onUpdate({ kind: 'full', overlay: stored });
    else if (this.server.serial === null) {
      const now = this.opts.clock.now();
      this.install({ serial: nextSerial(0, now), epoch: 0, generatedAt: now, records: {} }, 'config');
    }
  }

  /**
   * Reload (issue 13): serves the zones of a new, already validated config. The static base is rebuilt and
   * swapped in whole under the overlay served now (new records on their first answer until the decider
   * says otherwise; removed ones gone): workers get it as a new base file and keep answering from the old
   * base until each has built the new one. NOTIFY follows the new zones. Rejects, serving what it served,
   * when the new base is refused. Settings that bind sockets are logged as needing a restart.
   */
  applyConfig(loaded: ConfigUpdate): Promise<void> {
    try {
      this.reconfigure(loaded);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private reconfigure(loaded: ConfigUpdate): void {
    if (this.closed) return;
    const before = this.config;
    const base = zoneBaseFromConfig(loaded.config);
    const cur = this.served_;
    if (cur) {
      const pool = this.server instanceof DnsWorkerPool && this.removeBaseFile ? this.server : null;
      const written = pool ? writeWorkerBase(base) : null;
      const overlay = { ...cur.overlay, records: { ...cur.overlay.records } };
      const res = pool ? pool.setBase(base, overlay, written!.source) : this.server.setBase(base, overlay);
      if (!res.ok) {
        written?.remove();
        throw new Error(`dns: the new config's zones were refused; still serving the old ones: ${res.error}`);
      }
      if (written) {
        // The previous file may still be read by a worker that is loading it: removed one swap later.
        for (const remove of this.oldBaseFiles.splice(0)) remove();
        if (this.removeBaseFile) this.oldBaseFiles.push(this.removeBaseFile);
        this.removeBaseFile = written.remove;
      }
    }
    this.base = base;
    this.config = loaded.config;
    if (notifyChanged(before, loaded.config)) {
      this.notifier?.close();
      this.watch?.close();
      this.startNotify();
      // The zones served now, to secondaries that may be new: the same serial is news to them.
      if (this.server.serial !== null) this.notifier?.notify(this.server.serial);
    }
    const restart = dnsRestartNeeded(before, loaded.config);
    if (restart.length)
      this.opts.logger.warn({ settings: restart }, 'dns: these settings take effect at the next restart');
    this.opts.logger.info(
      { zones: loaded.config.zones.length, serial: this.server.serial, hash: loaded.hash },
      'dns: new config applied',
    );
  }

  /** Where the served overlay came from; null before the first one. */
  get source(): ZoneSource | null {
    return this.served_?.source ?? null;
  }

  get ready(): boolean {
    return !this.closed && this.server.serial !== null;
  }

  get serial(): number | null {
    return this.server.serial;
  }

  addresses(): ReturnType<DnsServer['addresses']> {
    return this.server.addresses();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.stopSettling?.();
    this.unsubscribe?.();
    this.notifier?.close();
    this.watch?.close();
    try {
      await this.server.close();
    } finally {
      this.removeBaseFile?.();
      for (const remove of this.oldBaseFiles.splice(0)) remove();
    }
  }

  private startNotify(): void {
    const { clock, logger, notifyHooks } = this.opts;
    this.watch = secondaryWatchFor(
      this.config,
      () => clock.now(),
      (address, serial, at) => this.recordSecondary(address, serial, at),
    );
    this.notifier = notifierFor(this.config, logger, {
      ...notifyHooks,
      onAcked: (e) => {
        notifyHooks?.onAcked?.(e);
        this.watch?.expect(e.target, e.zone, e.serial);
      },
    });
  }

  private onUpdate(u: OverlayUpdate): void {
    if (this.closed) return;
    if (u.kind === 'full') {
      this.install(u.overlay, 'store');
      return;
    }
    const cur = this.served_;
    const d = u.delta;
    if (cur && d.serial <= cur.overlay.serial) return;
    const receivedAt = wallMs();
    // A delta on top of what the disk cache or the config gave is not the store's: read the whole overlay.
    if (!cur || cur.source !== 'store' || d.base !== cur.overlay.serial) {
      this.reread();
      return;
    }
    // Updated first (O(delta)): a single in-process server acknowledges (served) inside applyUpdate.
    const undo = patchOverlay(cur.overlay, d);
    this.lastDelta = { serial: d.serial, decidedAt: d.generatedAt, receivedAt };
    const res = this.server.applyUpdate(u);
    if (res.ok) return;
    undo();
    this.opts.logger.error(
      { serial: d.serial, base: d.base, error: res.error },
      'dns: overlay update rejected; still serving the previous answers',
    );
  }

  /** Serves a whole overlay (start, gap, cache), unless it is older than what is served. */
  private install(overlay: ZoneOverlay, source: ZoneSource): void {
    if (this.closed) return;
    const cur = this.served_;
    const current = this.server.serial;
    if (current !== null && overlay.serial < current) return;
    // The store's copy of the serial already served from the disk cache is applied again, so that it counts
    // as published (and any difference in content is the store's to win); otherwise equal is old.
    if (current !== null && overlay.serial === current && (source !== 'store' || cur?.source === 'store'))
      return;
    if (source === 'store' && cur?.source === 'disk-cache')
      this.opts.logger.info(
        { serial: overlay.serial, cachedSerial: current },
        'dns: following the store again; no longer serving the disk cache',
      );
    const own: ZoneOverlay = copyOverlay(overlay);
    // Set first: a single in-process server acknowledges (served) synchronously inside the call.
    this.served_ = { overlay: own, source };
    const res =
      current === null
        ? this.server.setBase(this.base, own)
        : this.server.applyUpdate({ kind: 'full', overlay: own });
    if (!res.ok) {
      this.served_ = cur;
      this.opts.logger.error(
        { serial: overlay.serial, source, error: res.error },
        'dns: overlay rejected; still serving the previous answers',
      );
    }
  }

  private reread(): void {
    const store = this.store;
    if (!store || this.rereading || this.closed) return;
    this.rereading = true;
    store.readOverlay().then(
      (o) => {
        this.rereading = false;
        if (o) this.install(o, 'store');
      },
      (err: unknown) => {
        this.rereading = false;
        this.opts.logger.warn(
          { err },
          'dns: could not read the overlay after a gap; waiting for the next update',
        );
      },
    );
  }

  private published(t: PublishTrace): void {
    const d = this.lastDelta;
    if (this.closed || d?.serial !== t.serial) return;
    this.opts.onPublished?.({ ...t, decidedAt: d.decidedAt, receivedAt: d.receivedAt });
  }

  /**
   * Every worker answers from `serial`, and has for `agoMs` (the pool reports the last worker's own moment,
   * not when its acknowledgement was handled): that moment is what publishedAt means for this target.
   */
  private served(serial: number, agoMs: number): void {
    const cur = this.served_;
    if (this.closed || !cur || cur.overlay.serial !== serial) return;
    this.opts.logger.debug({ serial }, 'dns: serving new overlay');
    this.opts.onServing?.(cur.overlay, cur.source);
    this.notifier?.notify(serial);
    if (cur.source !== 'store') return;
    void this.opts.cache?.save(cur.overlay);
    if (serial !== this.publishedSerial) this.publishedSince = Math.round(this.opts.clock.now() - agoMs);
    this.publishedSerial = serial;
    this.recordPublication();
  }

  private recordPublication(): void {
    const serial = this.publishedSerial;
    const store = this.store;
    if (this.closed || serial === null || !store) return;
    store
      .recordPublication({
        target: BUILTIN_TARGET,
        instance: this.opts.instance,
        serial,
        at: this.opts.clock.now(),
        since: this.publishedSince,
      })
      .then(
        () => {
          if (this.publishFailing) this.opts.logger.info({ serial }, 'dns: recording publications again');
          this.publishFailing = false;
        },
        (err: unknown) => {
          // While the store is down this repeats every heartbeat: warn once, then debug.
          this.opts.logger[this.publishFailing ? 'debug' : 'warn'](
            { err },
            'dns: could not record publication',
          );
          this.publishFailing = true;
        },
      );
  }

  /** A secondary was seen serving `serial` (its SOA answered it): a publication of its own target. */
  private recordSecondary(address: string, serial: number, at: number): void {
    if (this.closed || !this.store) return;
    const target = secondaryTarget(address);
    const seen = this.secondarySince.get(target);
    const since = seen?.serial === serial ? seen.since : at;
    this.secondarySince.set(target, { serial, since });
    this.store
      .recordPublication({ target, instance: this.opts.instance, serial, at, since })
      .catch((err: unknown) => {
        // The heartbeat records it again; the store being down is already warned about above.
        this.opts.logger.debug({ err, target }, 'dns: could not record a secondary publication');
      });
  }
}
