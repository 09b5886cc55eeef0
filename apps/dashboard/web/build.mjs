// Bundles the dashboard UI into one directory: index.html, app-<hash>.js and app-<hash>.css, minified.
// `node apps/dashboard/web/build.mjs [outdir]` or `import { buildWeb } from '.../build.mjs'`.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '../../..');
// A served file, not a data: URL, so the server's Content-Security-Policy (default-src 'self') allows it.
const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M8 1 15 15H1z" fill="#13663a"/></svg>\n';

/**
 * @param {{ outdir?: string }} [opts] outdir defaults to `<repo>/dist/web`.
 * @returns {Promise<{ outdir: string, files: string[], bytes: number }>}
 */
export async function buildWeb(opts = {}) {
  const outdir = resolve(opts.outdir ?? join(root, 'dist/web'));
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: { app: join(here, 'src/main.tsx'), 'app-style': join(here, 'src/styles.css') },
    outdir,
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(here, 'tsconfig.json'),
    legalComments: 'none',
    write: false,
    logLevel: 'warning',
  });
  // Content-hashed names let the server cache assets forever; index.html is the only mutable file.
  const assets = result.outputFiles.map((f) => {
    const ext = f.path.endsWith('.css') ? 'css' : 'js';
    const hash = createHash('sha256').update(f.contents).digest('hex').slice(0, 12);
    return { name: `app-${hash}.${ext}`, ext, contents: f.contents };
  });
  for (const old of await readdir(outdir)) {
    if (/^app-[0-9a-f]{12}\.(js|css)$/.test(old)) await rm(join(outdir, old));
  }
  for (const a of assets) await writeFile(join(outdir, a.name), a.contents);
  const nameOf = (/** @type {string} */ ext) => assets.find((a) => a.ext === ext)?.name ?? '';
  const html = (await readFile(join(here, 'index.html'), 'utf8'))
    .replaceAll('__APP_JS__', nameOf('js'))
    .replaceAll('__APP_CSS__', nameOf('css'));
  await writeFile(join(outdir, 'index.html'), html);
  await writeFile(join(outdir, 'favicon.svg'), FAVICON);
  const files = [...assets.map((a) => a.name), 'favicon.svg', 'index.html'];
  const bytes = assets.reduce((n, a) => n + a.contents.length, Buffer.byteLength(html) + FAVICON.length);
  return { outdir, files: files.sort(), bytes };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildWeb({ outdir: process.argv[2] });
  process.stdout.write(`dashboard web: ${out.files.join(', ')} (${out.bytes} bytes) in ${out.outdir}\n`);
}
