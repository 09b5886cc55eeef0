/**
 * The operator's commands against a running instance: overrides, failback approval, guard release,
 * reload and drills. They talk to its ops endpoint or dashboard API; each module loads when it runs.
 */
import { Option, type Command } from 'commander';
import type { DrillCommandOptions } from './commands/drill.js';
import { configOption, plain, adminCmd } from './program-options.js';

/** override, approve-failback, release-guard and reload. */
export function addOperatorCommands(program: Command): void {
  const adminOptions = (cmd: Command): Command =>
    cmd
      .addOption(configOption('config file (YAML) of the running instance'))
      .requiredOption('--reason <text>', 'why: written to the audit timeline')
      .option('--url <url>', 'ops endpoint of the running instance (default: listen.http from the config)')
      .option('--token <token>', 'one of admin.tokens (default: $UNDERSTUDY_TOKEN)');
  type AdminOpts = { config?: string; reason: string; url?: string; token?: string };

  adminOptions(
    program
      .command('override')
      .description("force an answer of a failover record up or down, or back to obeying its check ('obey')")
      .requiredOption('--record <record>', 'record name or id, e.g. app.example.test or app.example.test./A')
      .requiredOption('--answer <answer>', 'answer name, e.g. primary')
      .addOption(
        new Option('--mode <mode>', 'up, down or obey').choices(['up', 'down', 'obey']).makeOptionMandatory(),
      ),
  ).action((o: AdminOpts & { record: string; answer: string; mode: string }) =>
    adminCmd('override', { record: o.record, answer: o.answer, mode: o.mode }, o, process.stdout),
  );
  adminOptions(
    program
      .command('approve-failback')
      .description(
        'approve the pending failback of a record (needed with failbackAfter: manual; skips the hold otherwise)',
      )
      .requiredOption('--record <record>', 'record name or id'),
  ).action((o: AdminOpts & { record: string }) =>
    adminCmd('approve-failback', { record: o.record }, o, process.stdout),
  );
  adminOptions(
    program
      .command('release-guard')
      .description('release a holding mass-failure guard (it re-arms once the failure clears)'),
  ).action((o: AdminOpts) => adminCmd('release-guard', {}, o, process.stdout));

  program
    .command('reload')
    .description(
      'make a running instance re-read and apply its config file (as SIGHUP does); a bad file is refused with every problem',
    )
    .requiredOption('-c, --config <file>', 'config file (YAML) of the running instance')
    .option('--url <url>', 'ops endpoint of the running instance (default: listen.http from the config)')
    .option('--token <token>', 'one of admin.tokens (default: $UNDERSTUDY_TOKEN)')
    .option('--reason <text>', 'why: written to the audit timeline', 'understudy reload')
    .addHelpText(
      'after',
      `
Each process reloads its own file: in distributed mode run it (or kill -HUP) for every process.
Exit codes: 0 applied (or unchanged), 1 the file was refused or the instance did not answer, 2 usage.`,
    )
    .action((o: { config: string; url?: string; token?: string; reason?: string }) =>
      plain('reload', async () => (await import('./commands/reload.js')).reloadCommand(o, process.stdout)),
    );
}

/** `understudy drill`: a timed failover drill through the dashboard API. */
export function addDrillCommand(program: Command): void {
  program
    .command('drill')
    .description(
      'failover drill: force the current answer of a record down (audited), time every target switching and restoring',
    )
    .requiredOption('--record <name>', 'failover record (name or id)')
    .requiredOption('--reason <text>', 'why, for the audit timeline')
    .option('--target <name>', 'limit the drill to one target (dns, or a provider target)')
    .addOption(configOption('config file, to find the dashboard API (listen.dashboard)'))
    .option('--url <url>', 'dashboard API base URL, e.g. http://127.0.0.1:8080')
    .option('--token <token>', 'admin token (default: $UNDERSTUDY_TOKEN)')
    .option('--json', 'print the report as JSON')
    .action((o: DrillCommandOptions) =>
      plain('drill', async () => (await import('./commands/drill.js')).drillCommand(o, process.stdout)),
    );
}
