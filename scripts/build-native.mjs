// Compiles the optional batched-UDP addon (libs/dns-server/native/*.c) with the system C compiler
// against the Node-API headers of the node-api-headers package: no node-gyp, so no download of Node's
// headers (CI installs offline). The result, libs/dns-server/native/build/udp-batch.node, is gitignored and
// never packed. Failing is not an error: the DNS server then uses node:dgram, and this prints one line why.
// Usage: node scripts/build-native.mjs [--force]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const native = join(root, 'libs/dns-server/native');
const out = join(root, 'libs/dns-server/native/build/udp-batch.node');

function headers() {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('node-api-headers/package.json')), 'include');
  } catch {
    return null;
  }
}

function build() {
  if (process.platform !== 'linux') return `skipped: recvmmsg/sendmmsg are Linux-only (${process.platform})`;
  const files = existsSync(native) ? readdirSync(native).filter((f) => /\.[ch]$/.test(f)) : [];
  const sources = files.filter((f) => f.endsWith('.c')).map((f) => join(native, f));
  if (sources.length === 0) return `skipped: no C sources in ${native}`;
  const newest = Math.max(...files.map((f) => statSync(join(native, f)).mtimeMs));
  if (!process.argv.includes('--force') && existsSync(out) && statSync(out).mtimeMs >= newest) return null;
  const include = headers();
  if (include === null) return 'skipped: the node-api-headers package is not installed (npm ci installs it)';
  const cc = process.env.CC || 'cc';
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    execFileSync(
      cc,
      [
        '-O2',
        '-fPIC',
        '-shared',
        '-Wall',
        '-DNAPI_VERSION=8',
        '-I',
        include,
        '-o',
        tmp,
        ...sources,
        '-lpthread',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (err) {
    const why =
      err.code === 'ENOENT' ? `no C compiler (${cc}) on PATH` : String(err.stderr || err.message).trim();
    return `failed: ${why.split('\n')[0]}`;
  }
  // Atomic, so a test building it lazily never loads a half-written file another process is writing.
  renameSync(tmp, out);
  return null;
}

const why = build();
if (why !== null)
  process.stdout.write(`build-native: batched UDP addon ${why}; the DNS server will use node:dgram\n`);
