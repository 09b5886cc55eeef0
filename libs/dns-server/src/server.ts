/** The authoritative DNS server: UDP + TCP listeners over one swappable snapshot. */
import type {
  DnsGeoConfig,
  DnsIdentityConfig,
  ListenAddress,
  Logger,
  OverlayUpdate,
  ZoneOverlay,
  ZoneState,
} from '@understudy/core';
import { DEFAULT_UDP_PAYLOAD } from './constants.js';
import { MAX_QUERY } from './query-parse.js';
import { QueryCounter } from './query-counter.js';
import type { QueryCount } from './query-counter.js';
import { LatencySampler } from './latency-sampler.js';
import type { LatencySamples } from './latency-sampler.js';
import { ResponseRateLimiter } from './rate-limit.js';
import { IoGuard } from './rate-limited-warning.js';
import { Responder } from './responder.js';
import { ServedZones } from './served-zones.js';
import { wallMs, type PublishTrace } from './publish-trace.js';
import type { ApplyInfo } from './served-zones.js';
import { TcpEndpoint } from './tcp-endpoint.js';
import type { TcpLimitCounts } from './tcp-endpoint.js';
import { UdpEndpoint } from './udp-endpoint.js';
import type { UdpIo } from './udp-bind-mode.js';
import type { ZoneBase } from './zone-base.js';
import { ensureLocator } from './geo-db.js';
import { TransferJournal } from './transfer-journal.js';
import { TransferServer } from './transfer-server.js';
import type { TransferInfo, TransferSettings } from './transfer-server.js';
import { trackUpdate } from './transfer-tracking.js';

export interface DnsServerOptions {
  listen: ListenAddress[];
  logger: Logger;
  /** EDNS UDP payload size we advertise and honour (512..65535, default 1232). */
  udpPayloadSize?: number;
  /** Idle TCP connections are destroyed after this long (default 10 s, RFC 7766 §6.2.3). */
  tcpIdleTimeoutMs?: number;
  /** Concurrent TCP connections per listener (default 256); past it the least recently active goes. */
  tcpMaxConnections?: number;
  /** Hostile-traffic limits (issue #10); see DnsAbuseLimits. */
  tcpFrameTimeoutMs?: number;
  tcpMaxConnectionsPerClient?: number;
  rateLimit?: RateLimitSettings;
  /** NSID and CHAOS TXT identity answers (issue 15); absent = all off. */
  identity?: DnsIdentityConfig;
  /**
   * Called with a serial once queries reaching the sockets are answered from it: right after a
   * successful setZoneState on a started server, or when start() has bound every socket. DnsWorkerPool
   * calls it once every live worker serves the serial, with `agoMs`: for how long the last of them has
   * (its acknowledgement may be handled later than it was sent); a server answering itself passes 0.
   */
  onServing?: (serial: number, agoMs: number) => void;
  /**
   * Metrics hook: called after every accepted setBase/setZoneState ('base') and applyUpdate ('delta' or
   * 'full'), with the failover records that changed, the answer bodies encoded and the time it took.
   */
  onApplied?: (info: ApplyInfo) => void;
  /**
   * Issue 11: where an overlay update's time went, once it is served (by every worker of a pool): the
   * publish breakdown bench:scale prints and the dns_publish_stage_seconds metric.
   */
  onPublished?: (trace: PublishTrace) => void;
  /**
   * Metrics hook: the queries answered since the previous call, per transport and rcode, at most once
   * per reportIntervalMs (and a last time on close). Never called with an empty list. `latency` holds
   * the answer times of the UDP queries sampled in the same interval (absent when none was).
   */
  onQueries?: (counts: QueryCount[], latency?: LatencySamples) => void;
  /** With onQueries: time one UDP query in this many (default 64). */
  latencySampleEvery?: number;
  /** How often onQueries gets the counts (default 1000 ms). */
  reportIntervalMs?: number;
  /** Zone transfers (issue 15): absent = every AXFR/IXFR refused. */
  transfer?: TransferSettings;
  /** Metrics hook: every transfer request served or refused. */
  onTransfer?: (info: TransferInfo) => void;
  /** dns.udpIo: node:dgram or the batched-I/O addon (udp-bind-mode.ts; default auto). */
  udpIo?: UdpIo;
  /** dns.geo (issue 14 part 3): ECS and the location database; absent = ecs on, the bundled database. */
  geo?: DnsGeoConfig;
}

