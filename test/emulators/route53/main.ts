/**
 * Runs the Route 53 emulator on its own:
 *   tsx test/emulators/route53/main.ts --port 4580 [--zone example.com[=ZONEID]]… [--real-limits]
 *     [--insync-delay MS] [--latency MS] [--access-key AKID]… [--host 127.0.0.1]
 * Point the provider at it with `endpoint: http://127.0.0.1:4580` and any credentials (or the listed ones).
 */
import { parseArgs } from 'node:util';
import { startRoute53Emulator } from './server.js';

const USAGE =
  'usage: main.ts [--port N] [--host H] [--zone NAME[=ID]]... [--real-limits] [--insync-delay MS] [--latency MS] [--access-key ID]...';

function nonNegative(flag: string, text: string | undefined, dflt: number): number {
  if (text === undefined) return dflt;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--${flag} must be a non-negative integer, got "${text}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      zone: { type: 'string', multiple: true },
      'real-limits': { type: 'boolean' },
      'insync-delay': { type: 'string' },
      latency: { type: 'string' },
      'access-key': { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = nonNegative('port', values.port, 4580);
  const zones = (values.zone ?? ['example.com']).map((z) => {
    const [name, id] = z.split('=');
    return id ? { name: name!, id } : { name: name! };
  });
  const emu = await startRoute53Emulator({
    port,
    host: values.host ?? '127.0.0.1',
    zones,
    validAccessKeyIds: values['access-key'] ?? null,
    faults: {
      requestsPerSecond: values['real-limits'] ? 5 : null,
      insyncDelayMs: nonNegative('insync-delay', values['insync-delay'], 2000),
      latencyMs: nonNegative('latency', values.latency, 0),
    },
  });
  console.log(
    JSON.stringify({
      msg: 'route53 emulator listening',
      url: emu.url,
      zones: emu.store.zonesByName().map((z) => ({ id: z.id, name: z.name })),
      faults: emu.faults(),
      admin: `${emu.url}/__emulator/`,
    }),
  );
  const stop = (): void => {
    emu.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  console.error(USAGE);
  process.exit(2);
});
