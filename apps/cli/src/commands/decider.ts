import { parseDuration } from '@understudy/config';
import type { UnderstudyConfig } from '@understudy/core';
import { createCommand } from '../command.js';
import { requireRedisUrl } from '../redis-mode.js';
import { httpListen } from './probe.js';
import { CliExit, EXIT_USAGE } from './shared.js';

export interface DeciderOptions {
  config: string;
  redis?: string;
  http?: string;
  leaseTtl?: string;
  logLevel?: string;
}

/** --lease-ttl as a config duration (5s, 1500ms; a bare number is seconds), else decider.leaseTtl. */
export function leaseTtlMs(flag: string | undefined, config: UnderstudyConfig): number {
  if (flag === undefined) return config.decider.leaseTtl;
  let ms: number;
  try {
    ms = parseDuration(flag);
  } catch (err) {
    throw new CliExit(`--lease-ttl: ${(err as Error).message}`, EXIT_USAGE);
  }
  if (ms < 1000) throw new CliExit(`--lease-ttl: "${flag}" is shorter than 1s`, EXIT_USAGE);
  return ms;
}

/** A decider: the leader while it holds the lease in Redis, a hot standby otherwise. */
export const deciderCommand = createCommand<DeciderOptions>({
  name: 'decider',
  handler: async (opts, { loaded, run }) => {
    const url = requireRedisUrl(opts.redis, 'decider');
    const ttl = leaseTtlMs(opts.leaseTtl, loaded.config);
    await run({
      backend: 'redis',
      redisUrl: url,
      roles: new Set(['decider']),
      name: 'decider',
      leaseTtl: ttl,
      http: httpListen(opts.http, loaded.config.listen.http),
      running: () => ({ msg: 'understudy decider running', fields: { leaseTtl: ttl } }),
    });
  },
});
