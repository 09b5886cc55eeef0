/**
 * The commands that run roles (issue 13 §1: one assembler): `run` (every role in one process) and
 * each role alone over Redis. Each command's module loads when it runs.
 */
import type { Command } from 'commander';
import { logLevel, redisOption, httpOption, configOption, logFormat } from './program-options.js';

/** `understudy run`: every role in one process (embedded, or over Redis with --redis). */
export function addRunCommand(program: Command): void {
  program
    .command('run')
    .description('run every role in one process (embedded mode: no Redis needed; over Redis with --redis)')
    .addOption(configOption())
    .addOption(redisOption())
    .addOption(logLevel())
    .addOption(logFormat())
    .action((o: { config: string; redis?: string; logLevel?: string }) =>
      import('./commands/run.js').then((m) => m.runCommand(o)),
    );
}

/** One role per process, over Redis: dns, probe, decider, dashboard. */
export function addRoleCommands(program: Command): void {
  program
    .command('dns')
    .description(
      'run only the authoritative DNS server (follows Redis with --redis; else serves the state file, or the config on primaries)',
    )
    .addOption(configOption())
    .addOption(redisOption())
    .addOption(logLevel())
    .addOption(logFormat())
    .option(
      '--cache-file <path>',
      'zone-state disk cache served when started without Redis (overrides dns.cacheFile; "" = off)',
    )
    .action((o: { config: string; redis?: string; logLevel?: string; cacheFile?: string }) =>
      import('./commands/dns.js').then((m) => m.dnsCommand(o)),
    );

  program
    .command('probe')
    .description('run a probe worker: the checks of a region, published to the decider through Redis')
    .addOption(configOption())
    .requiredOption('--region <region>', 'region(s) to probe for, comma-separated')
    .addOption(redisOption())
    .addOption(httpOption())
    .addOption(logLevel())
    .addOption(logFormat())
    .action((o: { config: string; region: string; redis?: string; http?: string; logLevel?: string }) =>
      import('./commands/probe.js').then((m) => m.probeCommand(o)),
    );

  program
    .command('decider')
    .description('run a decider: the leader while it holds the lease in Redis, a hot standby otherwise')
    .addOption(configOption())
    .addOption(redisOption())
    .addOption(httpOption())
    .option('--lease-ttl <duration>', 'leader lease TTL, e.g. 5s (default: decider.leaseTtl)')
    .addOption(logLevel())
    .addOption(logFormat())
    .action((o: { config: string; redis?: string; http?: string; leaseTtl?: string; logLevel?: string }) =>
      import('./commands/decider.js').then((m) => m.deciderCommand(o)),
    );

  program
    .command('dashboard')
    .description(
      'run the dashboard (web UI and /api/v1) on its own, reading the shared state in Redis; actions are relayed to the leading decider',
    )
    .addOption(configOption())
    .addOption(redisOption())
    .option('--listen <host:port>', 'listen address (default: listen.dashboard)')
    .addOption(logLevel())
    .addOption(logFormat())
    .action((o: { config: string; redis?: string; listen?: string; logLevel?: string }) =>
      import('./commands/dashboard.js').then((m) => m.dashboardCommand(o)),
    );
}
