/**
 * Leader or hot standby (distributed mode). A standby tries to acquire the lease every `acquireInterval`;
 * once it holds it, it starts a DeciderRole that resumes from the stored state under the new epoch. When
 * the role stands down (lease lost or expired, or a write refused as from a stale epoch) it stops writing at
 * once, and this decider goes back to standing by instead of exiting.
 *
 * Standing by never waits for the old term to end: its bus and role close in the background, each bounded by
 * closeTimeout, because closing a BullMQ worker can wait for Redis indefinitely. A decider that does not
 * lead therefore competes for the lease within one acquireInterval, whatever state its old connections are in.
 */
import type { LeaseGrant, Logger, ResultsBus } from '@understudy/core';
import { DeciderRole, type DeciderRoleOptions } from './decider-role.js';
import type { ConfigUpdate } from './reconfigure.js';

export interface DeciderLeadershipOptions extends Omit<
  DeciderRoleOptions,
  'bus' | 'grant' | 'onStandDown' | 'announce'
> {
  /** A results bus for one term as leader: only the leader consumes, so each term opens and closes one. */
  openBus: () => Promise<ResultsBus>;
  /** How often a standby tries to acquire the lease (ms). */
  acquireInterval: number;
  /** How long each step of ending a term (bus, role) may take before it is left behind (ms). Default 3000. */
  closeTimeout?: number;
  /** Called on every change of role. */
  onChange?: (leading: boolean, detail: { epoch?: number; reason?: string }) => void;
}

interface Term {
  grant: LeaseGrant;
  bus: ResultsBus | null;
  role: DeciderRole | null;
  /** The role stood down while it was starting. */
  down: string | null;
}

const monotonic = (): number => performance.now();

export class DeciderLeadership {
  private term: Term | null = null;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** The acquisition under way, if any; close() waits for it. */
  private attempting: Promise<void> | null = null;
  /** Terms ending in the background. */
  private readonly ending = new Set<Promise<void>>();
  /** Monotonic time the last acquisition attempt finished (or the start). */
  private lastAttempt = monotonic();
  private lastError: string | null = null;
  private readonly log: Logger;
  private readonly closeTimeout: number;

  private constructor(private opts: DeciderLeadershipOptions) {
    this.log = opts.logger;
    this.closeTimeout = opts.closeTimeout ?? 3_000;
  }

  static start(opts: DeciderLeadershipOptions): DeciderLeadership {
    const l = new DeciderLeadership(opts);
    l.log.info({ acquireInterval: opts.acquireInterval }, 'decider: standing by for the lease');
    l.schedule(0);
    return l;
  }

  /** The role while this decider leads, else null. */
  get role(): DeciderRole | null {
    return this.term?.role?.ready ? this.term.role : null;
  }

  get leading(): boolean {
    return this.role !== null;
  }

  /**
   * Leading, or able to lead: a standby whose acquisition attempts keep running on schedule. Whether the
   * lease backend is reachable is for the caller to add (readiness).
   */
  get competing(): boolean {
    if (this.closed) return false;
    if (this.term) return true; // leading, or starting to
    const late = 2 * this.opts.acquireInterval + this.closeTimeout;
    return this.attempting !== null || monotonic() - this.lastAttempt < late;
  }

  get epoch(): number | null {
    return this.role?.engine.currentEpoch ?? null;
  }

  /** The last error of an acquisition attempt (Redis down, say), cleared by the next success. */
  get error(): string | null {
    return this.lastError;
  }

  /**
   * Reload (issue 13): the next term starts with this config, and the term under way (if any) takes it as
   * a diff (DeciderRole.applyConfig). A term still starting picks it up once started (attempt()).
   */
  async applyConfig(loaded: ConfigUpdate): Promise<void> {
    this.opts = { ...this.opts, config: loaded.config, configHash: loaded.hash };
    await this.term?.role?.applyConfig(loaded);
  }

