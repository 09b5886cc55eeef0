// Checks that each workspace package declares what it imports and nothing more (issue 13: "the arrows stay
// honest"). Imports come from TypeScript's own pre-processor, so comments and strings do not count.
// A dependency used only by tests and test-support files belongs in devDependencies.
// Usage: node scripts/check-deps.mjs   (exit 1 and one line per problem when something is off)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';

const ROOTS = ['libs', 'apps'];
const SOURCE_DIRS = ['src', 'web/src', 'bin']; // build scripts (web/build.mjs) use the root's devDependencies
const IGNORED = new Set(['vitest']); // the root's test runner, not a package dependency

function* files(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name === 'node_modules' || name === 'dist' || name === 'generated') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(ts|tsx|mts|mjs)$/.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

const packageOf = (spec) =>
  spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
const isTestFile = (path) => /\.test\.tsx?$/.test(path) || path.includes('/test-support/');

const problems = [];
for (const root of ROOTS) {
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    const deps = new Set(Object.keys(manifest.dependencies ?? {}));
    const dev = new Set(Object.keys(manifest.devDependencies ?? {}));
    const usedByCode = new Set();
    const usedByTests = new Set();
    for (const sub of SOURCE_DIRS) {
      for (const file of files(join(dir, sub))) {
        const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
        for (const { fileName: spec } of info.importedFiles) {
          if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
          const pkg = packageOf(spec);
          if (IGNORED.has(pkg) || pkg === manifest.name) continue;
          (isTestFile(file) ? usedByTests : usedByCode).add(pkg);
        }
      }
    }
    const label = manifest.name ?? dir;
    for (const pkg of usedByCode)
      if (!deps.has(pkg)) problems.push(`${label}: imports ${pkg} but does not list it in dependencies`);
    for (const pkg of usedByTests)
      if (!deps.has(pkg) && !dev.has(pkg))
        problems.push(`${label}: its tests import ${pkg}, which it does not list`);
    for (const pkg of deps)
      if (!usedByCode.has(pkg))
        problems.push(
          usedByTests.has(pkg)
            ? `${label}: ${pkg} is used only by tests: move it to devDependencies`
            : `${label}: lists ${pkg} in dependencies but never imports it`,
        );
    for (const pkg of dev)
      if (!usedByTests.has(pkg) && !usedByCode.has(pkg))
        problems.push(`${label}: lists ${pkg} in devDependencies but never imports it`);
  }
}
for (const p of problems) console.error(p);
if (problems.length > 0) process.exit(1);
console.log('dependencies: every workspace package lists exactly what it imports');
