/**
 * A DNS worker process forked by DnsWorkerPool (issue 11 §2): it loads only what answering needs, the
 * config reader, the DNS server and the logger, and builds the static base itself from the config the
 * primary names. No provider SDKs, HTTP framework, queues or metrics registry are loaded, so an idle
 * worker stays small. dist/dns-worker.mjs is this module's bundle; the main bundle falls back to it
 * when run as a cluster worker.
 */
import { loadConfig, parseConfig, type ConfigOrigin, type LoadedConfig } from '@understudy/config';
import { runDnsWorker, zoneBaseFromConfig, type ZoneBase } from '@understudy/dns-server';
import { createLogger } from '@understudy/observability/logger';

/** Where a worker reads the config the primary runs, and the hash it must have. */
export type WorkerConfigSource = ConfigOrigin & { hash: string };

/** The worker config source of a loaded config. */
export function workerConfigOf(loaded: LoadedConfig): WorkerConfigSource {
  return { ...loaded.origin, hash: loaded.hash };
}

function isSource(v: unknown): v is WorkerConfigSource {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  if (typeof s.hash !== 'string') return false;
  if (s.kind === 'file') return typeof s.file === 'string';
  return s.kind === 'text' && typeof s.text === 'string' && typeof s.baseDir === 'string';
}

/** The static base of the config `source` names; refuses a config that is not the primary's. */
export async function loadWorkerBase(source: unknown): Promise<ZoneBase> {
  if (!isSource(source)) throw new Error('dns worker: the primary sent no config source it can read');
  const loaded =
    source.kind === 'file'
      ? await loadConfig(source.file)
      : parseConfig(source.text, { source: source.source, baseDir: source.baseDir });
  if (loaded.hash !== source.hash) {
    const where = source.kind === 'file' ? source.file : source.source;
    throw new Error(
      `dns worker: config ${where} changed since the primary loaded it (hash ${loaded.hash.slice(0, 12)}, ` +
        `primary ${source.hash.slice(0, 12)}); restart so every process runs the same config`,
    );
  }
  const base = zoneBaseFromConfig(loaded.config);
  // Once the pool has built the answers from the base (synchronously, right after this resolves), the
  // parsed config and the build's garbage are dead: a full collection then lets the heap shrink back,
  // instead of holding the start-up peak for the life of the worker (DNS_WORKER_NODE_FLAGS exposes gc).
  setImmediate(() => (globalThis as { gc?: () => void }).gc?.());
  return base;
}

/** Runs this process as a DNS worker until the primary says close or goes away. */
export async function runLeanDnsWorker(): Promise<void> {
  // The primary stops its workers over IPC: signals sent to the whole process group (Ctrl-C, systemd) must
  // not kill a worker before the primary does.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => undefined);
  const logger = createLogger({
    name: 'understudy-dns-worker',
    level: process.env.UNDERSTUDY_LOG_LEVEL ?? 'info',
    pretty: false,
  });
  await runDnsWorker(logger, loadWorkerBase);
}
