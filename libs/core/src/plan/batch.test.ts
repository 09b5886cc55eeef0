import { describe, expect, it } from 'vitest';
import { batchChanges } from './batch.js';

describe('batchChanges', () => {
  it('fills batches greedily under every limit, keeping order', () => {
    const items = [
      { n: 1, chars: 10 },
      { n: 2, chars: 10 },
      { n: 2, chars: 10 },
      { n: 1, chars: 50 },
      { n: 1, chars: 5 },
    ];
    const out = batchChanges(items, [
      { max: 4, weight: (i) => i.n },
      { max: 40, weight: (i) => i.chars },
    ]);
    expect(out).toEqual([[items[0], items[1]], [items[2]], [items[3]], [items[4]]]);
  });

  it('1,200 upserts counted twice under 1,000 make 3 batches; nothing in → nothing out', () => {
    const out = batchChanges(
      Array.from({ length: 1200 }, (_, i) => i),
      [{ max: 1000, weight: () => 2 }],
    );
    expect(out.map((b) => b.length)).toEqual([500, 500, 200]);
    expect(batchChanges([], [{ max: 1, weight: () => 1 }])).toEqual([]);
  });
});
