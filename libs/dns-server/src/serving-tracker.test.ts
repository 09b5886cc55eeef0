import { describe, expect, it } from 'vitest';
import { ServingTracker } from './serving-tracker.js';

function tracker(): { t: ServingTracker<string>; reported: number[] } {
  const reported: number[] = [];
  return { t: new ServingTracker<string>((s) => reported.push(s)), reported };
}

describe('ServingTracker', () => {
  it('reports a serial once every live worker acknowledged it, and only once', () => {
    const { t, reported } = tracker();
    t.add('a');
    t.add('b');
    const gen = t.accept(10);
    t.ack('a', gen);
    expect(reported).toEqual([]);
    t.ack('b', gen);
    t.ack('b', gen);
    expect(reported).toEqual([10]);
  });

  it('waits for the workers that start later, and not for those that died', () => {
    const { t, reported } = tracker();
    const gen = t.accept(5); // before any worker exists
    expect(reported).toEqual([]);
    t.add('a');
    t.add('b');
    t.ack('a', gen);
    t.remove('b'); // b died before serving: a alone is every live worker
    expect(reported).toEqual([5]);
    const gen2 = t.accept(6);
    t.add('c'); // a replacement must serve the newest state too
    t.ack('a', gen2);
    expect(reported).toEqual([5]);
    t.ack('c', gen2);
    expect(reported).toEqual([5, 6]);
  });

  it('skips a state superseded before every worker served it, and tells equal serials apart', () => {
    const { t, reported } = tracker();
    t.add('a');
    t.add('b');
    const g1 = t.accept(7);
    const g2 = t.accept(8);
    t.ack('a', g1);
    t.ack('b', g1);
    t.ack('a', g2);
    expect(reported).toEqual([]);
    t.ack('b', g2);
    expect(reported).toEqual([8]);
    const g3 = t.accept(8); // same serial, new content: needs its own acknowledgements
    t.ack('a', g3);
    expect(reported).toEqual([8]);
    t.ack('b', g3);
    expect(reported).toEqual([8, 8]);
    t.ack('zombie', g3);
    t.remove('zombie');
    expect(reported).toEqual([8, 8]);
  });

  it('reports when the last worker started serving, from their own acknowledgements (issue 11)', () => {
    const seen: [number, number | null][] = [];
    const t = new ServingTracker<string>((serial, at) => seen.push([serial, at]));
    t.add('a');
    t.add('b');
    const g1 = t.accept(1);
    t.ack('a', g1, 1_000);
    t.ack('b', g1, 1_040);
    // The newest generation's moments only: a's older acknowledgement does not count for g2.
    const g2 = t.accept(2);
    t.ack('b', g2, 1_100);
    t.ack('a', g2, 1_090);
    // A worker that does not say when: the moment is unknown.
    const g3 = t.accept(3);
    t.ack('a', g3, 1_200);
    t.ack('b', g3);
    expect(seen).toEqual([
      [1, 1_040],
      [2, 1_100],
      [3, null],
    ]);
  });
});
