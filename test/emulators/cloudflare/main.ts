/**
 * Runs the Cloudflare API emulator on its own, so sync can be tried locally:
 *   npx tsx test/emulators/cloudflare/main.ts --port 4581 --zone example.com --token test-token [--real-limits]
 * Point a cloudflare target at it with `endpoint: http://127.0.0.1:4581/client/v4`.
 */
import { parseArgs } from 'node:util';
import { REAL_RATE_LIMIT } from './faults.js';
import { startCloudflareEmulator } from './server.js';

const USAGE = `usage: main.ts [--host 127.0.0.1] [--port 4581] [--token T]... [--zone NAME[:enterprise]]...
               [--batch-limit 200] [--real-limits] [--latency MS] [--error-rate 0..1]`;

function num(v: string | undefined, what: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${what} must be a non-negative number, got "${v}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '4581' },
      token: { type: 'string', multiple: true },
      zone: { type: 'string', multiple: true },
      'batch-limit': { type: 'string' },
      'real-limits': { type: 'boolean', default: false },
      latency: { type: 'string' },
      'error-rate': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const zones = (values.zone ?? ['example.com']).map((z) => {
    const [name, plan] = z.split(':');
    return { name: name!, enterprise: plan === 'enterprise' };
  });
  const emu = await startCloudflareEmulator({
    host: values.host,
    port: num(values.port, 'port', 4581),
    tokens: values.token ?? ['test-token'],
    zones,
    batchLimit: num(values['batch-limit'], 'batch-limit', 200),
    faults: {
      rateLimit: values['real-limits'] ? REAL_RATE_LIMIT : null,
      latencyMs: num(values.latency, 'latency', 0),
      error5xxRate: num(values['error-rate'], 'error-rate', 0),
    },
  });
  console.log(`cloudflare emulator listening: endpoint ${emu.url}`);
  for (const z of zones) console.log(`  zone ${z.name} id ${emu.zone(z.name).id}`);
  console.log(
    `  admin: ${emu.url.replace(/\/client\/v4$/, '')}/__emulator/{stats,faults,zones/<zone>/records}`,
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
  console.error(err instanceof Error ? err.message : String(err));
  console.error(USAGE);
  process.exit(2);
});
