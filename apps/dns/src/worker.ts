/**
 * A DNS worker process forked by DnsWorkerPool (issue 11 §2): it loads only what answering needs, the
 * DNS server and the logger, and reads the static base the primary built once from the config and wrote
 * to a private file (a JSON parse: no YAML, no schema validation, no second copy of the config in every
 * worker). It can still build the base from the config itself (a config source, the older protocol).
 * No provider SDKs, HTTP framework, queues or metrics registry are loaded, so an idle worker stays
 * small. dist/dns-worker.mjs (worker-main.ts) reads base files only, without the config reader in its
 * bundle; the main bundle falls back to runLeanDnsWorker when run as a cluster worker.
 */
import type { ConfigOrigin, LoadedConfig } from '@understudy/config';
import { zoneBaseFromConfig, type ZoneBase } from '@understudy/dns-server';
import { loadBaseFile, type WorkerBaseFile } from './worker-base-file.js';
import { runWorkerProcess } from './worker-run.js';

export { writeWorkerBase, type WorkerBaseFile } from './worker-base-file.js';

/** Where a worker reads the config the primary runs, and the hash it must have. */
export type WorkerConfigSource = ConfigOrigin & { hash: string };

/** The worker config source of a loaded config. */
export function workerConfigOf(loaded: LoadedConfig): WorkerConfigSource {
  return { ...loaded.origin, hash: loaded.hash };
}

function isSource(v: unknown): v is WorkerConfigSource | WorkerBaseFile {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  if (typeof s.hash !== 'string') return false;
  if (s.kind === 'file' || s.kind === 'base') return typeof s.file === 'string';
  return s.kind === 'text' && typeof s.text === 'string' && typeof s.baseDir === 'string';
}

/** The static base `source` names (a base file or a config); refuses one that is not the primary's. */
export async function loadWorkerBase(source: unknown): Promise<ZoneBase> {
  if (!isSource(source)) throw new Error('dns worker: the primary sent no config source it can read');
  if (source.kind === 'base') return loadBaseFile(source);
  // Only this older path needs the config reader (YAML, schema validation): loaded when it is taken.
  const { loadConfig, parseConfig } = await import('@understudy/config');
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
  // The parsed config and the build's garbage are given back once this worker answers (settleHeap).
  return zoneBaseFromConfig(loaded.config);
}

/** Runs this process as a DNS worker (base file or config source) until the primary says close or goes away. */
export function runLeanDnsWorker(): Promise<void> {
  return runWorkerProcess(loadWorkerBase);
}
