import { describe, expect, it } from 'vitest';
import type { Plan, ProviderRecord } from '../provider-types.js';
import { checkPlanSafety, MIN_OWNED_FOR_SHARE } from './safety.js';

const Z = 'example.test.';
const a = (name: string, values = ['192.0.2.1']): ProviderRecord => ({
  name: `${name}.${Z}`,
  type: 'A',
  ttl: 60,
  values,
});
const plan = (p: Partial<Plan>): Plan => ({
  target: 'r53',
  zone: Z,
  creates: [],
  updates: [],
  deletes: [],
  conflicts: [],
  ...p,
});
const kinds = (p: Plan, o: Parameters<typeof checkPlanSafety>[1]) =>
  checkPlanSafety(p, o).violations.map((v) => v.kind);

describe('checkPlanSafety', () => {
  const share = { ownedCount: 20, maxChangeShare: 0.5 };

  it('accepts a small plan', () => {
    expect(
      checkPlanSafety(
        plan({ creates: [a('x')], updates: [{ before: a('y'), after: a('y', ['192.0.2.2']) }] }),
        share,
      ),
    ).toEqual({
      safe: true,
      violations: [],
    });
  });

  it('refuses changing more than the share of owned records, only from the floor on', () => {
    const many = plan({
      updates: Array.from({ length: 11 }, (_, i) => ({
        before: a(`r${i}`),
        after: a(`r${i}`, ['192.0.2.9']),
      })),
    });
    const res = checkPlanSafety(many, share);
    expect(res.safe).toBe(false);
    expect(res.violations).toEqual([
      { kind: 'too-much-change', message: 'r53: plan changes 11 of 20 owned records (55% > 50%)' },
    ]);
    expect(kinds(many, { ownedCount: 22, maxChangeShare: 0.5 })).toEqual([]);
    // Below the floor (a first sync, a tiny zone) the share rule does not apply.
    expect(
      kinds(plan({ creates: [a('a'), a('b'), a('c')] }), { ownedCount: 0, maxChangeShare: 0.5 }),
    ).toEqual([]);
    expect(kinds(many, { ownedCount: MIN_OWNED_FOR_SHARE - 1, maxChangeShare: 0.5 })).toEqual([]);
    expect(
      kinds(plan({ creates: Array.from({ length: 6 }, (_, i) => a(`c${i}`)) }), {
        ownedCount: MIN_OWNED_FOR_SHARE,
        maxChangeShare: 0.5,
      }),
    ).toEqual(['too-much-change']);
  });

  it('does not count failover decisions (an update to a configured answer, same TTL) towards the share', () => {
    const flip = (i: number, values = ['192.0.2.9'], ttl = 60) => ({
      before: a(`r${i}`),
      after: { ...a(`r${i}`, values), ttl },
    });
    const decisions = new Map(
      Array.from({ length: 20 }, (_, i) => [`r${i}.${Z}/A`, [['192.0.2.1'], ['192.0.2.9']]] as const),
    );
    // A mass outage: 15 of 20 records fail over at once.
    const outage = plan({ updates: Array.from({ length: 15 }, (_, i) => flip(i)) });
    expect(kinds(outage, share)).toEqual(['too-much-change']);
    expect(kinds(outage, { ...share, decisions })).toEqual([]);
    // Values that are no configured answer, or a TTL change, still count.
    const odd = plan({
      updates: [
        ...Array.from({ length: 6 }, (_, i) => flip(i, ['203.0.113.1'])),
        ...Array.from({ length: 5 }, (_, i) => flip(i + 6, ['192.0.2.9'], 300)),
        flip(12),
      ],
    });
    expect(checkPlanSafety(odd, { ...share, decisions }).violations).toEqual([
      {
        kind: 'too-much-change',
        message: 'r53: plan changes 11 of 20 owned records besides 1 failover decisions (55% > 50%)',
      },
    ]);
  });

  it('refuses deleting the last answer of a protected record, or every delete without a protected list', () => {
    const p = plan({ deletes: [a('app'), a('old')] });
    expect(checkPlanSafety(p, { ...share, protectedKeys: [`app.${Z}/A`] }).violations).toEqual([
      { kind: 'deletes-last-answer', message: `r53: plan deletes the last answer of app.${Z} A` },
    ]);
    expect(kinds(p, share)).toEqual(['deletes-last-answer', 'deletes-last-answer']);
    expect(kinds(p, { ...share, protectedKeys: [] })).toEqual([]);
  });

  it('refuses an update that leaves no values', () => {
    const res = checkPlanSafety(plan({ updates: [{ before: a('x'), after: a('x', []) }] }), share);
    expect(res.violations).toEqual([
      { kind: 'deletes-last-answer', message: `r53: plan leaves x.${Z} A with no values` },
    ]);
  });

  it('refuses touching apex NS or any SOA, but not NS below the apex', () => {
    const ns = (name: string): ProviderRecord => ({
      name,
      type: 'NS',
      ttl: 300,
      values: ['ns.example.net.'],
    });
    const soa: ProviderRecord = { name: Z, type: 'SOA', ttl: 300, values: ['a. b. 1 2 3 4 5'] };
    const res = checkPlanSafety(
      plan({
        zone: 'EXAMPLE.test.',
        creates: [ns(`sub.${Z}`)],
        updates: [
          { before: ns(Z), after: { ...ns(Z), ttl: 60 } },
          { before: soa, after: soa },
        ],
      }),
      { ...share, protectedKeys: [] },
    );
    expect(res.violations).toEqual([
      { kind: 'apex-ns-soa', message: `r53: plan touches ${Z} NS` },
      { kind: 'apex-ns-soa', message: `r53: plan touches ${Z} SOA` },
    ]);
    expect(kinds(plan({ deletes: [ns(Z)] }), { ...share, protectedKeys: [] })).toEqual(['apex-ns-soa']);
  });
});
