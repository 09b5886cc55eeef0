import { mkdir, mkdtemp, readFile, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '@understudy/core';
import { makeEvent, makeEvents } from '../conformance/fixtures.js';
import { readEventsFile } from './events-file.js';
import { StateFileError } from './state-file.js';
import { MemoryStateStore } from './state-store.js';

const HEADER = '{"format":"understudy-events","version":2}';
const line = (seq: number) => JSON.stringify(makeEvent(seq));
const v2 = (...body: string[]) => [HEADER, ...body].join('\n');

function warnings(): Logger & { warned: unknown[] } {
  const warned: unknown[] = [];
  const noop = () => undefined;
  const logger = {
    warned,
    trace: noop,
    debug: noop,
    info: noop,
    warn: (obj: unknown) => {
      warned.push(obj);
    },
    error: noop,
    fatal: noop,
    child: () => logger,
  };
  return logger;
}

describe('events file (JSON Lines)', () => {
  let dir: string;
  let file: string;
  let eventsPath: string;
  let stores: MemoryStateStore[];
  const openStore = async (opts: { maxEvents?: number; logger?: Logger } = {}) => {
    const store = await MemoryStateStore.open({ file, flushDelayMs: 600_000, eventsFileDelayMs: 0, ...opts });
    stores.push(store);
    return store;
  };
  const seqsOf = async (store: MemoryStateStore) =>
    (await store.readEvents({ limit: 1000 })).map((e) => e.seq).reverse();
  const fileLines = async () => (await readFile(eventsPath, 'utf8')).split('\n');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'understudy-events-'));
    file = join(dir, 'state.json');
    eventsPath = join(dir, 'state.events.json');
    stores = [];
  });
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('appends to the file in place instead of rewriting it, one event per line', async () => {
    const store = await openStore({ maxEvents: 50 });
    await store.appendEvents(makeEvents(1, 50), 1);
    const before = await readFile(eventsPath, 'utf8');
    const { ino } = await stat(eventsPath);
    await store.appendEvents(makeEvents(51, 1), 1);
    await store.appendEvents(makeEvents(52, 2), 1);
    const after = await readFile(eventsPath, 'utf8');
    expect((await stat(eventsPath)).ino).toBe(ino);
    expect(after).toBe(`${before}${line(51)}\n${line(52)}\n${line(53)}\n`);
    expect(before.split('\n')[0]).toBe(HEADER);
  });

  it('writes only the events that are new: a retried append adds no lines', async () => {
    const store = await openStore();
    await store.appendEvents(makeEvents(1, 3), 1);
    await store.appendEvents(makeEvents(2, 3), 1);
    expect(await fileLines()).toEqual([HEADER, line(1), line(2), line(3), line(4), '']);
  });

  it('compacts to the newest maxEvents atomically once the file would pass twice the cap', async () => {
    const store = await openStore({ maxEvents: 5 });
    const { ino } = await (async () => {
      await store.appendEvents(makeEvents(1, 1), 1);
      return stat(eventsPath);
    })();
    for (let seq = 2; seq <= 10; seq++) await store.appendEvents(makeEvents(seq, 1), 1);
    expect(await fileLines()).toHaveLength(1 + 10 + 1);
    expect((await stat(eventsPath)).ino).toBe(ino);
    await store.appendEvents(makeEvents(11, 1), 1);
    expect(await fileLines()).toEqual([HEADER, ...[7, 8, 9, 10, 11].map(line), '']);
    expect((await stat(eventsPath)).ino).not.toBe(ino);
    for (let seq = 12; seq <= 40; seq++) await store.appendEvents(makeEvents(seq, 1), 1);
    expect((await fileLines()).length).toBeLessThanOrEqual(1 + 10 + 1);
    expect(await seqsOf(await openStore({ maxEvents: 5 }))).toEqual([36, 37, 38, 39, 40]);
  });

  it('loads duplicate and out-of-order lines as one ordered timeline', async () => {
    await writeFile(eventsPath, `${v2(line(2), line(1), line(2), line(3))}\n`);
    expect(await seqsOf(await openStore())).toEqual([1, 2, 3]);
  });

  it('ignores a torn last line with a warning, then repairs the file on the next append', async () => {
    const torn = line(4).slice(0, 57);
    await writeFile(eventsPath, v2(line(1), line(2), line(3), torn));
    const logger = warnings();
    const store = await openStore({ logger });
    expect(await seqsOf(store)).toEqual([1, 2, 3]);
    expect(logger.warned).toEqual([expect.objectContaining({ file: eventsPath, line: 5 })]);
    await store.appendEvents(makeEvents(4, 1), 1);
    expect(await fileLines()).toEqual([HEADER, line(1), line(2), line(3), line(4), '']);
    const quiet = warnings();
    expect(await seqsOf(await openStore({ logger: quiet }))).toEqual([1, 2, 3, 4]);
    expect(quiet.warned).toEqual([]);
  });

  it('ignores a last line of zeros (file size extended, data lost in a crash)', async () => {
    await writeFile(eventsPath, `${v2(line(1), '\u0000'.repeat(700))}\n`);
    const logger = warnings();
    expect(await seqsOf(await openStore({ logger }))).toEqual([1]);
    expect(logger.warned).toHaveLength(1);
  });

  it('keeps a complete last line that lost its newline, and terminates it before appending', async () => {
    await writeFile(eventsPath, v2(line(1), line(2)));
    const store = await openStore();
    expect(await seqsOf(store)).toEqual([1, 2]);
    await store.appendEvents(makeEvents(3, 1), 1);
    expect(await fileLines()).toEqual([HEADER, line(1), line(2), line(3), '']);
  });

  it.each([
    ['an unparsable line before the last', v2(line(1), '{"seq":2,"at', line(3)), /line 3: corrupt JSON/],
    ['an unparsable line before a final newline', `${v2('nope', line(2))}\n`, /line 2: corrupt JSON/],
    ['an empty line in the middle', `${v2(line(1), '', line(3))}\n`, /line 3: corrupt JSON/],
    ['a line that is not an event', `${v2(line(1), '{"at":5}', line(3))}\n`, /line 3: not an event/],
    ['a last line that parses but is not an event', `${v2(line(1), '[1]')}\n`, /line 3: not an event/],
    [
      'an unknown version',
      `{"format":"understudy-events","version":3}\n${line(1)}\n`,
      /unsupported version 3/,
    ],
    ['an empty file', '', /corrupt JSON/],
  ])('refuses %s, naming the file and line', async (_what, content, message) => {
    await writeFile(eventsPath, content);
    const loading = readEventsFile(eventsPath, warnings());
    await expect(loading).rejects.toBeInstanceOf(StateFileError);
    await expect(loading).rejects.toThrow(message);
    await expect(loading).rejects.toThrow(`state file ${eventsPath}:`);
  });

  it('reads a version 1 file without writing it, and migrates it with the first append', async () => {
    const legacy = JSON.stringify({ format: 'understudy-events', version: 1, events: makeEvents(1, 3) });
    await writeFile(eventsPath, legacy);
    const reader = await openStore();
    expect(await seqsOf(reader)).toEqual([1, 2, 3]);
    await reader.close();
    expect(await readFile(eventsPath, 'utf8')).toBe(legacy);
    const store = await openStore();
    await store.appendEvents(makeEvents(4, 1), 1);
    expect(await fileLines()).toEqual([HEADER, line(1), line(2), line(3), line(4), '']);
    expect(await seqsOf(await openStore())).toEqual([1, 2, 3, 4]);
  });

  it('recreates a file that vanished under a running store, header first', async () => {
    const store = await openStore();
    await store.appendEvents(makeEvents(1, 2), 1);
    await unlink(eventsPath);
    expect(await store.appendEvents(makeEvents(3, 1), 1)).toEqual({ ok: true });
    expect(await fileLines()).toEqual([HEADER, line(1), line(2), line(3), '']);
  });

  it('fails no write when the file cannot take it: the journal holds the events, the next write repairs the file', async () => {
    const store = await openStore();
    await store.appendEvents(makeEvents(1, 2), 1);
    await unlink(eventsPath);
    await mkdir(eventsPath); // opening it for writing fails (EISDIR), even for root
    expect(await store.appendEvents(makeEvents(3, 1), 1)).toEqual({ ok: true });
    expect(await seqsOf(store)).toEqual([1, 2, 3]);
    // What a write cut short (ENOSPC, EIO) leaves: the old lines and a fragment of the new one.
    await rmdir(eventsPath);
    await writeFile(eventsPath, `${v2(line(1), line(2))}\n${line(3).slice(0, 40)}`);
    // A crash now: the journal brings back event 3 the file lost.
    expect(await seqsOf(await openStore())).toEqual([1, 2, 3]);
    expect(await store.appendEvents(makeEvents(4, 1), 1)).toEqual({ ok: true });
    expect(await fileLines()).toEqual([HEADER, line(1), line(2), line(3), line(4), '']);
  });

  it('keeps every resolved append durable for a store opened without close() (a crash)', async () => {
    const store = await openStore({ maxEvents: 4 });
    for (let seq = 1; seq <= 12; seq++) await store.appendEvents(makeEvents(seq, 1), 1);
    expect(await seqsOf(await openStore({ maxEvents: 4 }))).toEqual([9, 10, 11, 12]);
  });
});