/** UDP response-rate limiting; responsesPerSecond 0 (the default) turns it off. */
export interface RateLimitSettings {
  responsesPerSecond: number;
  slip: number;
  ipv4PrefixLength: number;
  ipv6PrefixLength: number;
}

export const DNS_LIMIT_DEFAULTS = {
  tcpIdleTimeoutMs: 10_000,
  /** A query fits one segment; 3 s covers two retransmissions of a split one. */
  tcpFrameTimeoutMs: 3000,
  tcpMaxConnections: 256,
  /** A resolver needs a few connections; 16 leaves room for a NAT of several. */
  tcpMaxConnectionsPerClient: 16,
  rateLimit: { responsesPerSecond: 0, slip: 2, ipv4PrefixLength: 24, ipv6PrefixLength: 56 },
} as const;

/** What the abuse limits did since start, summed over listeners. */
export interface AbuseCounts {
  tcp: TcpLimitCounts;
  /** UDP replies the rate limiter dropped, and sent truncated. */
  rateLimited: { dropped: number; slipped: number };
}

export type SetZoneStateResult = { ok: true; serial: number } | { ok: false; error: string };

export interface BoundAddress {
  address: string;
  family: string;
  port: number;
}

/** Random ports: a free UDP port may be taken for TCP; try again with another. */
const BIND_ATTEMPTS = 8;

export class DnsServer {
  private readonly responder: Responder;
  private readonly logger: Logger;
  private readonly guard: IoGuard;
  private readonly counter: QueryCounter | undefined;
  private readonly sampler: LatencySampler | undefined;
  private readonly limiter: ResponseRateLimiter | undefined;
  private reportTimer: NodeJS.Timeout | undefined;
  private udp: UdpEndpoint[] = [];
  private tcp: TcpEndpoint[] = [];
  private started = false;
  private listening = false;
  private served: ServedZones | null = null;
  private readonly journal: TransferJournal;
  private readonly transfers: TransferServer | undefined;

  constructor(private readonly opts: DnsServerOptions) {
    const size = opts.udpPayloadSize ?? DEFAULT_UDP_PAYLOAD;
    if (!Number.isInteger(size) || size < 512 || size > 65535)
      throw new RangeError(`udpPayloadSize must be an integer in 512..65535, got ${size}`);
    this.logger = opts.logger;
    this.guard = new IoGuard(opts.logger);
    this.counter = opts.onQueries ? new QueryCounter() : undefined;
    this.sampler = opts.onQueries ? new LatencySampler(opts.latencySampleEvery ?? 64) : undefined;
    this.responder = new Responder(size, opts.logger, this.counter, opts.identity);
    this.responder.fast.ecs = opts.geo?.ecs ?? true;
    const rl = opts.rateLimit;
    this.limiter = rl && rl.responsesPerSecond > 0 ? new ResponseRateLimiter(rl) : undefined;
    this.journal = new TransferJournal(opts.transfer?.journalSize ?? 1000);
    this.transfers = opts.transfer
      ? new TransferServer(
          opts.transfer,
          () => this.responder.snapshot,
          this.journal,
          opts.logger,
          opts.onTransfer,
        )
      : undefined;
  }

  /** The serial being served, or null before the first accepted zone state. */
  get serial(): number | null {
    return this.responder.snapshot?.serial ?? null;
  }

  /**
   * Builds and validates a whole ZoneState (a base without failover slots) and swaps it in; on failure
   * the previous snapshot keeps serving. Later updates can change only its serial.
   */
  setZoneState(zs: ZoneState): SetZoneStateResult {
    return this.install(zs?.serial, () => ServedZones.build(zs));
  }

