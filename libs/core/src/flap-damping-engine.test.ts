/** Flap damping through the engine: what counts as a flip, and when failback resumes (issue 13). */
import { describe, expect, it } from 'vitest';
import { config, failoverRecord } from './test-support/fixtures.js';
import { Harness } from './test-support/harness.js';
import { statusView } from './status-view.js';

const ID = 'app.example.test./A';
const actor = { name: 'ops', reason: 'drill' };
const damped = (failbackAfter = 1000) =>
  new Harness(
    config({
      records: [failoverRecord({ failbackAfter, flapDamping: { maxFlips: 3, window: 60_000 } })],
    }),
  );

describe('flap damping: operator overrides and drills are not flips', () => {
  it('three drills in a row (override down, then obey + approve) leave the record undamped', () => {
    // A hold longer than the test: only the drill's approval moves back.
    const h = damped(600_000);
    h.rounds(2, { primary: '+++', secondary: '+++' });
    for (let i = 0; i < 3; i++) {
      h.events.push(...h.engine.setOverride(ID, 'primary', 'down', actor, h.now).events);
      expect(h.active()).toBe('secondary');
      h.advance(1000);
      h.events.push(...h.engine.setOverride(ID, 'primary', 'obey', actor, h.now).events);
      h.rounds(1, { primary: '+++', secondary: '+++' });
      h.events.push(...h.engine.approveFailback(ID, actor, h.now).events);
      expect(h.active()).toBe('primary');
      h.advance(1000);
    }
    expect(h.engine.state.records[ID]!.flips).toEqual([]);
    expect(h.ofType('flap-damped')).toHaveLength(0);
    // A switch the checks make still counts.
    h.rounds(2, { primary: '---', secondary: '+++' });
    expect(h.active()).toBe('secondary');
    expect(h.engine.state.records[ID]!.flips).toHaveLength(1);
  });
});

describe('flap damping: when failback resumes', () => {
  it('the flap-damped event and the status view say when, and failback happens then', () => {
    const h = damped();
    h.rounds(2, { primary: '+++', secondary: '+++' });
    h.rounds(2, { primary: '---', secondary: '+++' }); // flip 1
    h.rounds(3, { primary: '+++', secondary: '+++' }); // flip 2 (failback after 1 s)
    h.rounds(2, { primary: '---', secondary: '+++' }); // flip 3
    h.rounds(3, { primary: '+++', secondary: '+++' });
    const flips = h.engine.state.records[ID]!.flips;
    expect(flips).toHaveLength(3);
    // 3 flips, limit 3: two must leave the window, so the second oldest decides.
    const resumesAt = flips[1]! + 60_000;
    const [event] = h.ofType('flap-damped');
    expect(event?.evidence?.resumesAt).toBe(resumesAt);
    expect(event?.message).toContain(`failback resumes at ${new Date(resumesAt).toISOString()}`);
    const view = statusView(h.config, h.engine.state, h.now);
    expect(view.records[0]).toMatchObject({ damped: true, resumesAt });
    while (h.now < resumesAt - 1000) h.rounds(1, { primary: '+++', secondary: '+++' });
    expect(h.active()).toBe('secondary');
    h.rounds(3, { primary: '+++', secondary: '+++' });
    expect(h.active()).toBe('primary');
    expect(statusView(h.config, h.engine.state, h.now).records[0]).toMatchObject({
      damped: false,
      resumesAt: null,
    });
  });
});