  /** Bounded: every step that needs Redis gives up after closeTimeout. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    if (this.attempting) await this.bounded(this.attempting, 'the lease attempt under way');
    const term = this.term;
    this.term = null;
    // A clean stop releases the lease, so the standby takes over at once instead of after the TTL.
    if (term) await this.endTerm(term);
    await this.bounded(Promise.all(this.ending), 'ending earlier terms');
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.attempting) return this.schedule(this.opts.acquireInterval);
      const attempt = this.attempt().finally(() => {
        this.attempting = null;
        this.lastAttempt = monotonic();
        if (!this.term) this.schedule(this.opts.acquireInterval);
      });
      this.attempting = attempt;
    }, ms);
    this.timer.unref();
  }

  private async attempt(): Promise<void> {
    if (this.closed || this.term) return;
    let grant: LeaseGrant | null;
    try {
      grant = await this.opts.lease.acquire();
      this.lastError = null;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (msg !== this.lastError) this.log.warn({ err }, 'decider: could not try the lease');
      this.lastError = msg;
      return;
    }
    if (!grant || this.closed) {
      if (grant) await this.opts.lease.release().catch(() => undefined);
      return;
    }
    const term: Term = { grant, bus: null, role: null, down: null };
    this.term = term;
    const opts = this.opts;
    try {
      term.bus = await this.opts.openBus();
      term.role = await DeciderRole.start({
        ...opts,
        bus: term.bus,
        grant,
        announce: true,
        onStandDown: (reason) => this.stepDown(term, reason),
      });
      // A reload landed while the role was starting: it takes that config now.
      if (this.opts !== opts && this.opts.configHash !== undefined)
        await term.role.applyConfig({ config: this.opts.config, hash: this.opts.configHash });
    } catch (err) {
      this.log.error({ err, epoch: grant.epoch }, 'decider: could not start leading; standing by');
      if (this.term === term) this.term = null;
      // Awaited (bounded): no other term can start meanwhile, so releasing the lease is ours to do.
      await this.endTerm(term);
      if (!term.role) await this.opts.lease.release().catch(() => undefined);
      return;
    }
    if (term.down !== null) return; // stood down while starting; stepDown ended the term
    if (this.closed) {
      // close() stopped waiting for this attempt: the term it may not have seen ends here.
      await this.endTerm(term);
      return;
    }
    this.log.info({ epoch: grant.epoch, holder: grant.holder }, 'decider: leading');
    this.opts.onChange?.(true, { epoch: grant.epoch });
  }

  /** Called from inside the role's queue: the term ends in the background and the standby competes at once. */
  private stepDown(term: Term, reason: string): void {
    if (term.down !== null) return;
    term.down = reason;
    this.log.warn({ epoch: term.grant.epoch, reason }, 'decider: no longer the leader; standing by');
    this.opts.onChange?.(false, { epoch: term.grant.epoch, reason });
    if (this.term === term) this.term = null;
    const ending = this.endTerm(term).finally(() => this.ending.delete(ending));
    this.ending.add(ending);
    if (!this.term) this.schedule(this.opts.acquireInterval);
  }

  private async endTerm(term: Term): Promise<void> {
    // The bus first: a standby must not take results off the queue that the new leader needs.
    if (term.bus) await this.bounded(term.bus.close(), 'closing the results bus');
    if (term.role) await this.bounded(term.role.close(), 'closing the decider role');
  }

  /** Waits for `p` at most closeTimeout; past that it is left to finish (or fail) on its own. */
  private async bounded(p: Promise<unknown>, what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.closeTimeout);
    });
    const settled = p.then(
      () => false,
      (err: unknown) => {
        this.log.warn({ err }, `decider: ${what} failed`);
        return false;
      },
    );
    if (await Promise.race([settled, timedOut])) {
      this.log.warn({ ms: this.closeTimeout }, `decider: ${what} did not finish in time; left behind`);
    }
    clearTimeout(timer);
  }
}