  /** Builds the static base under an overlay (O(zone), once per config) and swaps it in whole. */
  setBase(base: ZoneBase, overlay: ZoneOverlay): SetZoneStateResult {
    return this.install(overlay?.serial, () => ServedZones.fromBase(base, overlay));
  }

  /**
   * Applies an overlay update in time proportional to the change, atomically: on any error (a delta
   * not based on the served serial, a bad value) nothing changes and the error says why.
   */
  applyUpdate(u: OverlayUpdate): SetZoneStateResult {
    const t0 = performance.now();
    const served = this.served;
    try {
      if (!served) throw new Error('no base is served yet: call setBase first');
      const journaled = this.transfers ? trackUpdate(this.journal, served, u) : undefined;
      return this.updated(u, t0, served.apply(u), journaled);
    } catch (err) {
      return this.updateFailed(u, err);
    }
  }

  /**
   * applyUpdate, with the re-encoding cut into slices of about 2 ms and `pause()` awaited between them
   * (ServedZones.applySliced): queries are answered from the previous answers meanwhile, and the swap is
   * still one synchronous step. The caller must not change this server until it settles.
   */
  async applyUpdateSliced(u: OverlayUpdate, pause: () => Promise<void>): Promise<SetZoneStateResult> {
    const t0 = performance.now();
    const served = this.served;
    try {
      if (!served) throw new Error('no base is served yet: call setBase first');
      // Between slices the model is unchanged, so the journal reads the records before here, as above.
      const journaled = this.transfers ? trackUpdate(this.journal, served, u) : undefined;
      return this.updated(u, t0, await served.applySliced(u, pause), journaled);
    } catch (err) {
      return this.updateFailed(u, err);
    }
  }

  /** Issue 11: ServedZones.rehearse (nothing served changes); 0 without a base. */
  rehearse(pause: () => Promise<void>, stop: () => boolean): Promise<number> {
    return this.served ? this.served.rehearse(pause, stop) : Promise.resolve(0);
  }

  private updated(
    u: OverlayUpdate,
    t0: number,
    r: Omit<ApplyInfo, 'kind' | 'ms'>,
    journaled: (() => void) | undefined,
  ): SetZoneStateResult {
    journaled?.();
    const ms = performance.now() - t0;
    this.applied({ ...r, kind: u.kind, ms });
    if (this.listening) this.serving(r.serial);
    if (this.listening && r.stages && this.opts.onPublished) {
      // In-process: no IPC; the trace has this server as its one worker.
      const servedAt = wallMs();
      const trace = {
        serial: r.serial,
        sentAt: servedAt - ms,
        servedAt,
        workers: [{ ipcMs: 0, queueMs: 0, ...r.stages, ackMs: 0 }],
      };
      try {
        this.opts.onPublished(trace);
      } catch (err) {
        this.logger.warn({ err }, 'dns: onPublished hook threw');
      }
    }
    return { ok: true, serial: r.serial };
  }

  private updateFailed(u: OverlayUpdate, err: unknown): SetZoneStateResult {
    const error = err instanceof Error ? err.message : String(err);
    this.logger.error({ kind: u?.kind, error }, 'dns: overlay update rejected; keeping what was served');
    return { ok: false, error };
  }

  private install(serialForLog: unknown, build: () => ServedZones): SetZoneStateResult {
    const t0 = performance.now();
    let serial: number;
    try {
      const served = build();
      // Issue 14 part 3: the database is read once, by the first base with a steered record.
      if (served.steered) ensureLocator(this.responder.fast.steer, this.opts.geo);
      this.journal.resetBase(served.snapshot.serial);
      this.served = served;
      this.responder.snapshot = served.snapshot;
      serial = served.snapshot.serial;
      const t = served.snapshot.table;
      this.applied({
        serial,
        kind: 'base',
        names: served.slotSpecs.size,
        bodies: t.encoded,
        ms: performance.now() - t0,
      });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.logger.error(
        { serial: serialForLog, error },
        'dns: zone state rejected; keeping the previous snapshot',
      );
      return { ok: false, error };
    }
    if (this.listening) this.serving(serial);
    return { ok: true, serial };
  }

