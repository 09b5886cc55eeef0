/**
 * The DNS role: serves the latest ZoneState from the store, swaps on every newer one, and reports which
 * serial it serves (once every DNS worker serves it) so the decider can compute publishedAt/effectiveBy.
 *
 * Started without a store (Redis down), it serves a zone state from its disk cache and follows the store
 * once follow() hands it one; the serial never goes backwards across that switch.
 */
import {
  applyDelta,
  materializeZoneState,
  type OverlayUpdate,
  type ZoneOverlay,
  buildZoneState,
  nextSerial,
  type Clock,
  type Logger,
  type StateStore,
  type UnderstudyConfig,
  type ZoneState,
} from '@understudy/core';
import {
  DnsServer,
  DnsWorkerPool,
  defaultDnsWorkers,
  dnsServerOptions,
  type DnsServerOptions,
} from '@understudy/dns-server';
import type { ZoneCache } from './zone-cache.js';

/** Where the served zone state came from: the store, the disk cache, or the config (nothing stored yet). */
export type ZoneSource = 'store' | 'disk-cache' | 'config';

export interface DnsRoleOptions {
  config: UnderstudyConfig;
  /** null: start from `cached` and wait for follow(). */
  store: StateStore | null;
  /** The disk cache's zone state, served when `store` is null. */
  cached?: ZoneState;
  /** Every zone state served from the store is saved here (when its serial changes). */
  cache?: ZoneCache;
  logger: Logger;
  clock: Clock;
  /** Names this server in publications, e.g. the host name. */
  instance: string;
  /** Query counts, batched about once a second (for metrics). */
  onQueries?: DnsServerOptions['onQueries'];
  /** A zone state is now answered by every DNS worker. */
  onServing?: (zs: ZoneState, source: ZoneSource) => void;
  /**
   * The served serial is re-recorded this often (ms; 0 = never), so the decider knows this instance is
   * alive and waits for it before calling a change published. Default 10 000.
   */
  publicationHeartbeat?: number;
}

export class DnsRole {
  private unsubscribe: (() => void) | undefined;
  private closed = false;
  /** The last zone state handed to the server, and where it came from (only the store's is published). */
  private latest: { zs: ZoneState; source: ZoneSource } | null = null;
  /** The store's overlay as last applied (the shim in onUpdate). */
  private overlay: ZoneOverlay | null = null;
  private rereading = false;
  private store: StateStore | null;
  private server!: DnsServer | DnsWorkerPool;
  private heartbeat: NodeJS.Timeout | undefined;
  /** The serial recorded as published by this instance, once every worker served it. */
  private publishedSerial: number | null = null;
  private publishFailing = false;

  private constructor(private readonly opts: DnsRoleOptions) {
    this.store = opts.store;
  }

  static async start(opts: DnsRoleOptions): Promise<DnsRole> {
    const role = new DnsRole(opts);
    const d = opts.config.dns;
    const serverOpts: DnsServerOptions = {
      listen: opts.config.listen.dns,
      logger: opts.logger,
      ...dnsServerOptions(d),
      onServing: (serial) => role.served(serial),
      ...(opts.onQueries ? { onQueries: opts.onQueries } : {}),
    };
    // With more than one worker, cluster workers answer and this process only feeds them zone states.
    const workers = d.workers === 'auto' ? defaultDnsWorkers() : d.workers;
    role.server = workers > 1 ? new DnsWorkerPool({ ...serverOpts, workers }) : new DnsServer(serverOpts);
    if (opts.store) await role.follow(opts.store);
    else if (opts.cached) role.apply(opts.cached, 'disk-cache');
    else throw new Error('DnsRole: needs a store or a cached zone state');
    await role.server.start();
    const every = opts.publicationHeartbeat ?? 10_000;
    if (every > 0) {
      role.heartbeat = setInterval(() => role.recordPublication(), every);
      role.heartbeat.unref();
    }
    opts.logger.info(
      { listen: role.server.addresses(), serial: role.server.serial, workers },
      'dns server listening',
    );
    return role;
  }

