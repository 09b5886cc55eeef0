/**
 * Leader or hot standby (distributed mode). A standby tries to acquire the lease every `acquireInterval`;
 * once it holds it, it starts a DeciderRole that resumes from the stored state under the new epoch. When
 * the role stands down (lease lost, or a write refused as from a stale epoch) it stops writing at once,
 * stops consuming results, and this decider goes back to standing by instead of exiting.
 */
import type { LeaseGrant, Logger, ResultsBus } from '@understudy/core';
import { DeciderRole, type DeciderRoleOptions } from './decider-role.js';

export interface DeciderLeadershipOptions extends Omit<
  DeciderRoleOptions,
  'bus' | 'grant' | 'onStandDown' | 'announce'
> {
  /** A results bus for one term as leader: only the leader consumes, so each term opens and closes one. */
  openBus: () => Promise<ResultsBus>;
  /** How often a standby tries to acquire the lease (ms). */
  acquireInterval: number;
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

export class DeciderLeadership {
  private term: Term | null = null;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Acquisition or step-down under way; close() waits for it. */
  private busy: Promise<void> = Promise.resolve();
  private lastError: string | null = null;
  private readonly log: Logger;

  private constructor(private readonly opts: DeciderLeadershipOptions) {
    this.log = opts.logger;
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

  get epoch(): number | null {
    return this.role?.engine.currentEpoch ?? null;
  }

  /** The last error of an acquisition attempt (Redis down, say), cleared by the next success. */
  get error(): string | null {
    return this.lastError;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    await this.busy;
    const term = this.term;
    this.term = null;
    // A clean stop releases the lease, so the standby takes over at once instead of after the TTL.
    if (term) await this.endTerm(term);
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.busy = this.attempt().finally(() => {
        if (!this.term) this.schedule(this.opts.acquireInterval);
      });
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
    try {
      term.bus = await this.opts.openBus();
      term.role = await DeciderRole.start({
        ...this.opts,
        bus: term.bus,
        grant,
        announce: true,
        onStandDown: (reason) => this.stepDown(term, reason),
      });
    } catch (err) {
      this.log.error({ err, epoch: grant.epoch }, 'decider: could not start leading; standing by');
      this.term = null;
      await this.endTerm(term);
      return;
    }
    if (term.down !== null) return; // stood down while starting; stepDown finishes the term
    this.log.info({ epoch: grant.epoch, holder: grant.holder }, 'decider: leading');
    this.opts.onChange?.(true, { epoch: grant.epoch });
  }

  /** Called from inside the role's queue, so the term is ended asynchronously, never awaited here. */
  private stepDown(term: Term, reason: string): void {
    if (term.down !== null) return;
    term.down = reason;
    this.log.warn({ epoch: term.grant.epoch, reason }, 'decider: no longer the leader; standing by');
    this.opts.onChange?.(false, { epoch: term.grant.epoch, reason });
    const ending = (async () => {
      await this.busy.catch(() => undefined);
      if (this.term === term) this.term = null;
      await this.endTerm(term);
    })();
    this.busy = ending.finally(() => {
      if (!this.term) this.schedule(this.opts.acquireInterval);
    });
  }

  private async endTerm(term: Term): Promise<void> {
    // The bus first: a standby must not take results off the queue that the new leader needs.
    await term.bus
      ?.close()
      .catch((err: unknown) => this.log.warn({ err }, 'decider: closing the bus failed'));
    await term.role
      ?.close()
      .catch((err: unknown) => this.log.warn({ err }, 'decider: closing the role failed'));
    if (!term.role) await this.opts.lease.release().catch(() => undefined);
  }
}
