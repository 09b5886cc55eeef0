/** The shapes the assembler works with: what a process is asked to run, and what each role part gives back. */
import type { LoadedConfig } from '@understudy/config';
import type {
  Clock,
  EngineOutput,
  ListenAddress,
  Logger,
  NewEvent,
  Random,
  StatusFilter,
  ZoneOverlay,
} from '@understudy/core';
import type { DashboardActions } from '@understudy/dashboard';
import type { OpsAction, UnderstudyMetrics } from '@understudy/observability';
import type { CloseStack } from './close-stack.js';
import type { ProcessBackend } from './backend.js';

export type RoleName = 'dns' | 'probe' | 'decider' | 'dashboard';

/**
 * The order a reload applies a new config in. DNS first: it must serve the new zones before the decider
 * publishes a serial for them, or secondaries would transfer the old zones under the new serial.
 */
export const RELOAD_ORDER: readonly RoleName[] = ['dns', 'decider', 'probe', 'dashboard'];

/** A role that can take a new config in place (issue 13 §2); one without it needs a restart for the change. */
export interface Reloadable {
  applyConfig(loaded: LoadedConfig): Promise<void>;
}

export interface AssembleHooks {
  /** After each output of this process's decider (while it leads) is persisted. */
  onOutput?: (out: EngineOutput) => void;
  /** When the DNS server starts serving a new overlay (read-only). */
  onServing?: (overlay: ZoneOverlay) => void;
  /** Embedded mode: the only decider stopped deciding (lease lost, or fenced by a newer epoch). */
  onStandDown?: (reason: string) => void;
}

export interface AssembleOptions {
  loaded: LoadedConfig;
  /** The file the config came from: what a reload re-reads. None (the demo's generated config): reload refused. */
  configFile?: string;
  backend: 'memory' | 'redis';
  /** Needed with backend 'redis'. */
  redisUrl?: string;
  roles: ReadonlySet<RoleName>;
  logger: Logger;
  /** Names the process in metrics (understudy_build_info role), lease holders and Redis clients. */
  name: string;
  clock?: Clock;
  random?: Random;
  hooks?: AssembleHooks;
  /** The ops endpoint; null turns it off; absent: listen.http from the config. */
  http?: ListenAddress | null;
  /** The probe role's regions; absent: every region of the config. */
  regions?: string[];
  /** The decider's lease TTL, ms; absent: decider.leaseTtl. */
  leaseTtl?: number;
  /** The DNS role's disk cache (dns.cacheFile, or --cache-file; null = off); used by a DNS-only process over Redis. */
  cacheFile?: string | null;
  /** The dashboard's listen address; absent: listen.dashboard (none: no dashboard). */
  dashboardListen?: ListenAddress | null;
}

/** What the parts share while a process starts. */
export interface AssemblyContext {
  opts: AssembleOptions;
  clock: Clock;
  random: Random;
  stack: CloseStack;
  metrics: UnderstudyMetrics;
  backend: ProcessBackend;
  /** The logger of one role: a child when the process runs several roles. */
  log(role: RoleName): Logger;
  /** The config the process runs now (a reload replaces it). */
  current(): LoadedConfig;
  /** The parts started so far. */
  parts: Map<RoleName, RolePart>;
}

/** One started role, as the assembler sees it. */
export interface RolePart {
  name: RoleName;
  /** The role object itself (DnsRole, DeciderRole or DeciderLeadership, ProbeRole, RunningDashboard). */
  handle(): unknown;
  /** The object a reload hands the new config to (when it is Reloadable). */
  reloadTarget(): unknown;
  /** Undefined: this role does not gate the process's readiness. */
  ready?: () => boolean;
  detail?: () => Record<string, unknown>;
  status?: (filter: StatusFilter) => unknown;
  adminActions?: OpsAction[];
  dashboardActions?: DashboardActions;
  /** Raises an event on the audit timeline, when this process leads; null otherwise. */
  raise?: (event: NewEvent) => Promise<unknown> | null;
  /** The lease holder the dashboard shows. */
  lease?: () => Promise<{ holder: string; epoch: number } | null>;
}
