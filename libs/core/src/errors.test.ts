import { describe, expect, it } from 'vitest';
import { ConfigError, NotFoundError, StateConflictError, TransientError, UnsafePlanError } from './errors.js';

describe('errors', () => {
  it('ConfigError lists every problem with its position', () => {
    const e = new ConfigError(
      [
        { path: 'checks.web.interval', message: 'must be a duration', line: 7, column: 15 },
        { path: 'zones[0].apex', message: 'is required', line: 12 },
        { path: '', message: 'not a mapping' },
      ],
      'cfg.yaml',
    );
    expect(e.message).toBe(
      [
        'cfg.yaml: 3 problems',
        '  cfg.yaml:7:15 checks.web.interval: must be a duration',
        '  cfg.yaml:12 zones[0].apex: is required',
        '  cfg.yaml (root): not a mapping',
      ].join('\n'),
    );
    expect(new ConfigError([{ path: 'a', message: 'b' }]).message).toBe('config: 1 problem\n   a: b');
    expect(e.name).toBe('ConfigError');
  });

  it('carry their intent', () => {
    expect(new TransientError('busy', 1500).retryAfterMs).toBe(1500);
    expect(new UnsafePlanError('too much', ['share']).reasons).toEqual(['share']);
    expect(new NotFoundError('x').name).toBe('NotFoundError');
    expect(new StateConflictError('y').name).toBe('StateConflictError');
  });
});

import { deepFreeze } from './freeze.js';

describe('deepFreeze', () => {
  it('freezes nested objects and arrays, and leaves primitives alone', () => {
    const v = deepFreeze({ a: [{ b: 1 }], c: null, d: 'x' });
    expect(Object.isFrozen(v.a[0])).toBe(true);
    expect(() => {
      (v.a as { b: number }[]).push({ b: 2 });
    }).toThrow(TypeError);
    expect(deepFreeze(3)).toBe(3);
  });
});
