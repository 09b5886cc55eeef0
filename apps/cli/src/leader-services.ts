/**
 * What only the leading decider runs: provider sync (Route 53, Cloudflare) and webhook notifications.
 * Providers and the notifier live as long as the process; a SyncManager lives for one term as leader,
 * so a standby never applies plans and a new leader resumes from the stored target statuses.
 */
import type {
  Clock,
  DnsProvider,
  Logger,
  Random,
  StateStore,
  TargetSyncStatus,
  UnderstudyConfig,
} from '@understudy/core';
import type { DeciderRole, LeaderAttachment } from '@understudy/decider';
import { Notifier } from '@understudy/notify';
import type { UnderstudyMetrics } from '@understudy/observability';
import { SyncManager, type SyncResult } from '@understudy/sync';
import { syncMetrics } from './metrics-adapters.js';
import { createProviders } from './provider-registry.js';

/** One provider client per configured target (config.targets), through the provider registry. */
export async function providersFromConfig(
  config: UnderstudyConfig,
  logger: Logger,
  clock: Clock,
  random: Random,
): Promise<DnsProvider[]> {
  return createProviders(config.targets, { ownerId: config.sync.ownerId, logger, clock, random });
}

export interface LeaderServicesOptions {
  config: UnderstudyConfig;
  store: StateStore;
  clock: Clock;
  random: Random;
  logger: Logger;
  metrics: UnderstudyMetrics;
  /** Usually `await providersFromConfig(config, ...)`. */
  providers: DnsProvider[];
  /** Something else that runs only while leading (the action relay's consumer), ended with the term. */
  perTerm?: (role: DeciderRole) => { close(): Promise<void> };
}

/** Provider sync and notifications, attached to whichever DeciderRole leads in this process. */
export class LeaderServices {
  readonly providers: DnsProvider[];
  readonly notifier: Notifier;
  private current: SyncManager | null = null;

  constructor(private readonly opts: LeaderServicesOptions) {
    this.providers = opts.providers;
    this.notifier = new Notifier({
      webhooks: opts.config.webhooks,
      logger: opts.logger.child({ component: 'webhooks' }),
      clock: opts.clock,
      random: opts.random,
      metrics: opts.metrics,
    });
  }

  /** For DeciderRoleOptions.attach. */
  readonly attach = (role: DeciderRole): LeaderAttachment => {
    const m = syncMetrics(this.opts.metrics);
    const log = this.opts.logger;
    const sync =
      this.providers.length === 0
        ? null
        : new SyncManager({
            providers: this.providers,
            config: this.opts.config,
            store: this.opts.store,
            clock: this.opts.clock,
            random: this.opts.random,
            logger: log,
            epoch: () => role.epoch,
            onEvent: (e) => {
              if (e.type === 'sync-failed' && e.target) m.error(e.target, 'sync');
              role.raise(e).catch((err: unknown) => log.warn({ err }, 'sync: could not record an event'));
            },
            onPublished: (target, serial, at) => {
              role
                .markPublished(target, serial, at)
                .catch((err: unknown) => log.warn({ err }, 'sync: could not mark a publication'));
            },
          });
    this.current = sync;
    const extra = this.opts.perTerm?.(role);
    // Zone states notified before start() finishes are kept: start() syncs the latest.
    const starting = sync?.start().catch((err: unknown) => log.error({ err }, 'sync: could not start'));
    return {
      onOutput: (out) => {
        this.notifier.notify(out.events);
        // The provider plan diffs whole zones: materialized (once per serial) only when sync runs.
        if (out.delta && sync) sync.notify(role.engine.zoneState);
      },
      close: async () => {
        await extra?.close().catch((err: unknown) => log.warn({ err }, 'leader services: closing failed'));
        if (this.current === sync) this.current = null;
        await starting;
        await sync?.close();
      },
    };
  };

  /** The sync manager of the current term, if this process leads and has targets. */
  get sync(): SyncManager | null {
    return this.current;
  }

  statuses(): TargetSyncStatus[] {
    return this.current?.statuses() ?? [];
  }

  /** Apply one target's current plan now, even when unsafe (the dashboard's "force plan"). */
  async force(target: string): Promise<SyncResult[]> {
    if (!this.current)
      throw new Error('provider sync runs only on the leading decider with targets configured');
    return this.current.force(target);
  }

  async close(): Promise<void> {
    await this.notifier.close();
    for (const p of this.providers) await p.close().catch(() => undefined);
  }
}

export { type SyncResult };
