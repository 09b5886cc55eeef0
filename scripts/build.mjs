// Bundles the `understudy` CLI (and with it every role) into one ESM file.
// Workspace packages are compiled in; third-party packages stay external and load from node_modules.
import { build } from 'esbuild';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const external = new Set();
for (const group of ['libs', 'apps']) {
  for (const dir of readdirSync(join(root, group))) {
    const pkg = JSON.parse(readFileSync(join(root, group, dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) if (!dep.startsWith('@understudy/')) external.add(dep);
  }
}

await build({
  entryPoints: [join(root, 'apps/cli/src/main.ts')],
  outfile: join(root, 'dist/understudy.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: [...external],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
