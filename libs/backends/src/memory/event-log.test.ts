/**
 * EventLog (issue 11): prepare() changes nothing, apply() adds in place, the cap drops the oldest, and readers
 * get frozen events parsed once from the stored text.
 */
import { describe, expect, it } from 'vitest';
import { makeEvent, makeEvents } from '../conformance/fixtures.js';
import { EventLog, jsonOf } from './event-log.js';

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
    expect(batch.events).toEqual(makeEvents(1, 3));
    log.apply(batch);
    expect(seqs(log)).toEqual([1, 2, 3]);
    expect(log.lastEpoch).toBe(7);
  });

  it('skips seqs already stored or repeated in the batch, and merges one that comes out of order', () => {
    const log = EventLog.empty(10);
    log.apply(log.prepare([makeEvent(2), makeEvent(5)], 1));
    const batch = log.prepare([makeEvent(5), makeEvent(3), makeEvent(3), makeEvent(6)], 1);
    expect(batch.events.map((e) => e.seq)).toEqual([3, 6]);
    log.apply(batch);
    expect(seqs(log)).toEqual([2, 3, 5, 6]);
  });

  it('keeps the newest max, and names only the new events that survive the cap', () => {
    const log = EventLog.empty(3);
    log.apply(log.prepare(makeEvents(10, 2), 1));
    const appended = log.prepare(makeEvents(12, 4), 1);
    expect(appended.events.map((e) => e.seq)).toEqual([13, 14, 15]);
    log.apply(appended);
    expect(seqs(log)).toEqual([13, 14, 15]);
    const older = log.prepare([makeEvent(1), makeEvent(14.5 * 2)], 1);
    expect(older.events.map((e) => e.seq)).toEqual([29]);
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

  it('keeps a new event as handed over until the events file takes its text, then only the text', () => {
    const log = EventLog.empty(5);
    const [event] = makeEvents(1, 1);
    const batch = log.prepare([event!], 1);
    log.apply(batch);
    const [entry] = batch.entries;
    expect(entry!.json).toBeUndefined();
    expect(entry!.event).toBe(event);
    expect(jsonOf(entry!)).toBe(JSON.stringify(event));
    expect(entry!.event).toBeUndefined();
    expect(log.jsonLines()).toEqual([JSON.stringify(event)]);
    expect(log.newestFirst(undefined, 1)[0]).toEqual(event);
  });

  it('shares an event a reader got before its text was made, frozen, with every later read', () => {
    const log = EventLog.empty(5);
    const batch = log.prepare(makeEvents(1, 1), 1);
    log.apply(batch);
    const [read] = log.newestFirst(undefined, 1);
    expect(Object.isFrozen(read)).toBe(true);
    jsonOf(batch.entries[0]!);
    expect(log.newestFirst(undefined, 1)[0]).toBe(read);
  });

  it('refuses a seq that is not an integer, naming it', () => {
    expect(() => EventLog.empty(5).prepare([{ ...makeEvent(1), seq: 1.5 }])).toThrow(
      'event seq must be an integer, got 1.5',
    );
  });
});
