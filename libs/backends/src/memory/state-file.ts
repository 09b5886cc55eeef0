/**
 * The embedded state file: one JSON document replaced atomically (temp file in the same directory, fsync,
 * rename, fsync of the directory) so a crash leaves either the old or the new document, never half.
 * The audit timeline lives in a sibling file (events-file.ts) because at its cap it weighs megabytes, and a
 * zone state write on the failover path should not have to rewrite it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { DeciderState, Publication, TargetSyncStatus, ZoneOverlay, ZoneState } from '@understudy/core';

export const STATE_FILE_FORMAT = 'understudy-state';
export const STATE_FILE_VERSION = 1;

export interface StateDocument {
  format: typeof STATE_FILE_FORMAT;
  version: typeof STATE_FILE_VERSION;
  /** Highest fencing epoch the store has seen (or handed out). */
  epoch: number;
  decider: DeciderState | null;
  /** The previous format's whole zone state; written as null now (older versions accept null). */
  zone: ZoneState | null;
  /** The stored serial; absent in files of the previous format. */
  serial?: number;
  /** The overlay; absent in files of the previous format. */
  overlay?: ZoneOverlay | null;
  publications: Publication[];
  /** Provider sync status per target; absent in files written before provider sync existed. */
  targets?: TargetSyncStatus[];
  /** The last journal entry (state-journal.ts) this document includes; absent: none. */
  journal?: number;
}

/** The state file exists but cannot be used. Never silently replaced by an empty state. */
export class StateFileError extends Error {
  override readonly name = 'StateFileError';
  constructor(
    readonly file: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`state file ${file}: ${problem}`, options);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Structural checks: enough to refuse a foreign or truncated file, not a full schema. */
function problemOf(doc: unknown): string | null {
  if (!isObject(doc) || doc.format !== STATE_FILE_FORMAT) return 'not an Understudy state file';
  if (doc.version !== STATE_FILE_VERSION) return `unsupported version ${JSON.stringify(doc.version)}`;
  if (!isCount(doc.epoch)) return 'epoch must be a non-negative integer';
  if (doc.decider !== null && !isObject(doc.decider)) return 'decider must be an object or null';
  if (doc.zone !== null) {
    const z = doc.zone;
    if (!isObject(z) || !isCount(z.serial) || !isCount(z.epoch) || !Array.isArray(z.zones)) {
      return 'zone must be a zone state (serial, epoch, zones) or null';
    }
  }
  if (doc.serial !== undefined && !isCount(doc.serial)) return 'serial must be a non-negative integer';
  if (doc.overlay !== undefined && doc.overlay !== null) {
    const o = doc.overlay;
    if (!isObject(o) || !isCount(o.serial) || !isCount(o.epoch) || !isObject(o.records)) {
      return 'overlay must be an overlay (serial, epoch, records) or null';
    }
  }
  if (doc.journal !== undefined && !isCount(doc.journal)) return 'journal must be a non-negative integer';
  if (!Array.isArray(doc.publications)) return 'publications must be an array';
  const badPub = doc.publications.findIndex(
    (p) =>
      !isObject(p) || typeof p.target !== 'string' || typeof p.instance !== 'string' || !isCount(p.serial),
  );
  if (badPub >= 0) return `publications[${badPub}] is not a publication`;
  if (doc.targets !== undefined) {
    if (!Array.isArray(doc.targets)) return 'targets must be an array';
    const badTarget = doc.targets.findIndex((t) => !isObject(t) || typeof t.target !== 'string');
    if (badTarget >= 0) return `targets[${badTarget}] is not a target sync status`;
  }
  return null;
}

/** Reads and checks the state file; null when it does not exist. */
export async function readStateFile(file: string): Promise<StateDocument | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StateFileError(file, `cannot read: ${(err as Error).message}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new StateFileError(file, `corrupt JSON: ${(err as Error).message}`, { cause: err });
  }
  const problem = problemOf(doc);
  if (problem) throw new StateFileError(file, problem);
  return doc as StateDocument;
}

export async function ensureDirectory(file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
}

export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncDirectory(dir);
}

/** Makes the rename itself durable. Some filesystems refuse fsync on a directory; the rename still happened. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const dh = await open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    // Best effort by design (see above).
  }
}
