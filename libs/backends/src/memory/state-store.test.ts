import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '@understudy/core';
import { TransientError, updateSerial, type OverlayUpdate, fullPatch } from '@understudy/core';
import {
  describeStateStoreConformance,
  makeDeciderState,
  makeEvents,
  delta,
  full,
  makeOverlay,
  waitFor,
} from '../conformance/index.js';
import { eventsFileFor } from './events-file.js';
import { StateFileError } from './state-file.js';
import { MemoryStateStore } from './state-store.js';
import { journalFileFor } from './state-journal.js';

/** The journal's entries as written (state-journal.ts), [] when there is none. */
function journalEntries(file: string): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(journalFileFor(file), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function tracker(makeFile: () => Promise<string | null>, flushDelayMs = 20) {
  let open: MemoryStateStore[] = [];
  let file: string | null = null;
  let dirs: string[] = [];
  const openStore = async () => {
    const store = await MemoryStateStore.open({ file, maxEvents: 50, flushDelayMs });
    open.push(store);
    return store;
  };
  return {
    eventCap: 50,
    async create() {
      file = await makeFile();
      if (file) dirs.push(join(file, '..'));
      return openStore();
    },
    cleanup: async () => {
      await Promise.all(open.map((s) => s.close()));
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
      open = [];
      dirs = [];
    },
    reopen: openStore,
    // The old store stays open (closed by cleanup, after the test): nothing it defers reaches the file first.
    crashReopen: openStore,
  };
}

const memoryOnly = tracker(() => Promise.resolve(null));
describeStateStoreConformance('MemoryStateStore (memory only)', {
  create: memoryOnly.create,
  cleanup: memoryOnly.cleanup,
  eventCap: memoryOnly.eventCap,
});

// A debounce far beyond any test's length: what the crash tests find on disk was written by the calls they make.
const withFile = tracker(
  async () => join(await mkdtemp(join(tmpdir(), 'understudy-state-')), 'state.json'),
  600_000,
);
describeStateStoreConformance('MemoryStateStore (JSON file)', withFile);

function capture(): Logger & { errors: unknown[] } {
  const errors: unknown[] = [];
  const noop = () => undefined;
  const logger = {
    errors,
    trace: noop,
    debug: noop,
    info: noop,
    warn: noop,
    error: (obj: unknown) => {
      errors.push(obj);
    },
    fatal: noop,
    child: () => logger,
  };
  return logger;
}

describe('MemoryStateStore overlay journal', () => {
  const records = (serial: number, n: number): Record<string, string[]> =>
    Object.fromEntries(
      Array.from({ length: n }, (_, i) => [`r${i}.example.test./A`, [`192.0.2.${serial % 250}`]]),
    );

  it('keeps at most journalRecords record entries of deltas, the newest delta always (issue 11)', async () => {
    const store = await MemoryStateStore.open({ journalRecords: 10 });
    try {
      await store.writeOverlay(full(100, 1));
      for (let s = 101; s <= 105; s++) await store.writeOverlay(delta(s - 1, s, 1, records(s, 4)));
      // 4 + 4 entries fit in 10, a third delta would not: a reader from 102 or before reads the overlay.
      expect(await store.readDeltas(102)).toBeNull();
      expect((await store.readDeltas(103))!.map((d) => d.serial)).toEqual([104, 105]);
      // One delta larger than the budget is still kept alone.
      await store.writeOverlay(delta(105, 106, 1, records(106, 25)));
      expect((await store.readDeltas(105))!.map((d) => d.serial)).toEqual([106]);
      expect(await store.readDeltas(104)).toBeNull();
      // The overlay itself has every record: its two, and the 25 the deltas named.
      expect(Object.keys((await store.readOverlay())!.records)).toHaveLength(27);
    } finally {
      await store.close();
    }
  });

  it('refuses a journalRecords that is not a positive integer, naming it', async () => {
    await expect(MemoryStateStore.open({ journalRecords: 0 })).rejects.toThrow(
      /journalRecords must be a positive integer, got 0/,
    );
  });
});

describe('MemoryStateStore file handling', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'understudy-state-'));
    file = join(dir, 'nested', 'state.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts empty when the file is missing and creates its directory', async () => {
    const store = await MemoryStateStore.open({ file });
    expect(await store.readOverlay()).toBeNull();
    await store.writeOverlay(full(1, 1));
    // A durable write lands in the journal; close() compacts it into the state file.
    expect(journalEntries(file)).toMatchObject([{ n: 1, update: { kind: 'full' } }]);
    await store.close();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
      format: 'understudy-state',
      version: 1,
      journal: 1,
    });
    expect(await readdir(join(dir, 'nested'))).toEqual(['state.json']);
  });

  it.each([
    ['truncated JSON', 'state.json', '{"format":"understudy-state","vers', /state\.json: corrupt JSON/],
    ['a foreign document', 'state.json', '{"hello":"world"}', /state\.json: not an Understudy state file/],
    [
      'an unknown version',
      'state.json',
      '{"format":"understudy-state","version":9}',
      /unsupported version 9/,
    ],
    [
      'a foreign events file',
      'state.events.json',
      '[]',
      /state\.events\.json: not an Understudy events file/,
    ],
    [
      'a bad event',
      'state.events.json',
      '{"format":"understudy-events","version":1,"events":[{"seq":1},{}]}',
      /state\.events\.json: events\[1\] has no valid seq/,
    ],
  ])('refuses to start from %s, naming the file', async (_what, name, content, message) => {
    await mkdir(join(dir, 'nested'));
    await writeFile(join(dir, 'nested', name), content);
    const opening = MemoryStateStore.open({ file });
    await expect(opening).rejects.toBeInstanceOf(StateFileError);
    await expect(opening).rejects.toThrow(message);
    await expect(opening).rejects.toThrow(join(dir, 'nested', name));
  });

  it('opens a file of the previous format: its zone state serial fences, a full overlay replaces it', async () => {
    await mkdir(join(dir, 'nested'));
    const old = { serial: 500, epoch: 2, generatedAt: 1, zones: [{ apex: 'example.test.', rrsets: [] }] };
    const doc = {
      format: 'understudy-state',
      version: 1,
      epoch: 2,
      decider: null,
      zone: old,
      publications: [],
    };
    await writeFile(file, JSON.stringify(doc));
    const store = await MemoryStateStore.open({ file });
    expect(await store.readOverlay()).toBeNull();
    const refused = { ok: false, reason: 'stale-serial', storedSerial: 500 };
    expect(await store.writeOverlay(full(400, 2))).toEqual(refused);
    expect(await store.writeOverlay(delta(500, 501, 2))).toEqual(refused);
    expect(await store.writeOverlay(full(501, 2))).toEqual({ ok: true });
    await store.close();
    const written = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(written).toMatchObject({ zone: null, serial: 501, overlay: makeOverlay(501, 2) });
    const again = await MemoryStateStore.open({ file });
    expect(await again.readOverlay()).toEqual(makeOverlay(501, 2));
    expect(await again.readDeltas(501)).toEqual([]);
    expect(await again.readDeltas(500)).toBeNull();
    await again.close();
  });

  it('keeps events in a sibling file so zone state writes stay small', async () => {
    const store = await MemoryStateStore.open({ file });
    await store.appendEvents(makeEvents(1, 30), 1);
    await store.writeOverlay(full(9, 1));
    await store.close();
    expect(await readdir(join(dir, 'nested'))).toEqual(['state.events.json', 'state.json']);
    const main = await readFile(file, 'utf8');
    expect(main).not.toContain('"seq"');
    const lines = (await readFile(join(dir, 'nested', 'state.events.json'), 'utf8')).trimEnd().split('\n');
    expect(JSON.parse(lines[0]!)).toEqual({ format: 'understudy-events', version: 2 });
    const seqs = lines.slice(1).map((l) => (JSON.parse(l) as { seq: number }).seq);
    expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(eventsFileFor('/var/lib/understudy/state')).toBe('/var/lib/understudy/state.events.json');
  });

  it('debounces decider state writes, and close() flushes them', async () => {
    const store = await MemoryStateStore.open({ file, flushDelayMs: 60_000 });
    await store.writeOverlay(full(5, 1));
    await store.saveDecider(fullPatch(makeDeciderState(5)), 1);
    expect(journalEntries(file).filter((e) => e.decider)).toEqual([]);
    await store.close();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ decider: makeDeciderState(5) });
  });

  it('writes debounced state after flushDelayMs without close()', async () => {
    const store = await MemoryStateStore.open({ file, flushDelayMs: 10 });
    await store.saveDecider(fullPatch(makeDeciderState(6)), 1);
    await waitFor(() => journalEntries(file).some((e) => e.decider), 'the debounced write');
    await store.close();
  });

  it('leaves no temporary files behind', async () => {
    const store = await MemoryStateStore.open({ file, flushDelayMs: 0 });
    for (let i = 1; i <= 20; i++) await store.writeOverlay(full(i, 1));
    await store.close();
    expect(await readdir(join(dir, 'nested'))).toEqual(['state.json']);
  });

  it('rejects a write with TransientError and changes nothing when the file cannot be written', async () => {
    const logger = capture();
    const store = await MemoryStateStore.open({ file, logger });
    expect(await store.writeOverlay(full(10, 2))).toEqual({ ok: true });
    const seen: number[] = [];
    store.subscribe((u) => seen.push(updateSerial(u)));
    // Replace the directory with a plain file: every write fails, even for root.
    await rm(join(dir, 'nested'), { recursive: true });
    await writeFile(join(dir, 'nested'), 'not a directory');
    await expect(store.writeOverlay(full(11, 3))).rejects.toBeInstanceOf(TransientError);
    // A delta is applied in place before the write: a failed write puts every record back.
    await expect(store.writeOverlay(delta(10, 11, 3))).rejects.toBeInstanceOf(TransientError);
    expect(await store.readOverlay()).toEqual(makeOverlay(10, 2));
    expect(await store.readDeltas(10)).toEqual([]);
    await expect(store.appendEvents(makeEvents(1, 2), 3)).rejects.toBeInstanceOf(TransientError);
    await expect(store.nextEpoch()).rejects.toBeInstanceOf(TransientError);
    expect((await store.readOverlay())?.serial).toBe(10);
    expect(await store.readEvents({ limit: 10 })).toEqual([]);
    expect(store.highestEpoch).toBe(2);
    expect(seen).toEqual([]);
    await expect(store.close()).resolves.toBeUndefined();
  });

  it('logs a failed debounced write and retries it until it succeeds', async () => {
    const logger = capture();
    const store = await MemoryStateStore.open({ file, logger, flushDelayMs: 5 });
    await rm(join(dir, 'nested'), { recursive: true });
    await writeFile(join(dir, 'nested'), 'not a directory');
    expect(await store.saveDecider(fullPatch(makeDeciderState(8)), 1)).toEqual({ ok: true });
    await waitFor(() => logger.errors.length >= 1, 'the failed write to be logged');
    expect(logger.errors[0]).toMatchObject({ file });
    await rm(join(dir, 'nested'));
    await mkdir(join(dir, 'nested'));
    await waitFor(() => {
      try {
        return (JSON.parse(readFileSync(file, 'utf8')) as { decider: unknown }).decider !== null;
      } catch {
        return false;
      }
    }, 'the retried write');
    await store.close();
  });

  it('persists handed-out epochs', async () => {
    const store = await MemoryStateStore.open({ file });
    expect([await store.nextEpoch(), await store.nextEpoch(), await store.nextEpoch()]).toEqual([1, 2, 3]);
    expect(await store.saveDecider(fullPatch(makeDeciderState()), 2)).toMatchObject({
      ok: false,
      storedEpoch: 3,
    });
    await store.close();
    const again = await MemoryStateStore.open({ file });
    expect(again.highestEpoch).toBe(3);
    expect(await again.nextEpoch()).toBe(4);
    await again.close();
  });
});

