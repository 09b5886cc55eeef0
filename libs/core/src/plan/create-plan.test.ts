import { describe, expect, it } from 'vitest';
import type { ProviderRecord, ZoneRead } from '../provider-types.js';
import { changeRecord, createPlan, planChanges, planIsEmpty, summarizePlan } from './create-plan.js';

const Z = 'example.test.';
const a = (name: string, values: string[], ttl = 60): ProviderRecord => ({
  name: `${name}.${Z}`,
  type: 'A',
  ttl,
  values,
});
const read = (owned: ProviderRecord[], foreign: ProviderRecord[] = []): ZoneRead => ({
  zone: Z,
  owned,
  foreign,
});

describe('createPlan', () => {
  it('creates, updates, deletes and reports conflicts, in key order', () => {
    const plan = createPlan(
      't',
      'Example.Test.',
      read(
        [
          a('same', ['1.1.1.1']),
          a('changed', ['1.1.1.1']),
          a('gone', ['1.1.1.1']),
          a('alsogone', ['2.2.2.2']),
        ],
        [a('theirs', ['9.9.9.9'])],
      ),
      [
        a('zz', ['3.3.3.3']),
        a('new', ['3.3.3.3']),
        a('same', ['1.1.1.1']),
        a('changed', ['1.1.1.1'], 120),
        a('theirs', ['4.4.4.4']),
        a('b', ['5.5.5.5']),
      ],
      { takeover: false },
    );
    expect(plan.target).toBe('t');
    expect(plan.zone).toBe(Z);
    expect(plan.creates.map((r) => r.name)).toEqual([`b.${Z}`, `new.${Z}`, `zz.${Z}`]);
    expect(plan.updates).toEqual([
      { before: a('changed', ['1.1.1.1']), after: a('changed', ['1.1.1.1'], 120) },
    ]);
    expect(plan.deletes.map((r) => r.name)).toEqual([`alsogone.${Z}`, `gone.${Z}`]);
    expect(plan.conflicts).toEqual([a('theirs', ['4.4.4.4'])]);
    expect(summarizePlan(plan)).toEqual({ creates: 3, updates: 1, deletes: 2, conflicts: 1, changes: 6 });
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('takeover turns a foreign record into an update, even when it already holds the desired data', () => {
    const plan = createPlan(
      't',
      Z,
      read([], [a('x', ['1.1.1.1']), a('y', ['2.2.2.2'])]),
      [a('y', ['3.3.3.3']), a('x', ['1.1.1.1'])],
      {
        takeover: true,
      },
    );
    expect(plan.conflicts).toEqual([]);
    expect(plan.updates.map((u) => [u.before.values, u.after.values])).toEqual([
      [['1.1.1.1'], ['1.1.1.1']],
      [['2.2.2.2'], ['3.3.3.3']],
    ]);
  });

  it('is empty when the target holds the desired records (value order does not matter)', () => {
    const plan = createPlan(
      't',
      Z,
      read([a('x', ['2.2.2.2', '1.1.1.1'])]),
      [a('x', ['1.1.1.1', '2.2.2.2'])],
      { takeover: false },
    );
    expect(planIsEmpty(plan)).toBe(true);
    expect(planIsEmpty({ ...plan, creates: [a('q', [])] })).toBe(false);
    expect(planIsEmpty({ ...plan, deletes: [a('q', [])] })).toBe(false);
    expect(planIsEmpty({ ...plan, conflicts: [a('q', [])] })).toBe(true);
  });

  it('planChanges orders deletes, updates, creates; changeRecord names the record', () => {
    const plan = createPlan(
      't',
      Z,
      read([a('u', ['1.1.1.1']), a('d', ['1.1.1.1'])]),
      [a('u', ['2.2.2.2']), a('c', ['1.1.1.1'])],
      {
        takeover: false,
      },
    );
    const changes = planChanges(plan);
    expect(changes.map((c) => `${c.kind}:${changeRecord(c).name}`)).toEqual([
      `delete:d.${Z}`,
      `update:u.${Z}`,
      `create:c.${Z}`,
    ]);
    expect(changeRecord(changes[1]!).values).toEqual(['2.2.2.2']);
  });
});
