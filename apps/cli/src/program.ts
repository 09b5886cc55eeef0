/**
 * The `understudy` command line: every subcommand, its options and its help.
 *
 * Each command's module is imported when that command runs, not before: `--version`, `--help` and
 * `validate` do not load the provider SDKs, the HTTP framework or the queues (issue 12: start-up cost).
 * The bundle is split per command (scripts/build.mjs), so an unused command is not even parsed.
 * The commands are grouped by concern in program-*.ts; this file keeps their order in `--help`.
 */
import { Argument, Command, CommanderError, Option } from 'commander';
import type { StatusOptions } from './commands/status.js';
import { CliExit, EXIT_OK, EXIT_USAGE } from './commands/exit.js';
import { LOG_FORMAT_ENV } from './commands/log-format.js';
import { VERSION } from './version.js';
import { describeFailure } from './describe-failure.js';
import { addDemoCommands } from './program-demo.js';
import { addDrillCommand, addOperatorCommands } from './program-operator.js';
import { configOption, plain } from './program-options.js';
import { addRoleCommands, addRunCommand } from './program-roles.js';
import { addPlanCommands } from './program-sync.js';

export { describeFailure };

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

  addRunCommand(program);

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
    .option(
      '--record <name/type>',
      'one failover record only, e.g. www.example.com/A (every check is still shown)',
    )
    .action((o: StatusOptions) =>
      plain('status', async () => (await import('./commands/status.js')).statusCommand(o, process.stdout)),
    );

  addPlanCommands(program);
  addOperatorCommands(program);
  addRoleCommands(program);
  addDrillCommand(program);
  addDemoCommands(program);

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