describe('MemoryStateStore in memory', () => {
  it('keeps its own copy of overlays so writers and readers cannot corrupt the store', async () => {
    const store = await MemoryStateStore.open();
    const seen: OverlayUpdate[] = [];
    store.subscribe((u) => seen.push(u));
    const zs = makeOverlay(3, 1);
    await store.writeOverlay({ kind: 'full', overlay: zs });
    zs.records['app.example.test./A']!.length = 0;
    const stored = (await store.readOverlay())!;
    expect(stored).toEqual(makeOverlay(3, 1));
    stored.records['app.example.test./A'] = ['203.0.113.9'];
    expect(await store.readOverlay()).toEqual(makeOverlay(3, 1));
    const notified = seen[0]!;
    expect(notified.kind === 'full' && Object.isFrozen(notified.overlay.records)).toBe(true);
    await store.close();
  });

  it('logs a throwing or rejecting subscriber', async () => {
    const logger = capture();
    const store = await MemoryStateStore.open({ logger });
    store.subscribe(() => {
      throw new Error('sync boom');
    });
    store.subscribe(() => Promise.reject(new Error('async boom')) as unknown as void);
    expect(await store.writeOverlay(full(1, 1))).toEqual({ ok: true });
    await waitFor(() => logger.errors.length >= 2, 'two error logs');
    expect(logger.errors).toEqual([
      expect.objectContaining({
        serial: 1,
        err: expect.objectContaining({ message: 'sync boom' }) as unknown,
      }),
      expect.objectContaining({
        serial: 1,
        err: expect.objectContaining({ message: 'async boom' }) as unknown,
      }),
    ]);
    await store.close();
  });

  it('rejects bad queries and calls after close', async () => {
    const store = await MemoryStateStore.open();
    await expect(store.readEvents({ limit: -1 })).rejects.toThrow(RangeError);
    await expect(store.readEvents({ limit: 1.5 })).rejects.toThrow(RangeError);
    await expect(store.saveDecider(fullPatch(makeDeciderState()), -1)).rejects.toThrow(RangeError);
    await expect(store.writeOverlay(full(Number.NaN, 1))).rejects.toThrow(RangeError);
    expect(await store.writeOverlay(full(0, 1))).toEqual({
      ok: false,
      reason: 'stale-serial',
      storedSerial: 0,
    });
    await store.close();
    await expect(store.loadDecider()).rejects.toThrow(/closed/);
    await expect(store.writeOverlay(full(1, 1))).rejects.toThrow(/closed/);
  });

  it('keeps events ordered by seq when they arrive out of order', async () => {
    const store = await MemoryStateStore.open({ maxEvents: 5 });
    await store.appendEvents([...makeEvents(5, 3), ...makeEvents(1, 2)], 1);
    await store.appendEvents(makeEvents(3, 2), 1);
    expect((await store.readEvents({ limit: 10 })).map((e) => e.seq)).toEqual([7, 6, 5, 4, 3]);
    await store.close();
  });
});
