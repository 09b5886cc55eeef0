import { describe, expect, it } from 'vitest';
import { config, failoverRecord } from '../../../libs/core/src/test-support/fixtures.js';
import { Harness } from '../../../libs/core/src/test-support/harness.js';
import { recordItems } from './record-items.js';

describe('recordItems: flap damping', () => {
  it('a damped record says when failback resumes; an undamped one says null', () => {
    const h = new Harness(
      config({
        records: [failoverRecord({ failbackAfter: 1000, flapDamping: { maxFlips: 3, window: 60_000 } })],
      }),
    );
    const items = () => recordItems(h.config, h.engine.state, [], []);
    h.rounds(2, { primary: '+++', secondary: '+++' });
    expect(items()[0]).toMatchObject({ damped: false, resumesAt: null });
    h.rounds(2, { primary: '---', secondary: '+++' });
    h.rounds(3, { primary: '+++', secondary: '+++' });
    h.rounds(2, { primary: '---', secondary: '+++' });
    h.rounds(3, { primary: '+++', secondary: '+++' });
    const flips = h.engine.state.records['app.example.test./A']!.flips;
    expect(items()[0]).toMatchObject({ damped: true, resumesAt: flips[1]! + 60_000 });
  });
});
