/**
 * What only the leading decider runs: provider sync (Route 53, Cloudflare) and webhook notifications.
 * The notifier lives as long as the process; a provider client as long as its target's settings; a
 * SyncManager lives for one term as leader (so a standby never applies plans and a new leader resumes
 * from the stored target statuses), and is rebuilt within the term when a reload changes what it syncs.
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
import { canonicalJson } from '@understudy/config';
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

/** One term as leader: its sync manager (null while none runs: no targets, or a reload swapping it). */
interface Term {
  role: DeciderRole;
  sync: SyncManager | null;
  starting: Promise<void> | undefined;
  ended: boolean;
}

/** What a sync manager reads from the config: a change to any of it takes a new one. */
const syncInputs = (c: UnderstudyConfig): string =>
  canonicalJson({ targets: c.targets, sync: c.sync, zones: c.zones });
/** A provider client is kept across a reload only when its target and the owner id are unchanged. */
const clientKey = (c: UnderstudyConfig, name: string): string | null => {
  const t = c.targets.find((x) => x.name === name);
  return t ? canonicalJson({ t, owner: c.sync.ownerId }) : null;
};

/** Provider sync and notifications, attached to whichever DeciderRole leads in this process. */
export class LeaderServices {
  private notifier: Notifier;
  private config: UnderstudyConfig;
  private clients: DnsProvider[];
  private term: Term | null = null;

  constructor(private readonly opts: LeaderServicesOptions) {
    this.config = opts.config;
    this.clients = opts.providers;
    this.notifier = this.newNotifier(opts.config);
  }

  private newNotifier(config: UnderstudyConfig): Notifier {
    const { logger, clock, random, metrics } = this.opts;
    return new Notifier({
      webhooks: config.webhooks,
      logger: logger.child({ component: 'webhooks' }),
      clock,
      random,
      metrics,
    });
  }

  /** New webhooks take the next events; the old notifier gets its close bound to send what it queued. */
  private swapWebhooks(config: UnderstudyConfig): void {
    if (canonicalJson(config.webhooks) === canonicalJson(this.config.webhooks)) return;
    const old = this.notifier;
    this.notifier = this.newNotifier(config);
    old.close().catch((err: unknown) => this.opts.logger.warn({ err }, 'webhooks: closing failed'));
  }

  /** One client per configured target, in config order. */
  get providers(): DnsProvider[] {
    return this.clients;
  }

  /** For DeciderRoleOptions.attach. */
  readonly attach = (role: DeciderRole): LeaderAttachment => {
    const log = this.opts.logger;
    const term: Term = { role, sync: null, starting: undefined, ended: false };
    this.term = term;
    this.startSync(term);
    const extra = this.opts.perTerm?.(role);
    return {
      onOutput: (out) => {
        this.notifier.notify(out.events);
        // The provider plan diffs whole zones: materialized (once per serial) only when sync runs.
        if (out.delta && term.sync) term.sync.notify(role.engine.zoneState);
      },
      close: async () => {
        term.ended = true;
        await extra?.close().catch((err: unknown) => log.warn({ err }, 'leader services: closing failed'));
        if (this.term === term) this.term = null;
        await this.stopSync(term);
      },
    };
  };

  /**
   * A reload (issue 13 §2): `applyDecider` hands the decider the new config. When the targets, the sync
   * settings or the zones changed, this term's sync stops first (in-flight applies finish, no plan mixes
   * old and new config), the decider applies, and a new sync starts on the new zone state with a client
   * per new or changed target; clients of removed or changed targets close. The lease is never touched.
   */
  async applyConfig(config: UnderstudyConfig, applyDecider: () => Promise<void>): Promise<void> {
    if (syncInputs(config) === syncInputs(this.config)) {
      await applyDecider();
      this.swapWebhooks(config);
      this.config = config;
      return;
    }
    if (this.term) await this.stopSync(this.term);
    try {
      await applyDecider();
      this.swapWebhooks(config);
      // Only after the decider took it: one that refused the config keeps the old one, and so does sync.
      await this.swapConfig(config).catch((err: unknown) => {
        throw new Error(`provider sync keeps the previous targets: ${(err as Error).message}`, {
          cause: err,
        });
      });
    } finally {
      // The term now leading: this one, or one that began during the reload (its sync used the old config).
      const now = this.term;
      if (now && !now.ended) {
        if (now.sync) await this.stopSync(now);
        this.startSync(now);
        now.sync?.notify(now.role.engine.zoneState);
      }
    }
  }

  /** The sync manager of the current term, if this process leads and has targets. */
  get sync(): SyncManager | null {
    return this.term?.sync ?? null;
  }

  statuses(): TargetSyncStatus[] {
    return this.sync?.statuses() ?? [];
  }

  /** Apply one target's current plan now, even when unsafe (the dashboard's "force plan"). */
  async force(target: string): Promise<SyncResult[]> {
    const sync = this.sync;
    if (!sync) throw new Error('provider sync runs only on the leading decider with targets configured');
    return sync.force(target);
  }

  async close(): Promise<void> {
    await this.notifier.close();
    for (const p of this.clients) await p.close().catch(() => undefined);
  }

  private async swapConfig(config: UnderstudyConfig): Promise<void> {
    const before = this.config;
    const kept = new Map<string, DnsProvider>();
    for (const p of this.clients) {
      const key = clientKey(before, p.name);
      if (key !== null && key === clientKey(config, p.name)) kept.set(p.name, p);
    }
    const wanted = config.targets.filter((t) => !kept.has(t.name));
    const { logger, clock, random } = this.opts;
    const created = await providersFromConfig({ ...config, targets: wanted }, logger, clock, random);
    const byName = new Map([...kept, ...created.map((p) => [p.name, p] as const)]);
    const retired = this.clients.filter((p) => kept.get(p.name) !== p);
    this.clients = config.targets.map((t) => byName.get(t.name)!);
    this.config = config;
    for (const p of retired) await p.close().catch(() => undefined);
    if (retired.length || created.length)
      this.opts.logger.info(
        { added: created.map((p) => p.name), closed: retired.map((p) => p.name) },
        'sync: reload rebuilt provider clients',
      );
  }

  private startSync(term: Term): void {
    if (this.clients.length === 0) return;
    const { role } = term;
    const log = this.opts.logger;
    const m = syncMetrics(this.opts.metrics);
    const sync = new SyncManager({
      providers: this.clients,
      config: this.config,
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
    term.sync = sync;
    // Zone states notified before start() finishes are kept: start() syncs the latest.
    term.starting = sync.start().catch((err: unknown) => log.error({ err }, 'sync: could not start'));
  }

  /** Stops the term's sync: timers off, in-flight applies awaited. */
  private async stopSync(term: Term): Promise<void> {
    const { sync, starting } = term;
    term.sync = null;
    await starting;
    await sync?.close();
  }
}

export { type SyncResult };