  /**
   * Follows `store` from now on: every newer zone state it holds or announces replaces the served one.
   * With nothing stored yet (no decider has run) and nothing served, the config is served with every
   * record on its primary.
   */
  async follow(store: StateStore): Promise<void> {
    if (this.closed) return;
    this.store = store;
    // Subscribe before reading so no state written in between is missed; older ones are ignored anyway.
    this.unsubscribe = store.subscribe((u) => this.onUpdate(u));
    const stored = await store.readOverlay();
    if (stored) this.onUpdate({ kind: 'full', overlay: stored });
    else if (this.server.serial === null) {
      const now = this.opts.clock.now();
      this.apply(buildZoneState(this.opts.config, {}, nextSerial(0, now), 0, now), 'config');
    }
  }

  /** Where the served zone state came from; null before the first one. */
  get source(): ZoneSource | null {
    return this.latest?.source ?? null;
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
    this.unsubscribe?.();
    await this.server.close();
  }

  /**
   * Temporary shim until the DNS server takes overlays itself: keeps the store's overlay, applies each update
   * to it, and serves the zone state it materializes (O(zone) per change). A delta that does not start at
   * the kept serial (a start between a read and a notification) makes it read the whole overlay again.
   */
  private onUpdate(u: OverlayUpdate): void {
    if (this.closed) return;
    let next: ZoneOverlay | null;
    if (u.kind === 'full') next = this.overlay && this.overlay.serial > u.overlay.serial ? null : u.overlay;
    else if (this.overlay && u.delta.serial <= this.overlay.serial) return;
    else next = this.overlay ? applyDelta(this.overlay, u.delta) : null;
    if (!next) {
      if (u.kind === 'delta') this.reread();
      return;
    }
    this.overlay = next;
    this.apply(materializeZoneState(this.opts.config, next), 'store');
  }

  private reread(): void {
    const store = this.store;
    if (!store || this.rereading) return;
    this.rereading = true;
    store
      .readOverlay()
      .then((o) => {
        this.rereading = false;
        if (o && (!this.overlay || o.serial > this.overlay.serial))
          this.onUpdate({ kind: 'full', overlay: o });
      })
      .catch((err: unknown) => {
        this.rereading = false;
        this.opts.logger.warn({ err }, 'dns: could not read the overlay after a gap');
      });
  }

  private apply(zs: ZoneState, source: ZoneSource): void {
    if (this.closed) return;
    const current = this.server.serial;
    if (current !== null && zs.serial < current) return;
    // The store's copy of the serial already served from the disk cache is applied again, so that it
    // counts as published (and any difference in content is the store's to win); otherwise equal is old.
    if (current !== null && zs.serial === current && (source !== 'store' || this.latest?.source === 'store'))
      return;
    if (source === 'store' && this.latest?.source === 'disk-cache')
      this.opts.logger.info(
        { serial: zs.serial, cachedSerial: current },
        'dns: following the store again; no longer serving the disk cache',
      );
    // Set first: a single in-process server acknowledges (served) synchronously inside setZoneState.
    const previous = this.latest;
    this.latest = { zs, source };
    const res = this.server.setZoneState(zs);
    if (!res.ok) {
      this.latest = previous;
      this.opts.logger.error(
        { serial: zs.serial, source, error: res.error },
        'dns: new zone state rejected; still serving the previous one',
      );
    }
  }

  /** Every worker answers from `serial` now: that moment is what publishedAt means for this target. */
  private served(serial: number): void {
    const latest = this.latest;
    if (this.closed || !latest || latest.zs.serial !== serial) return;
    this.opts.logger.debug({ serial }, 'dns: serving new zone state');
    this.opts.onServing?.(latest.zs, latest.source);
    if (latest.source !== 'store') return;
    void this.opts.cache?.save(latest.zs);
    this.publishedSerial = serial;
    this.recordPublication();
  }

  private recordPublication(): void {
    const serial = this.publishedSerial;
    const store = this.store;
    if (this.closed || serial === null || !store) return;
    store
      .recordPublication({ target: 'dns', instance: this.opts.instance, serial, at: this.opts.clock.now() })
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
}
