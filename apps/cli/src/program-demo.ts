/**
 * `understudy demo` (start, fail, restore): a self-contained demo and the client that breaks its origins.
 */
import { Option, type Command } from 'commander';
import { DEMO_DEFAULTS, ORIGIN_MODES } from './demo/demo-defaults.js';
import type { DemoOptions } from './demo/demo-command.js';
import { logLevel, logFormat, plain } from './program-options.js';

/** demo start (the default), demo fail, demo restore. */
export function addDemoCommands(program: Command): void {
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
    .action((o: DemoOptions) =>
      import('./demo/demo-command.js').then((m) => m.demoCommand(o, process.stdout)),
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
}