  private applied(info: ApplyInfo): void {
    try {
      this.opts.onApplied?.(info);
    } catch (err) {
      this.logger.warn({ err }, 'dns: onApplied hook threw');
    }
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('DnsServer already started');
    this.started = true;
    try {
      for (const l of this.opts.listen) await this.bindPair(l);
    } catch (err) {
      await this.close();
      throw err;
    }
    this.listening = true;
    if (this.counter) {
      this.reportTimer = setInterval(() => this.reportQueries(), this.opts.reportIntervalMs ?? 1000);
      this.reportTimer.unref();
    }
    const serial = this.serial;
    if (serial !== null) this.serving(serial);
  }

  private async bindPair(l: ListenAddress): Promise<void> {
    const d = DNS_LIMIT_DEFAULTS;
    const o = this.opts;
    const limits = {
      idleTimeoutMs: o.tcpIdleTimeoutMs ?? d.tcpIdleTimeoutMs,
      frameTimeoutMs: o.tcpFrameTimeoutMs ?? d.tcpFrameTimeoutMs,
      maxConnections: o.tcpMaxConnections ?? d.tcpMaxConnections,
      maxConnectionsPerClient: o.tcpMaxConnectionsPerClient ?? d.tcpMaxConnectionsPerClient,
      maxQueryBytes: MAX_QUERY,
      maxQueuedBytes: 256 * 1024,
    };
    for (let attempt = 1; ; attempt++) {
      const udp = new UdpEndpoint(l.host, this.responder, this.guard, this.sampler, this.limiter, {
        io: o.udpIo ?? 'auto',
        logger: this.logger,
      });
      const tcp = new TcpEndpoint(l.host, this.responder, limits, this.guard, this.logger, this.transfers);
      try {
        const port = await udp.bind(l.port);
        await tcp.listen(port);
        this.udp.push(udp);
        this.tcp.push(tcp);
        return;
      } catch (err) {
        await Promise.all([udp.close(), tcp.close()]);
        const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (!(inUse && l.port === 0 && attempt < BIND_ATTEMPTS)) throw err;
      }
    }
  }

  addresses(): { udp: BoundAddress[]; tcp: BoundAddress[] } {
    const udp = this.udp.map((u) => u.address());
    const tcp = this.tcp.flatMap((t) => {
      const a = t.address();
      return a ? [a] : [];
    });
    const plain = (a: BoundAddress): BoundAddress => ({ address: a.address, family: a.family, port: a.port });
    return { udp: udp.map(plain), tcp: tcp.map(plain) };
  }

  abuseCounts(): AbuseCounts {
    const tcp: TcpLimitCounts = { overClientCap: 0, evicted: 0, idle: 0, frameTimeout: 0, oversized: 0 };
    for (const t of this.tcp)
      for (const k of Object.keys(tcp) as (keyof TcpLimitCounts)[]) tcp[k] += t.closedBy[k];
    const l = this.limiter;
    return { tcp, rateLimited: { dropped: l?.dropped ?? 0, slipped: l?.slipped ?? 0 } };
  }

  async close(): Promise<void> {
    this.listening = false;
    clearInterval(this.reportTimer);
    this.reportTimer = undefined;
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = [];
    this.tcp = [];
    await Promise.all([...udp.map((u) => u.close()), ...tcp.map((t) => t.close())]);
    this.reportQueries();
  }

  private serving(serial: number): void {
    try {
      this.opts.onServing?.(serial, 0);
    } catch (err) {
      this.logger.warn({ err }, 'dns: onServing hook threw');
    }
  }

  private reportQueries(): void {
    const counts = this.counter?.drain() ?? [];
    const latency = this.sampler?.drain() ?? undefined;
    if (counts.length === 0) return;
    try {
      this.opts.onQueries?.(counts, latency);
    } catch (err) {
      this.logger.warn({ err }, 'dns: onQueries hook threw');
    }
  }
}
