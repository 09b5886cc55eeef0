/**
 * The DNS role: serves the latest ZoneState from the store, swaps on every newer one, and reports which
 * serial it serves (once every DNS worker serves it) so the decider can compute publishedAt/effectiveBy.
 */
import {
  buildZoneState,
  nextSerial,
  type Clock,
  type Logger,
  type StateStore,
  type UnderstudyConfig,
  type ZoneState,
} from '@understudy/core';
import { DnsServer, DnsWorkerPool, defaultDnsWorkers, type DnsServerOptions } from '@understudy/dns-server';

export interface DnsRoleOptions {
  config: UnderstudyConfig;
  store: StateStore;
  logger: Logger;
  clock: Clock;
  /** Names this server in publications, e.g. the host name. */
  instance: string;
  /** Query counts, batched about once a second (for metrics). */
  onQueries?: DnsServerOptions['onQueries'];
  /** A zone state is now answered by every DNS worker. */
  onServing?: (zs: ZoneState) => void;
  /**
   * The served serial is re-recorded this often (ms; 0 = never), so the decider knows this instance is
   * alive and waits for it before calling a change published. Default 10 000.
   */
  publicationHeartbeat?: number;
}

export class DnsRole {
  private unsubscribe: (() => void) | undefined;
  private closed = false;
  /** The last zone state handed to the server, and whether it came from the store (and so is published). */
  private latest: { zs: ZoneState; fromStore: boolean } | null = null;
  private server!: DnsServer | DnsWorkerPool;
  private heartbeat: NodeJS.Timeout | undefined;
  /** The serial recorded as published by this instance, once every worker served it. */
  private publishedSerial: number | null = null;
  private publishFailing = false;

  private constructor(private readonly opts: DnsRoleOptions) {}

  static async start(opts: DnsRoleOptions): Promise<DnsRole> {
    const role = new DnsRole(opts);
    const d = opts.config.dns;
    const serverOpts: DnsServerOptions = {
      listen: opts.config.listen.dns,
      logger: opts.logger,
      udpPayloadSize: d.udpPayloadSize,
      tcpIdleTimeoutMs: d.tcpIdleTimeout,
      onServing: (serial) => role.served(serial),
      ...(opts.onQueries ? { onQueries: opts.onQueries } : {}),
    };
    // With more than one worker, cluster workers answer and this process only feeds them zone states.
    const workers = d.workers === 'auto' ? defaultDnsWorkers() : d.workers;
    role.server = workers > 1 ? new DnsWorkerPool({ ...serverOpts, workers }) : new DnsServer(serverOpts);
    // Subscribe before reading so no state written in between is missed; older ones are ignored anyway.
    role.unsubscribe = opts.store.subscribe((zs) => role.apply(zs, true));
    const stored = await opts.store.readZoneState();
    // With nothing stored yet (no decider has run), serve the config with every record on its primary.
    const now = opts.clock.now();
    role.apply(stored ?? buildZoneState(opts.config, {}, nextSerial(0, now), 0, now), stored !== null);
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

  private apply(zs: ZoneState, fromStore: boolean): void {
    if (this.closed) return;
    const current = this.server.serial;
    if (current !== null && zs.serial <= current) return;
    // Set first: a single in-process server acknowledges (served) synchronously inside setZoneState.
    const previous = this.latest;
    this.latest = { zs, fromStore };
    const res = this.server.setZoneState(zs);
    if (!res.ok) {
      this.latest = previous;
      this.opts.logger.error(
        { serial: zs.serial, error: res.error },
        'dns: new zone state rejected; still serving the previous one',
      );
    }
  }

  /** Every worker answers from `serial` now: that moment is what publishedAt means for this target. */
  private served(serial: number): void {
    const latest = this.latest;
    if (this.closed || !latest || latest.zs.serial !== serial) return;
    this.opts.logger.debug({ serial }, 'dns: serving new zone state');
    this.opts.onServing?.(latest.zs);
    if (!latest.fromStore) return;
    this.publishedSerial = serial;
    this.recordPublication();
  }

  private recordPublication(): void {
    const serial = this.publishedSerial;
    if (this.closed || serial === null) return;
    this.opts.store
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
