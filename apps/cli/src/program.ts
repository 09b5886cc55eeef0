/**
 * The `understudy` command line: every subcommand, its options and its help.
 *
 * Each command's module is imported when that command runs, not before: `--version`, `--help` and
 * `validate` do not load the provider SDKs, the HTTP framework or the queues (issue 12: start-up cost).
 * The bundle is split per command (scripts/build.mjs), so an unused command is not even parsed.
 */
import { Argument, Command, CommanderError, Option } from 'commander';
import type { adminCommand } from './commands/admin.js';
import type { DrillCommandOptions } from './commands/drill.js';
import type { PlanOptions } from './commands/plan.js';
import type { StatusOptions } from './commands/status.js';
import type { SyncOptions } from './commands/sync.js';
import { CliExit, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './commands/exit.js';
import { LOG_FORMAT_ENV } from './commands/log-format.js';
import { DEMO_DEFAULTS, ORIGIN_MODES } from './demo/demo-defaults.js';
import { VERSION } from './version.js';
import { describeFailure } from './describe-failure.js';

export { describeFailure };

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const logLevel = () =>
  new Option('--log-level <level>', 'log level (default: logging.level from the config)').choices(LEVELS);
const stderrLogLevel = () =>
  new Option('--log-level <level>', 'log level; logs go to stderr (default: error)').choices(LEVELS);
const redisOption = () =>
  new Option(
    '--redis <url>',
    'Redis for distributed mode: redis://[user:pass@]host:port[/db], rediss:// or redis+sentinel:// (default: $REDIS_URL)',
  );
const httpOption = () =>
  new Option(
    '--http <host:port>',
    "health/metrics listen address, port 0 = any, 'off' = none (default: listen.http)",
  );

// --- issue 13 (CLI habits): config discovery, log format, plan/sync exit codes -------------------------
const configOption = (what = 'config file (YAML)') =>
  new Option(
    '-c, --config <file>',
    `${what} (default: $UNDERSTUDY_CONFIG, else ./understudy.yaml, else /etc/understudy/understudy.yaml)`,
  );
const logFormat = () =>
  new Option(
    '--log-format <format>',
    'json: one JSON object per line; pretty: one human line per event (default: $UNDERSTUDY_LOG_FORMAT, else json)',
  ).choices(['json', 'pretty']);
/** plan and sync exit 1 on a usage error too (terraform's habit): 2 means "plan has changes". */
const usageExitsOne = (err: CommanderError): never => {
  const done = ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(err.code);
  throw done ? err : new CliExit('', EXIT_FAILURE);
};
// --------------------------------------------------------------------------------------------------------

/**
 * Runs a command that has no config of its own to load under the command wrapper (crash handlers, one
 * error report, exit code); the wrapper and the command's module load when it runs.
 */
async function plain(name: string, run: () => Promise<number | void>): Promise<void> {
  const { createPlainCommand } = await import('./plain-command.js');
  await createPlainCommand(name, run)();
}

/** `understudy override|approve-failback|release-guard`, loaded when one of them runs. */
const adminCmd = (...a: Parameters<typeof adminCommand>) =>
  plain(a[0], async () => (await import('./commands/admin.js')).adminCommand(...a));

export function buildProgram(): Command {
  const program = new Command('understudy')
    .description('Self-hosted DNS failover with global health checks.')
    .version(VERSION)
    .showHelpAfterError()
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .hook('preAction', (_program, cmd) => {
      // Every logger the command makes, and the DNS workers it forks, read it from there (log-format.ts).
      const format = cmd.opts<{ logFormat?: string }>().logFormat;
      if (format !== undefined) process.env[LOG_FORMAT_ENV] = format;
    });

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

  program
    .command('validate')
    .description('check a config file and report every problem with its path and line')
    .argument('[file]', 'config file (YAML)')
    .addOption(configOption('config file (YAML), as the other commands take it'))
    .option('--json', 'print the result as JSON')
    .action(async (arg: string | undefined, o: { config?: string; json?: boolean }) => {
      if (arg !== undefined && o.config !== undefined && arg !== o.config)
        throw new CliExit(
          'understudy validate: give one config file: validate FILE or validate -c FILE',
          EXIT_USAGE,
        );
      await plain('validate', async () => {
        const [{ validateCommand }, { configPath }] = await Promise.all([
          import('./commands/validate.js'),
          import('./commands/config-path.js'),
        ]);
        return validateCommand(configPath(arg ?? o.config), o, process.stdout);
      });
    });

  program
    .command('status')
    .description("print every failover record's answer and every check's verdict per region")
    .addOption(configOption())
    .option(
      '--url <url>',
      'ops endpoint of a running instance; alone, no config or token is needed (default: listen.http from the config)',
    )
    .addOption(new Option('-o, --output <format>', 'output format (default: text)').choices(['json', 'text']))
    .option('--json', 'same as --output json')
    .action((o: StatusOptions) =>
      plain('status', async () => (await import('./commands/status.js')).statusCommand(o, process.stdout)),
    );

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

  const demo = program
    .command('demo')
    .description(
      'a self-contained demo: two local HTTPS origins, three simulated regions, DNS on 127.0.0.1:5300',
    );
  demo
    .command('start', { isDefault: true })
    .description('start the demo (the default)')
    .option('--dns <host:port>', 'DNS listen address', DEMO_DEFAULTS.dns)
    .option('--http <host:port>', 'health/metrics listen address', DEMO_DEFAULTS.http)
    .option('--control <host:port>', 'demo control listen address', DEMO_DEFAULTS.control)
    .option('--dashboard <host:port>', 'dashboard (web UI and API) listen address', DEMO_DEFAULTS.dashboard)
    .option('--dir <dir>', 'where to write the generated config, CA and state (default: a new temp dir)')
    .addOption(logLevel())
    .addOption(logFormat())
    .action(
      (o: {
        dns: string;
        http: string;
        control: string;
        dashboard: string;
        dir?: string;
        logLevel?: string;
      }) => import('./demo/demo-command.js').then((m) => m.demoCommand(o, process.stdout)),
    );
  demo
    .command('fail')
    .description('make a demo origin fail')
    .argument('<origin>', 'primary or secondary')
    .addOption(new Option('--mode <mode>', 'how it fails').choices([...ORIGIN_MODES]).default('down'))
    .option('--control <host:port>', 'the running demo control address', DEMO_DEFAULTS.control)
    .option('--token <token>', 'the demo operator token it printed (default: $UNDERSTUDY_DEMO_TOKEN)')
    .action((origin: string, o: { mode: string; control: string; token?: string }) =>
      plain('demo', async () =>
        (await import('./demo/demo-client.js')).demoOriginCommand('fail', origin, o, process.stdout),
      ),
    );
  demo
    .command('restore')
    .description('bring a demo origin back')
    .argument('<origin>', 'primary or secondary')
    .option('--control <host:port>', 'the running demo control address', DEMO_DEFAULTS.control)
    .option('--token <token>', 'the demo operator token it printed (default: $UNDERSTUDY_DEMO_TOKEN)')
    .action((origin: string, o: { control: string; token?: string }) =>
      plain('demo', async () =>
        (await import('./demo/demo-client.js')).demoOriginCommand('restore', origin, o, process.stdout),
      ),
    );

  program
    .command('completion')
    .description('print a shell completion script: source <(understudy completion bash), or zsh')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') =>
      import('./commands/completion.js').then((m) => {
        process.stdout.write(m.completionScript(shell, program));
      }),
    );

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has already printed help, the version or the usage error.
      const done = ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(err.code);
      process.exitCode = done ? EXIT_OK : EXIT_USAGE;
      return;
    }
    if (err instanceof CliExit) {
      if (err.message) process.stderr.write(`${err.message}\n`);
      process.exitCode = err.code;
      return;
    }
    process.stderr.write(`understudy: ${describeFailure(err)}\n`);
    process.exitCode = 1;
  }
}
