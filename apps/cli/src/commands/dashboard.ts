/**
 * `understudy dashboard --redis URL`: the dashboard on its own (distributed mode). It reads the shared
 * state through the StateStore in Redis, so any number can run. Actions (overrides, drills, forced plans)
 * need the decider's engine: they are relayed through Redis to whichever decider leads, and answered
 * with 409 when none does.
 */
import { createCommand } from '../command.js';
import { parseHostPort } from '../demo/host-port.js';
import { requireRedisUrl } from '../redis-mode.js';
import { CliExit, EXIT_USAGE } from './shared.js';

export interface DashboardOptions {
  config: string;
  redis?: string;
  listen?: string;
  logLevel?: string;
}

export const dashboardCommand = createCommand<DashboardOptions>({
  name: 'dashboard',
  handler: async (opts, { loaded, run }) => {
    const url = requireRedisUrl(opts.redis, 'dashboard');
    const listen = opts.listen ? parseHostPort(opts.listen, '--listen') : loaded.config.listen.dashboard;
    if (!listen)
      throw new CliExit(
        'understudy dashboard: set listen.dashboard in the config or pass --listen <host:port>',
        EXIT_USAGE,
      );
    await run({
      backend: 'redis',
      redisUrl: url,
      roles: new Set(['dashboard']),
      name: 'dashboard',
      dashboardListen: listen,
      running: (app) => ({
        msg: 'understudy dashboard running (reading Redis)',
        fields: { url: app.dashboard?.server.url },
      }),
    });
  },
});
