/**
 * The probe role: one ProbeRunner per region this process probes for, each publishing its batches to the
 * results bus. In embedded mode one process simulates every region.
 */
import type { Clock, Logger, Random, ResultsBus, UnderstudyConfig } from '@understudy/core';
import { ProbeRunner } from '@understudy/checks';

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
}

export class ProbeRole {
  private constructor(readonly runners: ProbeRunner[]) {}

  static start(opts: ProbeRoleOptions): ProbeRole {
    const unknown = opts.regions.filter((r) => !opts.config.regions.includes(r));
    if (unknown.length)
      throw new Error(
        `probe: region(s) ${unknown.join(', ')} are not declared in the config (regions: ${opts.config.regions.join(', ')})`,
      );
    const runners = opts.regions.map(
      (region) =>
        new ProbeRunner({
          region,
          probeId: `${opts.probeId}/${region}`,
          checks: opts.config.checks,
          publish: (batch) => opts.bus.publish(batch),
          flushInterval: opts.config.probe.flushInterval,
          jitter: opts.config.probe.jitter,
          clock: opts.clock,
          random: opts.random,
          logger: opts.logger.child({ region }),
          configHash: opts.configHash,
        }),
    );
    for (const r of runners) r.start();
    opts.logger.info({ regions: opts.regions, checks: opts.config.checks.length }, 'probes started');
    return new ProbeRole(runners);
  }

  async close(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.close()));
  }
}
