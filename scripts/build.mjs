// Bundles the `understudy` CLI, every role and their npm dependencies into one ESM file, so the
// runtime does not depend on how Node's ESM loader sees each CommonJS package's named exports.
import { build } from 'esbuild';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  // Bundled CommonJS packages call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: [join(root, 'apps/cli/src/main.ts')],
  outfile: join(root, 'dist/understudy.mjs'),
});
// The DNS workers' own entry: only the config reader, the DNS server and the logger (issue 11 §2), so an
// idle worker does not carry the provider SDKs, the HTTP framework or the queues.
await build({
  ...common,
  entryPoints: [join(root, 'apps/dns/src/worker-main.ts')],
  outfile: join(root, 'dist/dns-worker.mjs'),
});

// The dashboard's web UI, served by the CLI from dist/web (next to dist/understudy.mjs).
const { buildWeb } = await import('../apps/dashboard/web/build.mjs');
await buildWeb({ outdir: join(root, 'dist/web') });
