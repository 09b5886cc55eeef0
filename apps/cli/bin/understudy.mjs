#!/usr/bin/env node
// Thin launcher: the CLI is bundled by `npm run build` into dist/understudy.mjs.
import { existsSync } from 'node:fs';

const bundle = new URL('../../../dist/understudy.mjs', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('understudy: dist/understudy.mjs is missing; run `npm run build` first\n');
  process.exit(1);
}
await import(bundle.href);
