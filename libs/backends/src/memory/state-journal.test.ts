/**
 * The memory store's state journal: a decision costs what it changed (bytes appended per commit stay small at
 * 10,000 failover records), a crash mid-append (torn last line) loses only that line, compaction folds the
 * journal into the state file, and a crash between compaction's two steps replays nothing twice.
 */
import { appendFile, mkdir, mkdtemp, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fullPatch, type DeciderState } from '@understudy/core';
import { waitFor } from '@understudy/testkit/wait';
import { delta, full, makeDeciderState, makeEvent, makeEvents, partialPatch } from '../conformance/index.js';
import { eventsFileFor } from './events-file.js';
import { StateFileError } from './state-file.js';
import { journalFileFor } from './state-journal.js';
import { MemoryStateStore } from './state-store.js';

const APP = 'app.example.test./A';

async function size(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** A decider state and an overlay with `n` failover records, as at 110,000 records with 10,000 failover. */
function big(n: number): { st: DeciderState; records: Record<string, string[]> } {
  const st = makeDeciderState(100, 1);
  const records: Record<string, string[]> = {};
  for (let i = 0; i < n; i++) {
    const id = `r${i}.example.test./A`;
    st.records[id] = structuredClone(st.records[APP]!);
    records[id] = ['192.0.2.1'];
  }
  return { st, records };
}

describe('MemoryStateStore state journal', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'understudy-journal-'));
    file = join(dir, 'state.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a one-record commit at 10,000 failover records writes a few KB, not the state', async () => {
    const store = await MemoryStateStore.open({ file, flushDelayMs: 60_000 });
    const { st, records } = big(10_000);
    const overlay = { serial: 100, epoch: 1, generatedAt: 1, records };
    expect(
      await store.commit({ decider: fullPatch(st), zone: { kind: 'full', overlay }, events: [] }, 1),
    ).toEqual({
      ok: true,
    });
    const before = { main: await size(file), journal: await size(journalFileFor(file)) };
    const mainText = await readFile(file, 'utf8').catch(() => '');
    st.serial = 101;
    st.eventSeq = 2;
    st.records['r7.example.test./A']!.values = ['192.0.2.2'];
    const one = { 'r7.example.test./A': ['192.0.2.2'] };
    const c = {
      decider: partialPatch(st, { records: ['r7.example.test./A'] }),
      zone: delta(100, 101, 1, one),
      events: makeEvents(2, 1),
    };
    expect(await store.commit(c, 1)).toEqual({ ok: true });
    const mainAfter = await readFile(file, 'utf8').catch(() => '');
    const mainBytes = mainAfter === mainText ? 0 : await size(file);
    const journalBytes = (await size(journalFileFor(file))) - before.journal;
    expect(mainBytes + journalBytes).toBeLessThan(4_096);
    expect(journalBytes).toBeGreaterThan(0);
    // Nothing was lost: a crash now (no close) replays the journal.
    const after = await MemoryStateStore.open({ file });
    expect(await after.loadDecider()).toEqual(st);
    expect((await after.readOverlay())?.records['r7.example.test./A']).toEqual(['192.0.2.2']);
    await after.close();
    await store.close();
  });

  it('ignores a torn last line, and the next write compacts before it appends', async () => {
    const store = await MemoryStateStore.open({ file });
    const st = makeDeciderState(10, 2);
    await store.commit({ decider: fullPatch(st), zone: full(10, 1), events: makeEvents(1, 2) }, 1);
    // The process died mid-append: half a line, no newline.
    await appendFile(journalFileFor(file), '{"n":2,"epoch":1,"decider":{"full":fal');
    const again = await MemoryStateStore.open({ file });
    expect(await again.loadDecider()).toEqual(st);
    expect((await again.readOverlay())?.serial).toBe(10);
    st.serial = 11;
    expect(await again.commit({ decider: partialPatch(st), zone: full(11, 1), events: [] }, 1)).toEqual({
      ok: true,
    });
    // The fragment is gone: the state file took everything, the journal holds only the new entry.
    const lines = (await readFile(journalFileFor(file), 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { n: number }).n)).toEqual([2]);
    const third = await MemoryStateStore.open({ file });
    expect(await third.loadDecider()).toEqual(st);
    expect((await third.readOverlay())?.serial).toBe(11);
    await Promise.all([store.close(), again.close(), third.close()]);
  });

  it('refuses a journal with a corrupt line before its last, naming the file and line', async () => {
    await writeFile(journalFileFor(file), '{"n":1,"epoch":1}\nnot json\n{"n":3,"epoch":1}\n');
    const opening = MemoryStateStore.open({ file });
    await expect(opening).rejects.toBeInstanceOf(StateFileError);
    await expect(opening).rejects.toThrow(`${journalFileFor(file)}: line 2`);
  });

  it('compacts into the state file past journalCompactEntries; a crash mid-compaction replays nothing twice', async () => {
    const store = await MemoryStateStore.open({ file, journalCompactEntries: 3 });
    const st = makeDeciderState(1, 0);
    await store.saveDecider(fullPatch(st), 1);
    let stale = '';
    for (let i = 1; i <= 5; i++) {
      st.serial = i;
      st.eventSeq = i;
      st.records[APP]!.values = [`192.0.2.${i}`];
      // Commits 2 and 3 both change one check: replaying 2 after the compacted 3 would bring back 2's value.
      if (i === 3) stale = await readFile(journalFileFor(file), 'utf8');
      const checks = i === 2 || i === 3 ? ['app-secondary'] : [];
      st.checks['app-secondary']!.verdictChangedAt = checks.length
        ? i
        : st.checks['app-secondary']!.verdictChangedAt;
      const p = partialPatch(st, { records: [APP], checks });
      expect(await store.commit({ decider: p, zone: full(i, 1), events: makeEvents(i, 1) }, 1)).toEqual({
        ok: true,
      });
    }
    const doc = JSON.parse(await readFile(file, 'utf8')) as { journal: number; serial: number };
    expect(doc.journal).toBe(3);
    expect(doc.serial).toBe(3);
    expect((await readFile(journalFileFor(file), 'utf8')).trimEnd().split('\n')).toHaveLength(2);
    // A crash between the state file's rename and the journal's removal: the old entries are still there.
    const current = await readFile(journalFileFor(file), 'utf8');
    await writeFile(journalFileFor(file), stale + current);
    const again = await MemoryStateStore.open({ file });
    expect(await again.loadDecider()).toEqual(st);
    expect((await again.readOverlay())?.serial).toBe(5);
    await Promise.all([store.close(), again.close()]);
  });
});

