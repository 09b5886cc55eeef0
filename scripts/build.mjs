// Bundles the `understudy` CLI, every role and their npm dependencies into ESM files under dist/, so the
// runtime does not depend on how Node's ESM loader sees each CommonJS package's named exports, and an
// installed package needs no node_modules (issue 12 §2).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

// The config schema's validator, compiled ahead of time (libs/config/src/write-validator.ts): regenerated here
// so that a bundle never ships one older than schema.ts. tsx loads the TypeScript generator (a devDependency,
// as esbuild is); the file is checked in, and a unit test fails when it is stale.
const { tsImport } = await import('tsx/esm/api');
const { writeValidator, VALIDATOR_FILE } = await tsImport(
  '../libs/config/src/write-validator.ts',
  import.meta.url,
);
if (writeValidator()) process.stdout.write(`build: regenerated ${VALIDATOR_FILE} (commit it)\n`);

// Chunk names change with their content: start from an empty dist/ so no stale chunk is packed.
rmSync(join(root, 'dist'), { recursive: true, force: true });

// dns2's index loads its clients and servers, and with them node:http, node:https and node:tls: 11 MB of
// RSS in every process that imports it (a DNS worker: 60 → 49 MB with the rest of its bundle, Node 24),
// where Understudy uses its Packet codec only (libs/dns-server/src/dns2.ts, the one import site). This
// resolves the package's name to a module that exports Packet alone, from dns2's own packet.js; a named
// import of anything else from 'dns2' then fails the build ("No matching export"), not at run time.
const dns2PacketOnly = {
  name: 'dns2-packet-only',
  setup(b) {
    const packetJs = join(createRequire(import.meta.url).resolve('dns2'), '../packet.js');
    b.onResolve({ filter: /^dns2$/ }, () => ({ path: 'dns2', namespace: 'dns2-packet-only' }));
    b.onLoad({ filter: /.*/, namespace: 'dns2-packet-only' }, () => ({
      contents: `import Packet from ${JSON.stringify(packetJs)}; export { Packet };`,
      resolveDir: join(packetJs, '..'),
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22', // the oldest Node that package.json's engines allow
  sourcemap: 'linked',
  // Bundled CommonJS packages call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
  plugins: [dns2PacketOnly],
};
// Two entries, split into chunks (issue 12: start-up cost): dist/understudy.mjs loads commander and the
// command line only, and each command imports its own chunks when it runs, so `--version` does not parse
// the AWS and Cloudflare SDKs, Fastify or BullMQ. dist/dns-worker.mjs is the DNS workers' own entry: the
// config reader, the DNS server and the logger only (issue 11 §2). Chunks sit beside the entries (not in
// a subdirectory) because modules find dist/web and dist/dns-worker.mjs relative to import.meta.url.
await build({
  ...common,
  entryPoints: {
    understudy: join(root, 'apps/cli/src/main.ts'),
    'dns-worker': join(root, 'apps/dns/src/worker-main.ts'),
  },
  outdir: join(root, 'dist'),
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunk-[hash]',
});

// The dashboard's web UI, served by the CLI from dist/web (next to dist/understudy.mjs).
const { buildWeb } = await import('../apps/dashboard/web/build.mjs');
await buildWeb({ outdir: join(root, 'dist/web') });

// dns.geo.database 'bundled' (issue 14 part 3): the installed package has no node_modules, so the country
// database and its licence note ship in dist/geo, where geo-db.ts looks first.
const geoPackage = '@ip-location-db/geo-whois-asn-country-mmdb';
const geoDir = join(createRequire(import.meta.url).resolve(`${geoPackage}/package.json`), '..');
mkdirSync(join(root, 'dist/geo'), { recursive: true });
for (const f of ['geo-whois-asn-country.mmdb', 'NRO_LICENSE', 'package.json'])
  copyFileSync(join(geoDir, f), join(root, 'dist/geo', f));
