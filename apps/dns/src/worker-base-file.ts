/**
 * The static base as a file (issue 11): the main process builds the base once from the config and writes
 * it as JSON to a private directory; every DNS worker reads it back with one JSON parse, without the
 * config reader (YAML, schema validation) in its bundle.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ZoneBase } from '@understudy/dns-server';

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

/** Is `v` a base file source (what DnsRole hands the pool)? */
export function isBaseFile(v: unknown): v is WorkerBaseFile {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return s.kind === 'base' && typeof s.file === 'string' && typeof s.hash === 'string';
}

/** Reads a base file for a worker's loadBase; refuses anything else. */
export function loadBaseFile(source: unknown): ZoneBase {
  if (!isBaseFile(source)) throw new Error('dns worker: the primary sent no zone base file');
  // The build's garbage is given back later, once this worker answers (runWorkerProcess's settleHeap).
  return readBaseFile(source);
}
