import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse-config.js';
import { problemsOf } from './test-support/problems-of.js';

describe('admin.tokens', () => {
  it('defaults to none, and reads named tokens from the environment', () => {
    expect(parseConfig('regions: [a]\n').config.admin).toEqual({ tokens: [] });
    const { config, hash } = parseConfig(
      'regions: [a]\nadmin:\n  tokens:\n    - { name: ops, token: "${ADMIN_TOKEN}" }\n',
      {
        env: { ADMIN_TOKEN: 'a-long-enough-secret-1234' },
      },
    );
    expect(config.admin.tokens).toEqual([{ name: 'ops', token: 'a-long-enough-secret-1234' }]);
    // Tokens are host-local secrets: they never change the shared config hash.
    expect(hash).toBe(parseConfig('regions: [a]\n').hash);
  });

  it('rejects short tokens, bad names and duplicates, each at its path', () => {
    const problems = problemsOf(
      [
        'regions: [a]',
        'admin:',
        '  tokens:',
        '    - { name: ops, token: short }',
        '    - { name: Bad Name, token: 0123456789abcdefXYZ }',
        '    - { name: ci, token: 0123456789abcdefXYZ }',
        '    - { name: ci, token: 0123456789abcdefABC }',
        '',
      ].join('\n'),
    );
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p]));
    expect(byPath['admin.tokens[0].token']).toMatchObject({ line: 4 });
    expect(byPath['admin.tokens[1].name']).toMatchObject({ line: 5 });
    expect(byPath['admin.tokens[3].name']?.message).toContain('duplicate token name "ci"');
  });
});
