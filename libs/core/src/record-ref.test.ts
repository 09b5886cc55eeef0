import { describe, expect, it } from 'vitest';
import { NotFoundError } from './errors.js';
import { resolveRecordRef } from './record-ref.js';
import { config, failoverRecord } from './test-support/fixtures.js';

const cfg = config({
  records: [
    failoverRecord(),
    failoverRecord({
      id: 'app.example.test./AAAA',
      type: 'AAAA',
      answers: [{ name: 'primary', values: ['2001:db8::1'], check: 'primary' }],
    }),
    failoverRecord({ id: 'api.example.test./A', name: 'api.example.test.' }),
  ],
});

describe('resolveRecordRef', () => {
  it.each([
    ['api.example.test', 'api.example.test./A'],
    ['API.Example.Test.', 'api.example.test./A'],
    ['app.example.test./A', 'app.example.test./A'],
    ['app.example.test/aaaa', 'app.example.test./AAAA'],
  ])('%s → %s', (ref, id) => expect(resolveRecordRef(cfg, ref)).toBe(id));

  it('asks for the type when a name has several failover records', () => {
    expect(() => resolveRecordRef(cfg, 'app.example.test')).toThrow(/names 2 failover records; add the type/);
  });

  it('lists the records when nothing matches', () => {
    expect(() => resolveRecordRef(cfg, 'nope.example.test')).toThrow(NotFoundError);
    expect(() => resolveRecordRef(cfg, 'bad..name')).toThrow(/failover records: app\.example\.test\.\/A/);
  });
});
