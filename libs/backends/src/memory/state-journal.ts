/**
 * The state file's journal (journalFileFor): JSON Lines beside the state file, one entry per durable write,
 * appended and fsynced, so a decision costs what it changed (its decider patch and overlay delta) rather
 * than a rewrite of the whole state. Each entry has a sequence number `n`; the state file records the last
 * one it includes (StateDocument.journal), so entries at or below it are skipped when replaying (a crash
 * between compaction's rename and the journal's truncation).
 *
 * - Loading: the state file, then every entry after its `journal` mark, in order. An unparsable last line
 *   (a torn append) is ignored with a warning; anything unparsable before it is a StateFileError. A file whose
 *   tail is not clean is compacted by the next write before it appends. Loading never writes.
 * - Compaction (past the limits, and on close): the store makes the events file durable, writes the whole state
 *   file atomically, then removes the journal.
 * - Issue 11: an entry also carries the events its write added, so a commit is one append and one fsync; the
 *   events file (events-file.ts) is appended after the write became current, unsynced, and made durable
 *   before compaction removes the journal. Opening adds the journal's events to the events file's.
 * - An entry's long lists are packed (journal-pack.ts): 16 or more events are written as `ev`, the first
 *   whole and each next one as its differences from the one before, and a decider patch of 16 or more
 *   records as `dr: {ids, states}`, its states packed the same way. A failover of 1,100 records was a
 *   ~1.4 MB entry, mostly near-identical events and record states; packed it is ~0.3 MB, and serialising
 *   it, deflating it and writing it all shrink with it. Reading unpacks them into `events` and
 *   `decider.records`, so an entry read back is the entry written. Entries written whole (before packing)
 *   are read as they are.
 * - An entry longer than `compressAbove` is written as `{"n":…,"z":"<base64 of the raw-deflated entry>"}`,
 *   deflated off the main thread, so the fsync the decision waits for is shorter (an unpacked failover of
 *   1,100 records took 36-68 ms to fsync on the test machine's disk, against ~7 ms to deflate). The
 *   compaction limit counts the entries' inflated bytes, what replay parses.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { deflateRaw, inflateRawSync } from 'node:zlib';
import type {
  DecisionEvent,
  DeciderStatePatch,
  Logger,
  OverlayUpdate,
  Publication,
  TargetSyncStatus,
} from '@understudy/core';
import { PACK_MIN, pack, unpack } from './journal-pack.js';
import { StateFileError } from './state-file.js';

export interface JournalEntry {
  n: number;
  /** The store's fencing mark after this write. */
  epoch: number;
  /** Decider state changes since the previous entry (merged), if any. */
  decider?: DeciderStatePatch;
  /** The overlay update this write applied, if any. */
  update?: OverlayUpdate;
  /** Whole lists when they changed since the previous entry (small: one per target/instance). */
  publications?: Publication[];
  targets?: TargetSyncStatus[];
  /** The events this write added (in the order given), if any. */
  events?: DecisionEvent[];
}

/** state.json → state.journal.jsonl (any other name gets ".journal.jsonl" appended). */
export function journalFileFor(file: string): string {
  return file.endsWith('.json') ? `${file.slice(0, -'.json'.length)}.journal.jsonl` : `${file}.journal.jsonl`;
}

const deflate = promisify(deflateRaw);

/** Entries longer than this are deflated by default (a one-record change stays readable text). */
export const DEFAULT_COMPRESS_ABOVE = 64 * 1024;

export interface LoadedJournal {
  entries: JournalEntry[];
  /** Inflated bytes (what replay parses). */
  bytes: number;
  /** A torn or unterminated last line: the next write compacts before appending. */
  clean: boolean;
}

function isEntry(v: unknown): v is JournalEntry {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const e = v as Record<string, unknown>;
  if (!Number.isSafeInteger(e.n) || !Number.isSafeInteger(e.epoch)) return false;
  if (e.events === undefined) return true;
  return (
    Array.isArray(e.events) &&
    e.events.every(
      (ev: unknown) =>
        typeof ev === 'object' && ev !== null && Number.isSafeInteger((ev as { seq?: unknown }).seq),
    )
  );
}

