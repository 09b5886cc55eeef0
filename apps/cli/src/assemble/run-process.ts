/**
 * A process run until a signal: SIGTERM/SIGINT shut it down once (a second forces exit 1), SIGHUP reloads
 * its config file (the habit of NSD, PowerDNS, CoreDNS; without a listener Node exits 129). The shutdown
 * listens from before the first role starts, so a signal during start-up closes what has started.
 */
import { onShutdown, type ShutdownHandle, type ShutdownStep } from '@understudy/observability';
import { assemble, type Assembled } from './assemble.js';
import { CloseStack, ShuttingDown } from './close-stack.js';
import type { AssembleOptions } from './types.js';

export interface RunProcessOptions extends AssembleOptions {
  /** Run after the process closed (the demo's origins and files). */
  extraSteps?: ShutdownStep[];
  /** Called once the shutdown listens (the demo hands over a signal it held). */
  onListening?: () => void;
  /** The log line once everything runs, and its fields. */
  running: (app: Assembled) => { msg: string; fields?: Record<string, unknown> };
  /** Process signals; default process (tests pass an emitter). */
  signals?: NodeJS.EventEmitter;
  exit?: (code: number) => void;
}

/** Resolves with the running process, or null when a signal stopped it while it started. */
export async function runProcess(opts: RunProcessOptions): Promise<Assembled | null> {
  const { logger } = opts;
  const source = opts.signals ?? process;
  const stack = new CloseStack(logger);
  let app: Assembled | null = null;
  let starting: Promise<Assembled> | null = null;
  const hooks = { ...opts.hooks };
  const shutdown: ShutdownHandle = onShutdown({
    logger,
    process: source,
    ...(opts.exit ? { exit: opts.exit } : {}),
    steps: [
      {
        name: 'understudy',
        run: async () => {
          await stack.close();
          // A role still starting (DNS workers forking) is closed as soon as its start returns: wait for it,
          // or the process would exit with its workers and files behind.
          await starting?.catch(() => undefined);
        },
      },
      ...(opts.extraSteps ?? []),
    ],
  });
  if (opts.backend === 'memory' && opts.roles.has('decider') && !hooks.onStandDown) {
    // Embedded mode has one decider: without it nothing decides, so exit non-zero for a supervisor to restart.
    hooks.onStandDown = (reason) => {
      logger.fatal({ reason }, 'the decider stood down; exiting so a supervisor restarts understudy');
      void shutdown.trigger(`decider stood down: ${reason}`, 1);
    };
  }
  const onHup = (): void => {
    if (!app) {
      logger.warn('SIGHUP while starting: ignored (reload once the process runs)');
      return;
    }
    app
      .reload({ name: 'SIGHUP', reason: 'signal' })
      .catch((err: unknown) => logger.warn({ err }, `SIGHUP: ${(err as Error).message}`));
  };
  source.on('SIGHUP', onHup);
  opts.onListening?.();
  try {
    starting = assemble({ ...opts, hooks }, stack);
    app = await starting;
  } catch (err) {
    if (err instanceof ShuttingDown) {
      // The shutdown under way closes the rest and exits.
      await shutdown.trigger('signal during start-up');
      return null;
    }
    source.off('SIGHUP', onHup);
    shutdown.dispose();
    throw err;
  }
  const line = opts.running(app);
  logger.info({ ops: app.opsAddress, configHash: app.loaded.hash.slice(0, 12), ...line.fields }, line.msg);
  return app;
}
