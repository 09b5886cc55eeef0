/**
 * The audit timeline's file, beside the state file (eventsFileFor). Version 2 is JSON Lines: a header line
 * `{"format":"understudy-events","version":2}`, then one event per line, appended and fsynced per write. So an
 * append costs what it adds, not the whole timeline. Lines may repeat a seq or come out of order (a retried
 * append, an out-of-order batch); loading sorts and deduplicates, as the in-memory log does.
 *
 * - Compaction: once the file would hold more than `compactAbove` event lines, the next write replaces it
 *   atomically with the current (capped) timeline instead of appending.
 * - A crash mid-append can leave a torn last line. Loading ignores an unparsable last line with a warning;
 *   anything unparsable or invalid before it is a StateFileError naming the file and line. A file whose tail
 *   is not clean (torn, or a last line without its newline) is rewritten whole by the next write, so a later
 *   append never lands after a fragment.
 * - Version 1 (one JSON document, `{"format","version":1,"events":[…]}`) is still read, and the first write
 *   after loading it rewrites the file as version 2. Loading never writes, so a reader (understudy status)
 *   can open the file of a running instance.
 * - Issue 11: the state journal holds every event until it is compacted (state-journal.ts), so appends here
 *   are not synced on the decision's path; sync() makes the file durable before the journal is removed.
 */
import { constants } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import type { DecisionEvent, Logger } from '@understudy/core';
import type { EventLog } from './event-log.js';
import { StateFileError, writeFileAtomic } from './state-file.js';

export const EVENTS_FILE_FORMAT = 'understudy-events';
export const EVENTS_FILE_VERSION = 2;
const HEADER = JSON.stringify({ format: EVENTS_FILE_FORMAT, version: EVENTS_FILE_VERSION });

/** state.json → state.events.json (any other name gets ".events.json" appended). */
export function eventsFileFor(file: string): string {
  return file.endsWith('.json') ? `${file.slice(0, -'.json'.length)}.events.json` : `${file}.events.json`;
}

export interface LoadedEvents {
  events: DecisionEvent[];
  /** Event lines the file holds (duplicates included): what compaction counts. */
  lines: number;
  /** The file cannot take appends as it is: missing, version 1, or an unclean tail. */
  needsRewrite: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasSeq(v: unknown): boolean {
  return isObject(v) && typeof v.seq === 'number' && Number.isSafeInteger(v.seq) && v.seq >= 0;
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

function parse(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** Reads and checks the events file; an empty timeline when it does not exist. */
export async function readEventsFile(file: string, logger: Logger): Promise<LoadedEvents> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], lines: 0, needsRewrite: true };
    throw new StateFileError(file, `cannot read: ${(err as Error).message}`, { cause: err });
  }
  const lines = text.split('\n');
  const head = parse(lines[0]!);
  if (head.ok && isObject(head.value) && head.value.format === EVENTS_FILE_FORMAT) {
    if (head.value.version === EVENTS_FILE_VERSION) return parseLines(file, lines, logger);
    if (head.value.version !== 1) {
      throw new StateFileError(file, `unsupported version ${JSON.stringify(head.value.version)}`);
    }
  }
  return parseVersion1(file, text);
}

/** Version 2: lines[0] is the header; lines[last] is '' when the file ends with a newline, as it should. */
function parseLines(file: string, lines: string[], logger: Logger): LoadedEvents {
  const terminated = lines[lines.length - 1] === '';
  const lastLine = terminated ? lines.length - 2 : lines.length - 1;
  const events: DecisionEvent[] = [];
  for (let i = 1; i <= lastLine; i++) {
    const parsed = parse(lines[i]!);
    if (!parsed.ok && i === lastLine) {
      logger.warn(
        { file, line: i + 1, error: parsed.error },
        'events file: ignoring a torn last line (an append cut short by a crash)',
      );
      return { events, lines: events.length, needsRewrite: true };
    }
    if (!parsed.ok) throw new StateFileError(file, `line ${i + 1}: corrupt JSON: ${parsed.error}`);
    if (!hasSeq(parsed.value)) throw new StateFileError(file, `line ${i + 1}: not an event with a valid seq`);
    events.push(parsed.value as DecisionEvent);
  }
  return { events, lines: events.length, needsRewrite: !terminated };
}

function parseVersion1(file: string, text: string): LoadedEvents {
  const doc = parse(text);
  if (!doc.ok) throw new StateFileError(file, `corrupt JSON: ${doc.error}`);
  const v = doc.value;
  if (!isObject(v) || v.format !== EVENTS_FILE_FORMAT)
    throw new StateFileError(file, 'not an Understudy events file');
  if (v.version !== 1) throw new StateFileError(file, `unsupported version ${JSON.stringify(v.version)}`);
  if (!Array.isArray(v.events)) throw new StateFileError(file, 'events must be an array');
  const bad = v.events.findIndex((e) => !hasSeq(e));
  if (bad >= 0) throw new StateFileError(file, `events[${bad}] has no valid seq`);
  const events = v.events as DecisionEvent[];
  return { events, lines: events.length, needsRewrite: true };
}

/** Appends lines. No O_CREAT: a file that vanished must be rewritten whole, header first. */
async function appendLines(file: string, lines: readonly string[]): Promise<void> {
  const fh = await open(file, constants.O_WRONLY | constants.O_APPEND);
  try {
    await fh.appendFile(`${lines.join('\n')}\n`, 'utf8');
  } finally {
    await fh.close();
  }
}

async function syncFile(file: string): Promise<void> {
  const fh = await open(file, constants.O_WRONLY);
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

/** Writes to one events file on behalf of one store (the store serialises the calls). */
export class EventsFile {
  private lines: number;
  private needsRewrite: boolean;
  /** Lines were appended since the last sync. */
  private unsynced = false;

  constructor(
    readonly path: string,
    loaded: Pick<LoadedEvents, 'lines' | 'needsRewrite'>,
    private readonly compactAbove: number,
  ) {
    this.lines = loaded.lines;
    this.needsRewrite = loaded.needsRewrite;
  }

  /**
   * Appends `added` (lines already in `log`), unsynced: the state journal holds them until sync(). The whole
   * of `log` is written atomically instead when the file needs compaction or repair. On failure the file is
   * rewritten by the next call.
   */
  async append(log: EventLog, added: readonly string[]): Promise<void> {
    if (added.length === 0) return;
    if (this.needsRewrite || this.lines + added.length > this.compactAbove) return this.rewrite(log);
    try {
      this.unsynced = true;
      await appendLines(this.path, added);
      this.lines += added.length;
    } catch (err) {
      // Part of the batch may have reached the file: never append after it.
      this.needsRewrite = true;
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.rewrite(log);
      throw err;
    }
  }

  /** The file holds every event of `log` durably (before the journal that also holds them goes). */
  async sync(log: EventLog): Promise<void> {
    // No events: nothing to keep (and no file created beside a state that never had any).
    if (this.needsRewrite) return log.size ? this.rewrite(log) : undefined;
    if (!this.unsynced) return;
    await syncFile(this.path);
    this.unsynced = false;
  }

  /** Some event the store holds is missing from the file (a crash lost an unsynced append): rewrite it. */
  markIncomplete(): void {
    this.needsRewrite = true;
  }

  private async rewrite(log: EventLog): Promise<void> {
    const body = log.jsonLines();
    await writeFileAtomic(this.path, `${HEADER}\n${body.map((l) => `${l}\n`).join('')}`);
    this.lines = body.length;
    this.needsRewrite = false;
    this.unsynced = false;
  }
}
