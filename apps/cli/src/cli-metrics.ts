/** The metric families of one CLI process, with understudy_build_info naming this build and command. */
import { createMetrics, type UnderstudyMetrics } from '@understudy/observability';
import { VERSION } from './version.js';

/** role: the command that runs (run, probe, decider, dns, dashboard). */
export function cliMetrics(role: string): UnderstudyMetrics {
  return createMetrics(undefined, { build: { version: VERSION, role } });
}
