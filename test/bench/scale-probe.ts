/**
 * scale-probe — one `understudy run` of bench:scale's generated config, to see where the main process's
 * start-up and memory go (issue 11). Prints, every second until `--seconds` after ready, the RSS of the
 * main process and of each DNS worker, and the main process's heap (a preload writes process.memoryUsage
 * to stderr; PRELOAD=file.mjs replaces it, e.g. with one that dumps heap spaces or smaps). Node flags for
 * the main process: --flags (e.g. --flags=--max-semi-space-size=4, --flags=--heapsnapshot-signal=SIGUSR2).
 *
 *   npm run build && npx tsx test/bench/scale-probe.ts --size 110000 [--seconds 20] [--flags=...]
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '@understudy/testkit/ports';
import { processTree } from './dns-proc.js';
import { APEX, CHECKS, configYaml, zoneOf } from './scale-config.js';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '110000' },
    seconds: { type: 'string', default: '20' },
    flags: { type: 'string', default: '' },
  },
});
const CLI = fileURLToPath(new URL('../../dist/understudy.mjs', import.meta.url));
const rss = (pid: number): number => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
};

function answered(port: number): Promise<boolean> {
  const q = Buffer.from([1, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0x73, 0x30]);
  const labels = APEX.slice(0, -1).split('.');
  const name = Buffer.concat(labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])));
  const msg = Buffer.concat([q, name, Buffer.from([0, 0, 1, 0, 1])]);
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => (s.close(), resolve(false)), 200);
    s.on('message', () => (clearTimeout(t), s.close(), resolve(true)));
    s.send(msg, port, '127.0.0.1');
  });
}

const z = zoneOf(Number(args.size));
const dir = mkdtempSync(join(tmpdir(), 'understudy-scale-probe-'));
const servers = await Promise.all(
  Array.from({ length: CHECKS }, async () => {
    const port = await freePort('127.0.0.1', 'tcp');
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    return { port, server };
  }),
);
const dnsPort = await freePort('127.0.0.1', 'both');
const httpPort = await freePort('127.0.0.1', 'tcp');
const config = join(dir, 'scale.yaml');
writeFileSync(
  config,
  configYaml(
    z,
    dnsPort,
    httpPort,
    servers.map((s) => s.port),
    dir,
  ),
);
const preload = process.env.PRELOAD ?? join(dir, 'mem.mjs');
if (!process.env.PRELOAD)
  writeFileSync(
    preload,
    `import cluster from 'node:cluster';
if (cluster.isPrimary) setInterval(() => { const m = process.memoryUsage();
  process.stderr.write('MEM ' + JSON.stringify({ heapUsed: m.heapUsed >> 20, heapTotal: m.heapTotal >> 20, external: m.external >> 20, ab: m.arrayBuffers >> 20 }) + '\\n'); }, 1000).unref();\n`,
  );
const flags = args.flags.split(' ').filter(Boolean);
const t0 = performance.now();
const app = spawn(process.execPath, [...flags, '--import', preload, CLI, 'run', '--config', config], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
let lastMem = '';
app.stderr.on('data', (d: Buffer) => {
  for (const line of d.toString().split('\n')) {
    if (line.startsWith('MEM ')) lastMem = line.slice(4);
    if (line.startsWith('MEM ') && process.env.PRELOAD) console.log(line);
    else if (line.trim() && !line.startsWith('MEM ')) process.stderr.write(`${line}\n`);
  }
});
let first = 0;
let ready = 0;
try {
  for (let s = 0; s < 600 && (!ready || performance.now() - ready < Number(args.seconds) * 1000); s++) {
    if (!first && (await answered(dnsPort))) first = performance.now();
    if (!ready)
      ready = (await fetch(`http://127.0.0.1:${httpPort}/readyz`).catch(() => null))?.ok
        ? performance.now()
        : 0;
    const tree = processTree(app.pid!);
    const t = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(`${t}s rss ${tree.map((p) => rss(p).toFixed(0)).join(' + ')} MB ${lastMem}`);
    await new Promise((r) => setTimeout(r, first ? 1000 : 100));
  }
  console.log(
    `first answer ${((first - t0) / 1000).toFixed(2)} s · ready ${((ready - t0) / 1000).toFixed(2)} s`,
  );
} finally {
  app.kill('SIGTERM');
  await new Promise((r) => app.once('exit', r));
  for (const s of servers) s.server.close();
  rmSync(dir, { recursive: true, force: true });
}
