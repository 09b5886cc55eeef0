/** `understudy demo`: local HTTPS origins, a generated config, embedded mode, and a control endpoint. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@understudy/config';
import { createCa, issueCert } from '@understudy/origins/certs';
import { startOrigin, type Origin } from '@understudy/origins/origin';
import type { Logger } from '@understudy/core';
import type { Assembled } from '../assemble/assemble.js';
import { runProcess } from '../assemble/run-process.js';
import { ALL_ROLES } from '../commands/run.js';
import { CliExit, EXIT_USAGE, makeLogger } from '../commands/shared.js';
import { withCommand } from '../command.js';
import { startControlServer } from './control-server.js';
import { demoConfigYaml } from './demo-config.js';
import { EarlyStop } from './early-stop.js';
import { thisCliCommand } from './invocation.js';
import { DEMO_DEFAULTS } from './demo-defaults.js';
import { parseHostPort } from './host-port.js';

export { DEMO_DEFAULTS };

export interface DemoOptions {
  dns: string;
  http: string;
  control: string;
  dashboard: string;
  dir?: string;
  logLevel?: string;
}

export async function demoCommand(opts: DemoOptions, out: NodeJS.WritableStream): Promise<void> {
  const logger = makeLogger('understudy-demo', opts.logLevel ?? 'info');
  await withCommand(logger, () => demo(opts, out, logger));
}

async function demo(opts: DemoOptions, out: NodeJS.WritableStream, logger: Logger): Promise<void> {
  const early = new EarlyStop();
  const app = await startDemo(opts, logger, early).catch(async (err: unknown) => {
    await early.unwind((name, e) =>
      logger.error({ err: e, step: name }, 'demo: undoing a start step failed'),
    );
    throw err;
  });
  // Stopped before the app was up: the steps taken are undone and nothing is left running.
  if (app === undefined) return;
  // A signal that came while the app started was delivered again to the app's shutdown: no banner then.
  if (app.app.closing) return;
  printBanner(opts, app, out);
}

interface Started {
  app: Assembled;
  origins: Map<string, Origin>;
  configFile: string;
  token: string;
  envToken: string | undefined;
}

/** Starts the demo; undefined when a signal came before the embedded app started (see EarlyStop). */
async function startDemo(opts: DemoOptions, logger: Logger, early: EarlyStop): Promise<Started | undefined> {
  const stopped = (): Promise<boolean> =>
    early.stopIfRequested((name, err) =>
      logger.error({ err, step: name }, 'demo: undoing a start step failed'),
    );
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'understudy-demo-')));
  // A temp dir the demo made for itself goes with it; a --dir the operator chose stays.
  const removeDir = (): Promise<void> =>
    opts.dir ? Promise.resolve() : rm(dir, { recursive: true, force: true });
  early.started('demo files', removeDir);
  if (await stopped()) return undefined;
  const ca = await createCa({ commonName: 'Understudy demo CA' });
  const cert = await issueCert({
    ca,
    commonName: 'localhost',
    altNames: ['localhost', '127.0.0.1'],
    days: 30,
  });
  const caFile = join(dir, 'demo-ca.pem');
  await writeFile(caFile, ca.certPem);
  const origins = new Map<string, Origin>();
  const stopOrigins = async (): Promise<void> =>
    void (await Promise.all([...origins.values()].map((o) => o.stop())));
  early.started('demo origins', stopOrigins);
  for (const name of ['primary', 'secondary']) {
    if (await stopped()) return undefined;
    origins.set(name, await startOrigin({ name, tls: { certPem: cert.certPem, keyPem: cert.keyPem } }));
  }
  const configFile = join(dir, 'understudy.demo.yaml');
  // The operator token for the dashboard's actions: UNDERSTUDY_DEMO_TOKEN, else a fresh one printed below.
  const envToken = process.env['UNDERSTUDY_DEMO_TOKEN'];
  if (envToken !== undefined && !/^[A-Za-z0-9._~+/=-]{16,200}$/.test(envToken))
    throw new CliExit(
      'UNDERSTUDY_DEMO_TOKEN: use 16 or more characters from A-Z a-z 0-9 . _ ~ + / = -',
      EXIT_USAGE,
    );
  const token = envToken ?? randomBytes(18).toString('base64url');
  const yaml = demoConfigYaml({
    dns: opts.dns,
    http: opts.http,
    dashboard: opts.dashboard,
    token,
    primaryUrl: origins.get('primary')!.url,
    secondaryUrl: origins.get('secondary')!.url,
    caFile,
    stateFile: join(dir, 'state.json'),
  });
  await writeFile(configFile, yaml, { mode: 0o600 });
  const loaded = parseConfig(yaml, {
    source: configFile,
    baseDir: dir,
  });
  if (await stopped()) return undefined;
  const control = await startControlServer(parseHostPort(opts.control, '--control'), origins, logger, token);
  early.started('demo control', () => control.close());
  if (await stopped()) return undefined;
  // From here the app's shutdown undoes all of it: it listens before the first role starts, and a signal
  // EarlyStop held meanwhile is delivered to it again.
  const app = await runProcess({
    loaded,
    configFile,
    backend: 'memory',
    roles: ALL_ROLES,
    logger,
    name: 'run',
    extraSteps: [
      { name: 'demo control', run: () => control.close() },
      { name: 'demo origins', run: stopOrigins },
      { name: 'demo files', run: removeDir },
    ],
    onListening: () => void early.handOver(),
    running: (a) => ({
      msg: 'understudy running (embedded mode)',
      fields: { dns: a.dns?.addresses(), regions: a.loaded.config.regions },
    }),
  });
  // Up (or stopped by a signal): the app's shutdown undoes the steps from now on, not a failed start.
  early.forget();
  return app ? { app, origins, configFile, token, envToken } : undefined;
}

