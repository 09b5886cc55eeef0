/**
 * The probe role: one ProbeRunner per region this process probes for, each publishing its batches to the
 * results bus. In embedded mode one process simulates every region.
 *
 * A region that has published nothing for a heartbeat period publishes an empty batch: the decider learns
 * the region (and its config hash) is alive even when it has no checks due, and staleness means silence.
 * Every batch, heartbeats included, carries the process's own health (event-loop delay, descriptors), so
 * the decider can stop counting a region whose probe cannot be trusted (issue #10).
 */
import {
  probedChecks,
  sameJson,
  type Clock,
  type Logger,
  type Random,
  type ResultBatch,
  type ResultsBus,
  type UnderstudyConfig,
} from '@understudy/core';
import { ProbeHealthMonitor, ProbeRunner, type ProbeRunnerStats } from '@understudy/checks';

export interface ProbeRoleOptions {
  config: UnderstudyConfig;
  regions: string[];
  bus: ResultsBus;
  logger: Logger;
  clock: Clock;
  random: Random;
  /** Unique per process start, so a restarted probe's sequence numbers cannot collide with its past. */
  probeId: string;
  configHash: string;
  /**
   * Empty-batch heartbeat period (ms). Default: probe.flushInterval, or without one the shortest check
   * interval of the region (at least 1 s; 10 s for a region without checks).
   */
  heartbeatInterval?: number;
}

interface Region {
  name: string;
  probeId: string;
  runner: ProbeRunner;
  /** When this region last published anything (results or a heartbeat). */
  sent: { at: number };
  timer?: NodeJS.Timeout;
}

/** What a reload hands a role: LoadedConfig from @understudy/config fits. */
export interface ConfigUpdate {
  config: UnderstudyConfig;
  hash: string;
}

export class ProbeRole {
  private closed = false;
  /** The config in force and its hash (stamped on heartbeats): the one started with, then each reload's. */
  private config: UnderstudyConfig;
  private configHash: string;

  private constructor(
    private readonly regions: Region[],
    private readonly opts: ProbeRoleOptions,
    private readonly monitor: ProbeHealthMonitor,
  ) {
    this.config = opts.config;
    this.configHash = opts.configHash;
  }

  get runners(): ProbeRunner[] {
    return this.regions.map((r) => r.runner);
  }

  static start(opts: ProbeRoleOptions): ProbeRole {
    const unknown = opts.regions.filter((r) => !opts.config.regions.includes(r));
    if (unknown.length)
      throw new Error(
        `probe: region(s) ${unknown.join(', ')} are not declared in the config (regions: ${opts.config.regions.join(', ')})`,
      );
    const monitor = new ProbeHealthMonitor(opts.config.probe.health);
    const regions: Region[] = opts.regions.map((name) => {
      const probeId = `${opts.probeId}/${name}`;
      const sent = { at: 0 };
      const runner = new ProbeRunner({
        region: name,
        probeId,
        checks: opts.config.checks,
        publish: async (batch) => {
          await opts.bus.publish(batch);
          sent.at = opts.clock.now();
        },
        flushInterval: opts.config.probe.flushInterval,
        jitter: opts.config.probe.jitter,
        clock: opts.clock,
        random: opts.random,
        logger: opts.logger.child({ region: name }),
        configHash: opts.configHash,
        health: opts.config.probe.health,
        monitor,
      });
      return { name, probeId, runner, sent };
    });
    const role = new ProbeRole(regions, opts, monitor);
    for (const r of regions) {
      r.runner.start();
      const every = opts.heartbeatInterval ?? role.defaultHeartbeat(r.name);
      r.timer = setInterval(() => void role.heartbeat(r, every), every);
      r.timer.unref();
      void role.heartbeat(r, every); // announce the region (and config hash) at once
    }
    opts.logger.info({ regions: opts.regions, checks: opts.config.checks.length }, 'probes started');
    return role;
  }

  /**
   * Reload (issue 13): every region's runner takes the new checks (unchanged ones keep their schedule,
   * removed ones stop, changed and new ones start), and batches carry the new config hash. The regions this
   * process probes for and the probe settings (flush, jitter, health) stay until a restart.
   */
  applyConfig(loaded: ConfigUpdate): Promise<void> {
    if (this.closed) return Promise.resolve();
    const before = this.config;
    const after = loaded.config;
    this.config = after;
    this.configHash = loaded.hash;
    for (const r of this.regions) {
      const report = r.runner.reconfigure(after.checks, loaded.hash);
      this.opts.logger.info({ region: r.name, ...report }, 'probe: checks rescheduled for the new config');
    }
    const gone = this.regions.map((r) => r.name).filter((r) => !after.regions.includes(r));
    if (gone.length)
      this.opts.logger.warn(
        { regions: gone },
        'probe: regions this process probes for are no longer in the config; restart it with others',
      );
    if (!sameJson(before.probe, after.probe))
      this.opts.logger.warn({ settings: ['probe'] }, 'probe: these settings take effect at the next restart');
    return Promise.resolve();
  }

  stats(): Record<string, ProbeRunnerStats> {
    return Object.fromEntries(this.regions.map((r) => [r.name, r.runner.stats()]));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const r of this.regions) clearInterval(r.timer);
    await Promise.all(this.regions.map((r) => r.runner.close()));
    this.monitor.close();
  }

  private defaultHeartbeat(region: string): number {
    const flush = this.config.probe.flushInterval;
    if (flush > 0) return flush;
    const intervals = probedChecks(this.config.checks, region).map((c) => c.interval);
    return intervals.length ? Math.max(1_000, Math.min(...intervals)) : 10_000;
  }

  private async heartbeat(r: Region, every: number): Promise<void> {
    const now = this.opts.clock.now();
    // Results (or a heartbeat) went out recently, or results are waiting to go: nothing to add.
    if (this.closed || now - r.sent.at < every || r.runner.stats().pending > 0) return;
    const batch: ResultBatch = {
      probeId: r.probeId,
      region: r.name,
      sentAt: now,
      configHash: this.configHash,
      results: [],
      health: this.monitor.snapshot(0),
    };
    try {
      await this.opts.bus.publish(batch);
      r.sent.at = now;
    } catch (err) {
      // The runner warns about the outage (rate-limited); this would only repeat it.
      this.opts.logger.debug({ err, region: r.name }, 'probe: heartbeat not published');
    }
  }
}
