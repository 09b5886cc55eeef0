/**
 * Orderly shutdown: on the first SIGTERM/SIGINT (or trigger()), run the steps in order — typically drop
 * readiness, drain, close servers, flush state — then exit(0). A failing step is logged and the rest still
 * run. If the steps outlast timeoutMs, exit(1). A second signal while shutting down forces exit(1).
 */
import type { Logger } from '@understudy/core';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

/** The part of `process` used here, so tests can pass a plain EventEmitter. */
export interface SignalSource {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

export interface ShutdownOptions {
  logger: Logger;
  steps: ShutdownStep[];
  /** Default 10 000 ms. */
  timeoutMs?: number;
  /** Default SIGTERM and SIGINT. */
  signals?: NodeJS.Signals[];
  /** Default process.exit. */
  exit?: (code: number) => void;
  /** Default process. */
  process?: SignalSource;
}

export interface ShutdownHandle {
  /**
   * Starts the shutdown (or joins the one under way); resolves when the steps are done, before exit.
   * `exitCode` (default 0) is what the process exits with once the steps are done, e.g. 1 after a fault.
   */
  trigger(reason: string, exitCode?: number): Promise<void>;
  /** Removes the signal listeners (for tests and for code that hands over to another handler). */
  dispose(): void;
}

const defaultExit = (code: number): void => {
  process.exit(code);
};

export function onShutdown(opts: ShutdownOptions): ShutdownHandle {
  const { logger, steps } = opts;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = opts.exit ?? defaultExit;
  const source: SignalSource = opts.process ?? process;

  let running: Promise<void> | null = null;
  let exited = false;
  let current = '';
  const exitOnce = (code: number): void => {
    if (exited) return;
    exited = true;
    exit(code);
  };

  const runSteps = async (): Promise<void> => {
    for (const step of steps) {
      current = step.name;
      const started = Date.now();
      try {
        await step.run();
        logger.info({ step: step.name, ms: Date.now() - started }, 'shutdown step done');
      } catch (err) {
        logger.error({ err, step: step.name }, 'shutdown step failed');
      }
    }
  };

  const trigger = (reason: string, exitCode = 0): Promise<void> => {
    if (running) return running;
    logger.info({ reason, timeoutMs, exitCode }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ step: current, timeoutMs }, 'shutdown timed out');
      exitOnce(1);
    }, timeoutMs);
    running = runSteps().then(() => {
      clearTimeout(timer);
      if (exited) return;
      logger.info('shutdown complete');
      exitOnce(exitCode);
    });
    return running;
  };

  const onSignal = (signal: unknown): void => {
    if (running) {
      logger.warn({ signal }, 'second signal: exiting now');
      exitOnce(1);
      return;
    }
    void trigger(String(signal));
  };
  for (const s of signals) source.on(s, onSignal);

  return {
    trigger,
    dispose() {
      for (const s of signals) source.off(s, onSignal);
    },
  };
}

/** Logs unhandled rejections and uncaught exceptions as fatal, then exits 1. Returns an uninstall function. */
export function installCrashHandlers(
  logger: Logger,
  exit: (code: number) => void = defaultExit,
  source: SignalSource = process,
): () => void {
  const onRejection = (reason: unknown): void => {
    logger.fatal({ err: reason }, 'unhandled promise rejection');
    exit(1);
  };
  const onException = (err: unknown, origin: unknown): void => {
    logger.fatal({ err, origin }, 'uncaught exception');
    exit(1);
  };
  source.on('unhandledRejection', onRejection);
  source.on('uncaughtException', onException);
  return () => {
    source.off('unhandledRejection', onRejection);
    source.off('uncaughtException', onException);
  };
}