export async function readJournal(file: string, logger: Logger): Promise<LoadedJournal> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], bytes: 0, clean: true };
    throw new StateFileError(file, `cannot read: ${(err as Error).message}`, { cause: err });
  }
  const lines = text.split('\n');
  const complete = text.endsWith('\n') || text.length === 0;
  if (complete) lines.pop();
  const entries: JournalEntry[] = [];
  let clean = complete;
  let bytes = 0;
  for (let i = 0; i < lines.length; i++) {
    let value: unknown;
    try {
      const decoded = decode(lines[i]!);
      value = decoded.value;
      bytes += decoded.bytes;
    } catch (err) {
      if (i === lines.length - 1) {
        logger.warn({ file, line: i + 1 }, 'state journal: ignoring a torn last line');
        clean = false;
        break;
      }
      throw new StateFileError(file, `line ${i + 1}: corrupt entry: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (!isEntry(value))
      throw new StateFileError(file, `line ${i + 1}: not a journal entry (n, epoch, events with seqs)`);
    entries.push(value);
  }
  return { entries, bytes, clean };
}

/** One line's entry, inflated when it was written deflated and unpacked; throws on anything unreadable. */
function decode(line: string): { value: unknown; bytes: number } {
  const value = JSON.parse(line) as unknown;
  const z = typeof value === 'object' && value !== null ? (value as { z?: unknown }).z : undefined;
  if (typeof z !== 'string') return { value: unpacked(value), bytes: line.length + 1 };
  const text = inflateRawSync(Buffer.from(z, 'base64')).toString('utf8');
  const entry = JSON.parse(text) as unknown;
  if ((entry as { n?: unknown } | null)?.n !== (value as { n?: unknown }).n)
    throw new Error('a deflated entry whose n differs from its line');
  return { value: unpacked(entry), bytes: text.length + 1 };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An entry's packed lists (`ev`, `dr`) back in `events` and `decider.records`. */
function unpacked(value: unknown): unknown {
  if (!isObject(value)) return value;
  if (value.ev !== undefined) {
    if (value.events !== undefined) throw new Error('an entry with both "ev" and "events"');
    value.events = unpack(value.ev, 'ev');
    delete value.ev;
  }
  if (value.dr !== undefined) {
    const { dr, decider } = value;
    if (!isObject(dr) || !Array.isArray(dr.ids) || !dr.ids.every((id) => typeof id === 'string'))
      throw new Error('"dr" must hold a list of record ids and their packed states');
    const ids = dr.ids;
    const states = unpack(dr.states, 'dr.states');
    if (states.length !== ids.length)
      throw new Error(`"dr" has ${ids.length} ids but ${states.length} states`);
    if (!isObject(decider) || decider.records !== undefined)
      throw new Error('"dr" needs a decider patch without records of its own');
    const records: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (let i = 0; i < ids.length; i++) records[ids[i]!] = states[i];
    decider.records = { ...records };
    delete value.dr;
  }
  return value;
}

/** An entry's JSON text, its long lists packed (see the header). */
export function entryText(
  n: number,
  entry: Omit<JournalEntry, 'n' | 'events'>,
  events: readonly DecisionEvent[],
): string {
  const out: Record<string, unknown> = { n, ...entry };
  const records = entry.decider?.records;
  if (entry.decider && records) {
    const ids = Object.keys(records);
    if (ids.length >= PACK_MIN) {
      const { records: _whole, ...rest } = entry.decider;
      out.decider = rest;
      out.dr = { ids, states: pack(ids.map((id) => records[id]!)) };
    }
  }
  if (events.length >= PACK_MIN) out.ev = pack(events);
  else if (events.length) out.events = events;
  return JSON.stringify(out);
}

/** Appends entries durably; tells the store when to compact. */
export class JournalFile {
  private entries: number;
  private size: number;
  private last: number;

  constructor(
    readonly path: string,
    loaded: LoadedJournal,
    /** The state file's mark: entries are numbered after it. */
    mark: number,
    private readonly limits: { entries: number; bytes: number },
    private tailClean = loaded.clean,
    private readonly compressAbove = DEFAULT_COMPRESS_ABOVE,
  ) {
    this.entries = loaded.entries.length;
    this.size = loaded.bytes;
    this.last = Math.max(mark, loaded.entries.at(-1)?.n ?? 0);
  }

  /** The sequence number the last entry got (what a compacted state file records). */
  get lastN(): number {
    return this.last;
  }

  /** False after a torn or failed append: the next write rewrites the state file and empties this first. */
  get clean(): boolean {
    return this.tailClean;
  }

  /** The journal has outgrown its limits (or is unclean): time to compact into the state file. */
  get needsCompaction(): boolean {
    return !this.tailClean || this.entries >= this.limits.entries || this.size >= this.limits.bytes;
  }

  /**
   * Appends and fsyncs one entry with `events`, its long lists packed and the whole deflated when longer
   * than compressAbove; returns the bytes written.
   */
  async append(
    entry: Omit<JournalEntry, 'n' | 'events'>,
    events: readonly DecisionEvent[] = [],
  ): Promise<number> {
    const n = this.last + 1;
    const text = entryText(n, entry, events);
    const line =
      text.length > this.compressAbove
        ? `{"n":${n},"z":"${(await deflate(Buffer.from(text, 'utf8'), { level: 1 })).toString('base64')}"}\n`
        : `${text}\n`;
    try {
      const fh = await open(this.path, 'a', 0o600);
      try {
        await fh.writeFile(line, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch (err) {
      // Part of the line may be on disk: the next write compacts rather than append after a fragment.
      this.tailClean = false;
      throw err;
    }
    this.last = n;
    this.entries++;
    this.size += text.length + 1;
    return line.length;
  }

  /** Nothing to replay: no entries and a clean tail. */
  get empty(): boolean {
    return this.entries === 0 && this.tailClean;
  }

  /**
   * After the state file took everything up to lastN: removes the journal (the next append creates it). Not
   * fsynced: if the removal is lost, the state file's mark makes its entries skipped on replay.
   */
  async remove(): Promise<void> {
    await rm(this.path, { force: true });
    this.entries = 0;
    this.size = 0;
    this.tailClean = true;
  }
}
