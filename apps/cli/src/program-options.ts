/**
 * The options several commands share, and how a command without a config of its own runs: split from
 * program.ts (the command tree) so each file holds one concern. Nothing here loads a command's module.
 */
import type { CommanderError } from 'commander';
import { Option } from 'commander';
import type { adminCommand } from './commands/admin.js';
import { CliExit, EXIT_FAILURE } from './commands/exit.js';

export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
export const logLevel = () =>
  new Option('--log-level <level>', 'log level (default: logging.level from the config)').choices(LEVELS);
export const stderrLogLevel = () =>
  new Option('--log-level <level>', 'log level; logs go to stderr (default: error)').choices(LEVELS);
export const redisOption = () =>
  new Option(
    '--redis <url>',
    'Redis for distributed mode: redis://[user:pass@]host:port[/db], rediss:// or redis+sentinel:// (default: $REDIS_URL)',
  );
export const httpOption = () =>
  new Option(
    '--http <host:port>',
    "health/metrics listen address, port 0 = any, 'off' = none (default: listen.http)",
  );

// --- issue 13 (CLI habits): config discovery, log format, plan/sync exit codes -------------------------
export const configOption = (what = 'config file (YAML)') =>
  new Option(
    '-c, --config <file>',
    `${what} (default: $UNDERSTUDY_CONFIG, else ./understudy.yaml, else /etc/understudy/understudy.yaml)`,
  );
export const logFormat = () =>
  new Option(
    '--log-format <format>',
    'json: one JSON object per line; pretty: one human line per event (default: $UNDERSTUDY_LOG_FORMAT, else json)',
  ).choices(['json', 'pretty']);
/** plan and sync exit 1 on a usage error too (terraform's habit): 2 means "plan has changes". */
export const usageExitsOne = (err: CommanderError): never => {
  const done = ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(err.code);
  throw done ? err : new CliExit('', EXIT_FAILURE);
};
// --------------------------------------------------------------------------------------------------------

/**
 * Runs a command that has no config of its own to load under the command wrapper (crash handlers, one
 * error report, exit code); the wrapper and the command's module load when it runs.
 */
export async function plain(name: string, run: () => Promise<number | void>): Promise<void> {
  const { createPlainCommand } = await import('./plain-command.js');
  await createPlainCommand(name, run)();
}

/** `understudy override|approve-failback|release-guard`, loaded when one of them runs. */
export const adminCmd = (...a: Parameters<typeof adminCommand>) =>
  plain(a[0], async () => (await import('./commands/admin.js')).adminCommand(...a));
