/**
 * EventLog (issue 11): prepare() changes nothing, apply() adds in place, the cap drops the oldest, and readers
 * get frozen events parsed once from the stored text.
 */
import { describe, expect, it } from 'vitest';
import { makeEvent, makeEvents } from '../conformance/fixtures.js';
import { EventLog } from './event-log.js';

const seqs = (log: EventLog) =>
  log
    .newestFirst(undefined, 1000)
    .map((e) => e.seq)
    .reverse();

describe('EventLog', () => {
  it('prepares without changing the log, then applies in place', () => {
    const log = EventLog.empty(10);
    const batch = log.prepare(makeEvents(1, 3), 7);
    expect(log.size).toBe(0);
    expect(batch.lines).toEqual(makeEvents(1, 3).map((e) => JSON.stringify(e)));
    log.apply(batch);
    expect(seqs(log)).toEqual([1, 2, 3]);
    expect(log.lastEpoch).toBe(7);
  });

  it('skips seqs already stored or repeated in the batch, and merges one that comes out of order', () => {
    const log = EventLog.empty(10);
    log.apply(log.prepare([makeEvent(2), makeEvent(5)], 1));
    const batch = log.prepare([makeEvent(5), makeEvent(3), makeEvent(3), makeEvent(6)], 1);
    expect(batch.lines).toEqual([3, 6].map((s) => JSON.stringify(makeEvent(s))));
    log.apply(batch);
    expect(seqs(log)).toEqual([2, 3, 5, 6]);
  });

  it('keeps the newest max, and names only the new events that survive the cap', () => {
    const log = EventLog.empty(3);
    log.apply(log.prepare(makeEvents(10, 2), 1));
    const appended = log.prepare(makeEvents(12, 4), 1);
    expect(appended.lines).toEqual([13, 14, 15].map((s) => JSON.stringify(makeEvent(s))));
    log.apply(appended);
    expect(seqs(log)).toEqual([13, 14, 15]);
    const older = log.prepare([makeEvent(1), makeEvent(14.5 * 2)], 1);
    expect(older.lines).toEqual([JSON.stringify(makeEvent(29))]);
    log.apply(older);
    expect(seqs(log)).toEqual([14, 15, 29]);
  });

  it('hands readers frozen events parsed once: nothing they do changes what is stored', () => {
    const log = EventLog.empty(5);
    log.apply(log.prepare(makeEvents(1, 1)));
    const [read] = log.newestFirst(undefined, 1);
    expect(Object.isFrozen(read!.evidence)).toBe(true);
    expect(() => {
      (read as { message: string }).message = 'changed';
    }).toThrow(TypeError);
    expect(log.newestFirst(undefined, 1)[0]).toBe(read);
  });

  it('refuses a seq that is not an integer, naming it', () => {
    expect(() => EventLog.empty(5).prepare([{ ...makeEvent(1), seq: 1.5 }])).toThrow(
      'event seq must be an integer, got 1.5',
    );
  });
});