describe('MemoryStateStore state journal holds the events (issue 11: one fsync per commit)', () => {
  let dir: string;
  let file: string;
  let events: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'understudy-journal-'));
    file = join(dir, 'state.json');
    events = eventsFileFor(file);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const seqs = async (store: MemoryStateStore) =>
    (await store.readEvents({ limit: 100 })).map((e) => e.seq).reverse();

  it('writes a commit as one journal entry with its events; a crash that lost the events file append loses none', async () => {
    const store = await MemoryStateStore.open({ file, eventsFileDelayMs: 0 });
    const st = makeDeciderState(2, 1);
    await store.commit({ decider: fullPatch(st), zone: full(10, 1), events: makeEvents(1, 3) }, 1);
    const before = await readFile(events, 'utf8');
    st.serial = 11;
    const c = {
      decider: partialPatch(st),
      zone: delta(10, 11, 1, { [APP]: ['192.0.2.9'] }),
      events: makeEvents(4, 2),
    };
    expect(await store.commit(c, 1)).toEqual({ ok: true });
    const last = JSON.parse((await readFile(journalFileFor(file), 'utf8')).trimEnd().split('\n').at(-1)!) as {
      update?: unknown;
      events?: { seq: number }[];
    };
    expect(last.update).toBeDefined();
    expect(last.events?.map((e) => e.seq)).toEqual([4, 5]);
    // The events file was appended without a sync: a crash may lose that append, never the journal entry.
    await writeFile(events, before);
    const again = await MemoryStateStore.open({ file, eventsFileDelayMs: 0 });
    expect(await seqs(again)).toEqual([1, 2, 3, 4, 5]);
    expect((await again.readOverlay())?.records[APP]).toEqual(['192.0.2.9']);
    // The reopened store rewrites the file that lost events with its next write.
    expect(await again.appendEvents(makeEvents(6, 1), 1)).toEqual({ ok: true });
    expect((await readFile(events, 'utf8')).trimEnd().split('\n')).toHaveLength(1 + 6);
    await Promise.all([store.close(), again.close()]);
  });

  it('packs a failover-sized entry (many events, many records) and reads back exactly what was committed', async () => {
    const { st, records } = big(1_100);
    const store = await MemoryStateStore.open({ file, journalCompressAbove: Number.MAX_SAFE_INTEGER });
    const first = full(10, 1);
    if (first.kind === 'full') Object.assign(first.overlay.records, records);
    await store.commit({ decider: fullPatch(st), zone: first, events: [] }, 1);
    // A failover: every record switched, one event each, near-identical but for the record and seq.
    st.serial = 11;
    const switched: Record<string, string[]> = {};
    for (const id of Object.keys(records)) {
      const rs = st.records[id]!;
      rs.values = [`198.51.100.${id.length % 200}`];
      rs.switchedAt = 1_000;
      switched[id] = rs.values;
    }
    const events = Object.keys(records).map((id, i) => ({
      ...makeEvent(100),
      seq: 100 + i,
      record: id,
      message: `Record ${id}: failover`,
    }));
    const patch = { ...partialPatch(st), records: structuredClone(st.records) };
    expect(await store.commit({ decider: patch, zone: delta(10, 11, 1, switched), events }, 1)).toEqual({
      ok: true,
    });
    const line = (await readFile(journalFileFor(file), 'utf8')).trimEnd().split('\n').at(-1)!;
    const whole = JSON.stringify({ decider: patch, events }).length;
    expect(line.length).toBeLessThan(whole / 4);
    const entry = JSON.parse(line) as Record<string, unknown>;
    expect(entry.ev).toHaveLength(1_100);
    expect(entry.events).toBeUndefined();
    const again = await MemoryStateStore.open({ file });
    expect(await again.loadDecider()).toEqual(st);
    const read = (await again.readEvents({ limit: 2_000 })).slice().reverse();
    expect(read.filter((e) => e.seq >= 100)).toEqual(events);
    // Each record's state is its own: changing one changes no other (the engine changes them in place).
    const loaded = (await again.loadDecider())!;
    const [a, b] = Object.values(loaded.records);
    a!.healthySince.primary = 5;
    expect(b!.healthySince.primary).not.toBe(5);
    await Promise.all([store.close(), again.close()]);
  });

  it('files new events in the events file eventsFileDelayMs after the write, and on close', async () => {
    // A second: the check just after the commit must come before the timer, even on a loaded machine.
    const store = await MemoryStateStore.open({ file, eventsFileDelayMs: 1_000 });
    const st = makeDeciderState(2, 1);
    await store.commit({ decider: fullPatch(st), zone: full(10, 1), events: makeEvents(1, 3) }, 1);
    // The journal has them at once; the events file not yet (it is written off the decision's path).
    expect(await size(events)).toBe(0);
    expect(await seqs(store)).toEqual([1, 2, 3]);
    await waitFor(async () => (await readFile(events, 'utf8').catch(() => '')).includes('"seq":3'), {
      timeoutMs: 10_000,
      what: 'the events file to have the events',
    });
    expect((await readFile(events, 'utf8')).trimEnd().split('\n')).toHaveLength(1 + 3);
    await store.commit({ decider: partialPatch(st), zone: null, events: makeEvents(4, 2) }, 1);
    await store.close();
    expect((await readFile(events, 'utf8')).trimEnd().split('\n')).toHaveLength(1 + 5);
  });

  it('deflates an entry past journalCompressAbove, replays it, and ignores one torn mid-line', async () => {
    const store = await MemoryStateStore.open({ file, journalCompressAbove: 2_000 });
    const st = makeDeciderState(2, 1);
    await store.commit({ decider: fullPatch(st), zone: full(10, 1), events: makeEvents(1, 40) }, 1);
    const lines = (await readFile(journalFileFor(file), 'utf8')).trimEnd().split('\n');
    const entry = JSON.parse(lines[0]!) as { n: number; z?: string; events?: unknown };
    expect(entry.n).toBe(1);
    expect(typeof entry.z).toBe('string');
    expect(entry.events).toBeUndefined();
    const plain = JSON.stringify(makeEvents(1, 40)).length;
    expect(lines[0]!.length).toBeLessThan(plain / 4);
    const again = await MemoryStateStore.open({ file });
    expect(await seqs(again)).toHaveLength(40);
    expect((await again.readOverlay())?.serial).toBe(10);
    // A crash mid-append of a second deflated entry: its fragment is ignored like any torn line.
    await appendFile(journalFileFor(file), `${lines[0]!.replace('"n":1', '"n":2').slice(0, 300)}`);
    const torn = await MemoryStateStore.open({ file });
    expect(await seqs(torn)).toHaveLength(40);
    await Promise.all([store.close(), again.close(), torn.close()]);
  });

  it('compaction writes every event to the events file before it drops the journal', async () => {
    const store = await MemoryStateStore.open({ file, journalCompactEntries: 3, eventsFileDelayMs: 0 });
    const st = makeDeciderState(2, 1);
    await store.commit({ decider: fullPatch(st), zone: full(10, 1), events: makeEvents(1, 1) }, 1);
    await rm(events);
    await mkdir(events); // the events file cannot take the next append (EISDIR)
    expect(
      await store.commit({ decider: partialPatch(st), zone: null, events: makeEvents(2, 1) }, 1),
    ).toEqual({
      ok: true,
    });
    await rmdir(events);
    // The third entry compacts: the state file is rewritten and the journal removed.
    expect(
      await store.commit({ decider: partialPatch(st), zone: null, events: makeEvents(3, 1) }, 1),
    ).toEqual({
      ok: true,
    });
    expect(await size(journalFileFor(file))).toBe(0);
    const again = await MemoryStateStore.open({ file });
    expect(await seqs(again)).toEqual([1, 2, 3]);
    await Promise.all([store.close(), again.close()]);
  });
});

describe('MemoryStateStore state journal, read by another process', () => {
  it('a store that only read leaves the state file and the journal of a running instance alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'understudy-journal-'));
    const file = join(dir, 'state.json');
    try {
      const running = await MemoryStateStore.open({ file });
      await running.commit({ decider: fullPatch(makeDeciderState(3, 1)), zone: full(3, 1), events: [] }, 1);
      const journal = await readFile(journalFileFor(file), 'utf8');
      const reader = await MemoryStateStore.open({ file });
      expect((await reader.loadDecider())?.serial).toBe(3);
      await reader.close();
      expect(await readFile(journalFileFor(file), 'utf8')).toBe(journal);
      expect(await size(file)).toBe(0);
      await running.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
