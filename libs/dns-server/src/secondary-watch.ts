/**
 * What each zone-transfer secondary serves, checked rather than assumed (issue 15): after a secondary
 * acknowledges a NOTIFY it fetches the change (IXFR/AXFR) on its own schedule, so its SOA is asked until it
 * answers the notified serial (or newer), with a doubling interval for a bounded time; check() asks every
 * secondary once (the DNS role's heartbeat), which also notices a secondary that caught up by refresh or
 * stopped answering. A secondary serves a serial once every zone answers it (or newer).
 */
import { serialLessThan } from './serial.js';
import { querySoaSerial } from './soa-query.js';

/** Per secondary the serial each zone answered; the secondary's serial is the oldest of them. */
export class SecondarySerials {
  private readonly byTarget = new Map<string, Map<string, number>>();

  constructor(private readonly zones: readonly string[]) {}

  /** `target` answered `serial` for `zone`; returns the target's serial now (null until every zone answered). */
  observe(target: string, zone: string, serial: number): number | null {
    let zones = this.byTarget.get(target);
    if (!zones) this.byTarget.set(target, (zones = new Map<string, number>()));
    zones.set(zone, serial);
    return this.serial(target);
  }

  serial(target: string): number | null {
    const zones = this.byTarget.get(target);
    if (!zones || this.zones.some((z) => !zones.has(z))) return null;
    let oldest: number | null = null;
    for (const s of zones.values()) if (oldest === null || serialLessThan(s, oldest)) oldest = s;
    return oldest;
  }
}

export interface SecondaryWatchOptions {
  targets: readonly { host: string; port: number }[];
  zones: readonly string[];
  now: () => number;
  /**
   * The secondary at `address` (host:port) answers `serial` for every zone: when first seen (from a poll
   * after a NOTIFY), and again after every check() it answered in full.
   */
  onServing: (address: string, serial: number, at: number) => void;
  /** Per SOA query. Default 1000 ms. */
  timeoutMs?: number;
  /** First re-ask after a NOTIFY ack (ms), doubling up to pollMaxMs, for at most pollForMs. */
  pollMs?: number;
  pollMaxMs?: number;
  pollForMs?: number;
  /** The query (a real UDP SOA query by default). */
  query?: (host: string, port: number, zone: string, timeoutMs: number) => Promise<number | null>;
}

export class SecondaryWatch {
  private readonly model: SecondarySerials;
  private readonly reported = new Map<string, number>();
  private readonly polls = new Map<string, { timer: NodeJS.Timeout | undefined }>();
  private readonly byAddress: Map<string, { host: string; port: number }>;
  private closed = false;

  constructor(private readonly opts: SecondaryWatchOptions) {
    this.model = new SecondarySerials(opts.zones);
    this.byAddress = new Map(opts.targets.map((t) => [`${t.host}:${t.port}`, t]));
  }

  /** The secondary at `address` acknowledged the NOTIFY of `serial` for `zone`: ask until it serves it. */
  expect(address: string, zone: string, serial: number): void {
    const t = this.byAddress.get(address);
    if (!t || this.closed) return;
    const key = `${address}|${zone}`;
    const poll = { timer: undefined as NodeJS.Timeout | undefined };
    clearTimeout(this.polls.get(key)?.timer);
    this.polls.set(key, poll);
    const until = this.opts.now() + (this.opts.pollForMs ?? 30_000);
    const ask = async (wait: number): Promise<void> => {
      const got = await this.ask(t, zone);
      if (this.polls.get(key) !== poll) return; // replaced by a newer NOTIFY, or closed
      const done = got !== null && !serialLessThan(got, serial);
      if (done || this.opts.now() + wait > until) {
        this.polls.delete(key);
        return;
      }
      poll.timer = setTimeout(() => void ask(Math.min(wait * 2, this.opts.pollMaxMs ?? 2000)), wait);
      poll.timer.unref();
    };
    void ask(this.opts.pollMs ?? 100);
  }

  /** Secondaries (per zone) still being asked after a NOTIFY ack. */
  get polling(): number {
    return this.polls.size;
  }

  /** Asks every secondary for every zone once; reports each that answered them all. */
  async check(): Promise<void> {
    await Promise.all(
      [...this.byAddress].map(async ([address, t]) => {
        const got = await Promise.all(this.opts.zones.map((z) => this.ask(t, z)));
        const serial = this.model.serial(address);
        if (this.closed || got.includes(null) || serial === null) return;
        this.reported.set(address, serial);
        this.opts.onServing(address, serial, this.opts.now());
      }),
    );
  }

  /** One SOA query; a serial newer than the last reported one is reported at once. */
  private async ask(t: { host: string; port: number }, zone: string): Promise<number | null> {
    const query = this.opts.query ?? querySoaSerial;
    const got = await query(t.host, t.port, zone, this.opts.timeoutMs ?? 1000).catch(() => null);
    if (got === null || this.closed) return got;
    const address = `${t.host}:${t.port}`;
    const serial = this.model.observe(address, zone, got);
    const last = this.reported.get(address);
    if (serial !== null && (last === undefined || serialLessThan(last, serial))) {
      this.reported.set(address, serial);
      this.opts.onServing(address, serial, this.opts.now());
    }
    return got;
  }

  close(): void {
    this.closed = true;
    for (const p of this.polls.values()) clearTimeout(p.timer);
    this.polls.clear();
  }
}
