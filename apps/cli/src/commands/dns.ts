import { hostname } from 'node:os';
import { MemoryStateStore } from '@understudy/backends';
import { DnsRole } from '@understudy/dns';
import { createMetrics, installCrashHandlers, onShutdown, startOpsServer } from '@understudy/observability';
import { systemClock } from '../embedded.js';
import { dnsQueryCounter } from '../metrics-adapters.js';
import { loadOrExit, logWarnings, makeLogger } from './shared.js';

export interface DnsOptions {
  config: string;
  logLevel?: string;
}

/**
 * The DNS role on its own. Without a shared backend it serves the state file's last zone state (written by
 * `understudy run`) or, without one, the config with every failover record on its primary.
 */
export async function dnsCommand(opts: DnsOptions): Promise<void> {
  const loaded = await loadOrExit(opts.config);
  const { config } = loaded;
  const logger = makeLogger('understudy-dns', opts.logLevel ?? config.logging.level);
  installCrashHandlers(logger);
  logWarnings(loaded, logger);
  const metrics = createMetrics();
  const store = await MemoryStateStore.open({ file: config.state.file, logger });
  const role = await DnsRole.start({
    config,
    store,
    logger,
    clock: systemClock,
    instance: hostname(),
    onQueries: dnsQueryCounter(metrics).onQueries,
    onServing: (zs) => metrics.zoneSerial.set(zs.serial),
  });
  let closing = false;
  const ops = config.listen.http
    ? await startOpsServer({
        listen: config.listen.http,
        logger,
        registry: metrics.registry,
        readiness: () => ({ ready: !closing && role.ready, detail: { serial: role.serial } }),
      })
    : null;
  onShutdown({
    logger,
    steps: [
      { name: 'readiness', run: () => Promise.resolve(void (closing = true)) },
      { name: 'dns', run: () => role.close() },
      { name: 'ops', run: async () => ops?.close() },
      { name: 'store', run: () => store.close() },
    ],
  });
}
