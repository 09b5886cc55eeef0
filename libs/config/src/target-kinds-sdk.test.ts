/**
 * libs/config loads each provider's `/config` subpath on every config load (validate, every role): that
 * subpath must not reach its vendor SDK through any import, direct or relative (the lint rule sees only
 * the direct ones). Walks the import graph from the subpath's entry file.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every bare specifier reachable from `entry` through relative imports (type-only ones included). */
function reachable(entry: string): { files: string[]; packages: Set<string> } {
  const files: string[] = [];
  const packages = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const file = todo.pop()!;
    if (files.includes(file)) continue;
    files.push(file);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) todo.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
  }
  return { files, packages };
}

describe.each([
  ['@understudy/provider-route53/config', /^@aws-sdk\/|^@smithy\//],
  ['@understudy/provider-cloudflare/config', /^cloudflare(\/|$)/],
])('%s', (subpath, sdk) => {
  it('reaches no vendor SDK, only core', () => {
    const { files, packages } = reachable(fileURLToPath(import.meta.resolve(subpath)));
    expect(files.length).toBeGreaterThan(1);
    expect([...packages].filter((p) => sdk.test(p))).toEqual([]);
    expect([...packages]).toEqual(['@understudy/core']);
  });
});
