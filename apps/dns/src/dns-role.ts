/**
 * The DNS role: serves the latest ZoneState from the store, swaps on every newer one, and reports which
 * serial it serves so the decider can compute publishedAt/effectiveBy.
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
import {
  DnsServer,
  DnsWorkerPool,
  defaultDnsWorkers,
  type DnsServerOptions,
  type QueryInfo,
} from '@understudy/dns-server';

export interface DnsRoleOptions {
  config: UnderstudyConfig;
  store: StateStore;
  logger: Logger;
  clock: Clock;
  /** Names this server in publications, e.g. the host name. */
  instance: string;
  onQuery?: (q: QueryInfo) => void;
  onServing?: (zs: ZoneState) => void;
}

export class DnsRole {
  private unsubscribe: (() => void) | undefined;
  private closed = false;

  private constructor(
    private readonly opts: DnsRoleOptions,
    readonly server: DnsServer | DnsWorkerPool,
  ) {}

  static async start(opts: DnsRoleOptions): Promise<DnsRole> {
    const d = opts.config.dns;
    const serverOpts: DnsServerOptions = {
      listen: opts.config.listen.dns,
      logger: opts.logger,
      udpPayloadSize: d.udpPayloadSize,
      tcpIdleTimeoutMs: d.tcpIdleTimeout,
      ...(opts.onQuery ? { onQuery: opts.onQuery } : {}),
    };
    // With more than one worker, cluster workers answer and this process only feeds them zone states.
    const workers = d.workers === 'auto' ? defaultDnsWorkers() : d.workers;
    const server = workers > 1 ? new DnsWorkerPool({ ...serverOpts, workers }) : new DnsServer(serverOpts);
    const role = new DnsRole(opts, server);
    // Subscribe before reading so no state written in between is missed; older ones are ignored anyway.
    role.unsubscribe = opts.store.subscribe((zs) => role.apply(zs));
    const stored = await opts.store.readZoneState();
    // With nothing stored yet (no decider has run), serve the config with every record on its primary.
    role.apply(
      stored ?? buildZoneState(opts.config, {}, nextSerial(0, opts.clock.now()), 0, opts.clock.now()),
      stored !== null,
    );
    await server.start();
    opts.logger.info({ listen: server.addresses(), serial: server.serial, workers }, 'dns server listening');
    return role;
  }

  get ready(): boolean {
    return !this.closed && this.server.serial !== null;
  }

  get serial(): number | null {
    return this.server.serial;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    await this.server.close();
  }

  private apply(zs: ZoneState, publish = true): void {
    if (this.closed) return;
    const current = this.server.serial;
    if (current !== null && zs.serial <= current) return;
    const res = this.server.setZoneState(zs);
    if (!res.ok) {
      this.opts.logger.error(
        { serial: zs.serial, error: res.error },
        'dns: new zone state rejected; still serving the previous one',
      );
      return;
    }
    const at = this.opts.clock.now();
    this.opts.logger.debug({ serial: zs.serial }, 'dns: serving new zone state');
    this.opts.onServing?.(zs);
    if (!publish) return;
    this.opts.store
      .recordPublication({ target: 'dns', instance: this.opts.instance, serial: zs.serial, at })
      .catch((err: unknown) => this.opts.logger.warn({ err }, 'dns: could not record publication'));
  }
}
