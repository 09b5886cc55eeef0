/**
 * A DNS worker process forked by DnsWorkerPool (issue 11 §2): it loads only what answering needs, the
 * DNS server and the logger, and reads the static base the primary built once from the config and wrote
 * to a private file (a JSON parse: no YAML, no schema validation, no second copy of the config in every
 * worker). It can still build the base from the config itself (a config source, the older protocol).
 * No provider SDKs, HTTP framework, queues or metrics registry are loaded, so an idle worker stays
 * small. dist/dns-worker.mjs is this module's bundle; the main bundle falls back to it when run as a
 * cluster worker.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigOrigin, LoadedConfig } from '@understudy/config';
import { runDnsWorker, zoneBaseFromConfig, type ZoneBase } from '@understudy/dns-server';
import { createLogger } from '@understudy/observability/logger';

/** Where a worker reads the config the primary runs, and the hash it must have. */
export type WorkerConfigSource = ConfigOrigin & { hash: string };

/** A static base the primary wrote as JSON (writeWorkerBase), and the SHA-256 of that file. */
export interface WorkerBaseFile {
  kind: 'base';
  file: string;
  hash: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const BASE_DIR_PREFIX = 'understudy-dns-base-';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, as another user's process.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes base directories left by processes that are gone (killed before they could remove theirs). */
function removeStaleBases(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    const m = new RegExp(`^${BASE_DIR_PREFIX}(\\d+)-`).exec(name);
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1])))
      rmSync(join(dir, name), { recursive: true, force: true });
  }
}

/**
 * Writes `base` to a new private directory for the workers to read; remove() deletes it (call it when the
 * workers are gone). The directory is named after this process, so a later start removes it if this
 * process dies without doing so.
 */
export function writeWorkerBase(
  base: ZoneBase,
  dir = tmpdir(),
): { source: WorkerBaseFile; remove: () => void } {
  removeStaleBases(dir);
  const at = mkdtempSync(join(dir, `${BASE_DIR_PREFIX}${process.pid}-`));
  const file = join(at, 'base.json');
  const text = JSON.stringify(base);
  writeFileSync(file, text, { mode: 0o600 });
  return {
    source: { kind: 'base', file, hash: sha256(text) },
    remove: () => rmSync(at, { recursive: true, force: true }),
  };
}

function readBaseFile(source: WorkerBaseFile): ZoneBase {
  const text = readFileSync(source.file, 'utf8');
  if (sha256(text) !== source.hash)
    throw new Error(`dns worker: zone base ${source.file} is not the one the primary wrote; restart`);
  const base = JSON.parse(text) as ZoneBase;
  if (!Array.isArray(base?.zones) || !Array.isArray(base.slots))
    throw new Error(`dns worker: zone base ${source.file} has no zones or slots list`);
  return base;
}

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
  if (source.kind === 'base') {
    const base = readBaseFile(source);
    setImmediate(() => (globalThis as { gc?: () => void }).gc?.());
    return base;
  }
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