function printBanner(opts: DemoOptions, started: Started, out: NodeJS.WritableStream): void {
  const { app, origins, configFile, token, envToken } = started;
  const dns = parseHostPort(opts.dns, '--dns');
  // `understudy` once installed, `npx understudy` from a checkout (see invocation.ts).
  const cli = thisCliCommand();
  const dashboardUrl = `${app.dashboard?.server.url ?? `http://${opts.dashboard}`}/`;
  // The control endpoint takes the operator token too; from the environment when it came from there.
  const controlFlag =
    (opts.control === DEMO_DEFAULTS.control ? '' : ` --control ${opts.control}`) +
    (envToken === token ? '' : ` --token ${token}`);
  out.write(
    [
      '',
      'Understudy demo is running (embedded mode, no Redis, no internet).',
      `  Origins   primary ${origins.get('primary')!.url}   secondary ${origins.get('secondary')!.url}`,
      `  DNS       ${opts.dns}   app.example.test A: PRIMARY 192.0.2.10, SECONDARY 198.51.100.10, TTL 30`,
      `  Ops       http://${opts.http}/metrics  /healthz  /readyz  /status`,
      `  dashboard: ${dashboardUrl}`,
      `  Operator token (overrides and drills in the dashboard, understudy drill --token): ${envToken === token ? '$UNDERSTUDY_DEMO_TOKEN' : token}`,
      `  Config    ${configFile}`,
      '',
      'Query it:',
      `  dig @${dns.host} -p ${dns.port} app.example.test A +short`,
      'Fail the primary origin (dig answers the SECONDARY within a few seconds):',
      `  ${cli} demo fail primary${controlFlag}`,
      'Restore it (the answer moves back once the primary has been healthy for failbackAfter = 30 s):',
      `  ${cli} demo restore primary${controlFlag}`,
      'Answers and verdicts:',
      `  ${cli} status --config ${configFile}`,
      'Ctrl-C stops the demo.',
      '',
    ].join('\n'),
  );
}
