import { describe, expect, it } from 'vitest';
import { foldPublications } from './publications.js';

const pub = (instance: string, serial: number, at: number, target = 'dns') => ({
  target,
  instance,
  serial,
  at,
});

describe('foldPublications', () => {
  it('takes the slowest instance serial and the latest time per target', () => {
    const folded = foldPublications(
      [pub('a', 12, 1_000), pub('b', 10, 1_500), pub('x', 7, 900, 'route53')],
      2_000,
      60_000,
    );
    expect(folded).toEqual([
      { target: 'dns', serial: 10, at: 1_500, instances: 2 },
      { target: 'route53', serial: 7, at: 900, instances: 1 },
    ]);
  });

  it('ignores instances that have not reported within maxAge', () => {
    const folded = foldPublications([pub('gone', 3, 1_000), pub('live', 12, 70_000)], 71_000, 60_000);
    expect(folded).toEqual([{ target: 'dns', serial: 12, at: 70_000, instances: 1 }]);
  });

  it("dates a publication by when the instance started serving it (since); its report's time keeps it live", () => {
    // A heartbeat re-reported serial 12 at 9,000; the instance serves it since 1,000.
    const folded = foldPublications([{ ...pub('a', 12, 9_000), since: 1_000 }], 9_500, 60_000);
    expect(folded).toEqual([{ target: 'dns', serial: 12, at: 1_000, instances: 1 }]);
    // Live by its report, even when it started serving long before maxAge.
    expect(foldPublications([{ ...pub('a', 12, 70_000), since: 1_000 }], 71_000, 60_000)).toHaveLength(1);
  });

  it('returns nothing when every instance is stale', () => {
    expect(foldPublications([pub('a', 3, 0)], 100_000, 60_000)).toEqual([]);
  });
});
