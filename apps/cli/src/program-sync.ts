/**
 * `plan` and `sync`: provider plans shown and applied from the command line, with terraform's exit codes
 * (0 no changes, 2 changes, 1 any error).
 */
import type { Command } from 'commander';
import type { PlanOptions } from './commands/plan.js';
import type { SyncOptions } from './commands/sync.js';
import { configOption, plain, stderrLogLevel, usageExitsOne } from './program-options.js';

/** `understudy plan` and `understudy sync`. */
export function addPlanCommands(program: Command): void {
  program
    .command('plan')
    .description(
      'show what provider sync would change at each target (Route 53, Cloudflare), without changing anything',
    )
    .addOption(configOption())
    .option('--redis <url>', 'read the zone state from Redis (distributed mode; default: $REDIS_URL if set)')
    .option('--target <name>', 'plan only this target')
    .option('--json', 'print the plans as JSON')
    .option('--out <file>', 'also save the plan (JSON) for `understudy sync --plan FILE`')
    .addOption(stderrLogLevel())
    .exitOverride(usageExitsOne)
    .addHelpText(
      'after',
      `
Plans the last zone state the decider published (state.file), or, before any, the config with every
failover record on its primary. A target that fails (credentials, unknown zone) is reported by name;
the others still plan.

Each change line says which ownership markers it writes (Route 53: a TXT record per record;
Cloudflare: the record's comment). --out FILE saves the plan with the provider state it was computed
from; \`sync --plan FILE\` applies exactly that plan, and refuses it once that state has changed.

Exit codes: 0 nothing to change, 2 changes to apply, 1 any error: a target failed, the config is
unusable, or a command-line usage error.`,
    )
    .action((o: PlanOptions) =>
      plain('plan', async () => (await import('./commands/plan.js')).planCommand(o, process.stdout)),
    );

  program
    .command('sync')
    .description(
      'apply the provider plan once (--once), or a saved plan (--plan FILE); continuous sync runs inside the decider',
    )
    .addOption(configOption())
    .option('--once', 'reconcile every target once and exit')
    .option('--force', 'apply unsafe plans too (too much change, deleting a last answer, apex NS/SOA)')
    .option('--redis <url>', 'read the zone state from Redis (distributed mode; default: $REDIS_URL if set)')
    .option('--target <name>', 'sync only this target')
    .option(
      '--plan <file>',
      'apply exactly this saved plan (`plan --out FILE`); refused if the targets changed since',
    )
    .option('--json', 'print the outcome as JSON')
    .addOption(stderrLogLevel())
    .exitOverride(usageExitsOne)
    .addHelpText(
      'after',
      `
Continuous sync runs inside the leading decider (understudy run / understudy decider). Use
\`sync --once\` while the decider is stopped, or for the first publish: it applies the same plan as
\`understudy plan\`. Target statuses go to the state file only when no instance answers on
listen.http or listen.dashboard, so it never overwrites a running instance's state.

Exit codes: 0 every target applied or in sync, 1 a target failed, refused an unsafe or outdated
plan, or a usage error (e.g. neither --once nor --plan).`,
    )
    .action((o: SyncOptions) =>
      plain('sync', async () => (await import('./commands/sync.js')).syncCommand(o, process.stdout)),
    );
}
