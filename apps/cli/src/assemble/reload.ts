/**
 * Reload (issue 13 §2): re-read the file the process started with, validate it fully (as `validate` does),
 * and hand it to each role in RELOAD_ORDER. A bad file changes nothing: the running config stays, and an
 * event and a log line name every problem. Reloads run one at a time; one during shutdown is refused.
 */
import { canonicalJson, loadConfig, type LoadedConfig } from '@understudy/config';
import { ConfigError, StateConflictError, type Actor, type Logger, type NewEvent } from '@understudy/core';
import type { ReloadOutcome } from '@understudy/dashboard';
import { RELOAD_ORDER, type Reloadable, type RoleName, type RolePart } from './types.js';

export interface ReloaderOptions {
  /** The config file; null: this process's config was not read from a file (the demo). */
  file: string | null;
  current(): LoadedConfig;
  replace(loaded: LoadedConfig): void;
  parts(): ReadonlyMap<RoleName, RolePart>;
  closing(): boolean;
  logger: Logger;
  /** Loads and validates a file; default loadConfig. */
  load?: (file: string) => Promise<LoadedConfig>;
}

export function isReloadable(x: unknown): x is Reloadable {
  return (
    typeof x === 'object' && x !== null && typeof (x as { applyConfig?: unknown }).applyConfig === 'function'
  );
}

const short = (hash: string): string => hash.slice(0, 12);

export class Reloader {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: ReloaderOptions) {}

  /** Serialized: a reload that comes while one runs starts after it (and reads the file then). */
  reload(actor: Actor): Promise<ReloadOutcome> {
    const next = this.queue.then(() => this.once(actor));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async once(actor: Actor): Promise<ReloadOutcome> {
    const { logger } = this.opts;
    if (this.opts.closing()) throw new StateConflictError('reload refused: the process is shutting down');
    if (this.opts.file === null)
      throw new StateConflictError('reload refused: this process was not started from a config file');
    const before = this.opts.current();
    const base = { from: before.hash, applied: [] as string[], restartNeeded: [] as string[] };
    let next: LoadedConfig;
    try {
      next = await (this.opts.load ?? loadConfig)(this.opts.file);
    } catch (err) {
      const problems =
        err instanceof ConfigError
          ? err.problems.map(
              (p) => `${p.line === undefined ? '' : `line ${p.line}: `}${p.path || '(root)'}: ${p.message}`,
            )
          : [(err as Error).message];
      const outcome = { ...base, ok: false, to: null, problems };
      logger.error(
        { file: this.opts.file, problems, actor: actor.name, configHash: short(before.hash) },
        `config reload refused: ${problems.length} problem(s) in ${this.opts.file}; the running config stays: ${problems.join('; ')}`,
      );
      await this.raise({
        type: 'config-reload-failed',
        severity: 'warning',
        actor,
        message: `Config reload by ${actor.name} refused, ${this.opts.file} has ${problems.length} problem(s): ${problems.join('; ')}`,
        evidence: { file: this.opts.file, problems, configHash: before.hash },
      });
      return outcome;
    }
    if (this.opts.closing()) throw new StateConflictError('reload refused: the process is shutting down');
    for (const w of next.warnings) logger.warn({ path: w.path, line: w.line }, `config: ${w.message}`);
    const failed: string[] = [];
    // The hash covers only what every role must agree on (not targets, sync, webhooks, admin, the
    // dashboard, listen): a change to those alone is a change too.
    const changed = next.hash !== before.hash || canonicalJson(next.config) !== canonicalJson(before.config);
    if (changed) {
      this.opts.replace(next);
      for (const name of RELOAD_ORDER) {
        const part = this.opts.parts().get(name);
        if (!part) continue;
        const target = part.reloadTarget();
        if (!isReloadable(target)) {
          logger.warn(
            { role: name },
            `config reload: the ${name} role cannot apply a new config in place; restart the process for it`,
          );
          base.restartNeeded.push(name);
          continue;
        }
        try {
          await target.applyConfig(next);
          base.applied.push(name);
        } catch (err) {
          logger.error({ err, role: name }, `config reload: the ${name} role failed to apply the new config`);
          failed.push(`${name}: ${(err as Error).message}`);
        }
      }
    }
    const outcome: ReloadOutcome = { ...base, ok: failed.length === 0, to: next.hash, problems: failed };
    const what = !changed
      ? 'unchanged'
      : `${short(before.hash)} → ${short(next.hash)}; applied by ${base.applied.join(', ') || 'none'}` +
        (base.restartNeeded.length ? `; needs a restart: ${base.restartNeeded.join(', ')}` : '') +
        (failed.length ? `; failed: ${failed.join('; ')}` : '');
    logger.info({ ...outcome, actor: actor.name, reason: actor.reason }, `config reloaded (${what})`);
    await this.raise({
      type: failed.length ? 'config-reload-failed' : 'config-reloaded',
      severity: failed.length || base.restartNeeded.length ? 'warning' : 'info',
      actor,
      from: short(before.hash),
      to: short(next.hash),
      message: `Config reloaded by ${actor.name} (${actor.reason}): ${what}`,
      evidence: { file: this.opts.file, ...outcome },
    });
    return outcome;
  }

  /** On the audit timeline when this process leads (its decider writes events); logged either way. */
  private async raise(event: NewEvent): Promise<void> {
    const decider = this.opts.parts().get('decider');
    const pending = decider?.raise?.(event) ?? null;
    if (!pending) return;
    await pending.then(
      () => undefined,
      (err: unknown) =>
        this.opts.logger.warn({ err }, `config reload: could not record its ${event.type} event`),
    );
  }
}
