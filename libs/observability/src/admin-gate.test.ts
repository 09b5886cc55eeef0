import { describe, expect, it } from 'vitest';
import { AdminGate } from './admin-gate.js';

describe('AdminGate', () => {
  const tokens = [
    { name: 'ops', token: 'ops-token-0123456789' },
    { name: 'ci', token: 'ci-token-0123456789ab' },
  ];

  it('names the token that matched', () => {
    const gate = new AdminGate(tokens);
    expect(gate.check('Bearer ci-token-0123456789ab', '1.1.1.1')).toEqual({ ok: true, name: 'ci' });
    expect(gate.check('bearer ops-token-0123456789', '1.1.1.1')).toEqual({ ok: true, name: 'ops' });
  });

  it.each([
    [undefined, 401],
    ['Basic abc', 401],
    ['Bearer wrong-token-0123456789', 403],
    ['Bearer ops-token-012345678', 403],
  ])('%s → %i', (header, status) => {
    expect(new AdminGate(tokens).check(header, 'c')).toMatchObject({ ok: false, status });
  });

  it('is disabled without tokens', () => {
    const gate = new AdminGate([]);
    expect(gate.enabled).toBe(false);
    expect(gate.check('Bearer anything-at-all-123', 'c')).toMatchObject({
      ok: false,
      status: 403,
      message: expect.stringContaining('admin.tokens') as string,
    });
  });

  it('throttles a client after 10 wrong tokens in a minute, but the right token still works', () => {
    let t = 0;
    const gate = new AdminGate(tokens, () => t);
    const results = Array.from({ length: 10 }, () => gate.check('Bearer nope-nope-nope-nope', '9.9.9.9'));
    expect(results.filter((r) => !r.ok && r.throttledNow)).toHaveLength(1);
    expect(gate.check('Bearer nope-nope-nope-nope', '9.9.9.9')).toMatchObject({ ok: false, status: 429 });
    expect(gate.check(undefined, '9.9.9.9')).toMatchObject({ ok: false, status: 429 });
    // Compared first: an operator behind the same address (or proxy) is not locked out.
    expect(gate.check('Bearer ops-token-0123456789', '9.9.9.9')).toEqual({ ok: true, name: 'ops' });
    expect(gate.check('Bearer nope-nope-nope-nope', '8.8.8.8')).toMatchObject({ ok: false, status: 403 });
    t = 60_001;
    expect(gate.check('Bearer nope-nope-nope-nope', '9.9.9.9')).toMatchObject({ ok: false, status: 403 });
  });

  it('does not count missing tokens (a page polling without one locks nobody out)', () => {
    const gate = new AdminGate(tokens);
    for (let i = 0; i < 20; i++) expect(gate.check(undefined, '7.7.7.7')).toMatchObject({ status: 401 });
    expect(gate.check('Bearer nope-nope-nope-nope', '7.7.7.7')).toMatchObject({ status: 403 });
  });
});
