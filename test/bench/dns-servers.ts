/** Starts and stops the servers under test as child processes: ours (the built CLI), NSD and PowerDNS. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ZoneState } from '@understudy/core';
import { freePort } from '@understudy/testkit/ports';
import { benchConfigYaml } from './dns-zone.js';

export const NSD_BINARY = '/usr/sbin/nsd';
/** Debian's pdns-server; the bind backend (pdns-backend-bind) installs libbindbackend.so beside it. */
export const PDNS_BINARY = '/usr/sbin/pdns_server';

export interface RunningServer {
  name: string;
  pid: number;
  port: number;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess, cleanup: () => void): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        cleanup();
        resolve();
        return;
      }
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(kill);
        cleanup();
        resolve();
      });
      child.kill('SIGTERM');
    });
}

/** Polls with an SOA query until the server answers. */
export async function waitForAnswer(port: number, apex: string, timeoutMs = 15_000): Promise<void> {
  const labels = apex.slice(0, -1).split('.');
  const q = Buffer.concat([
    Buffer.from([0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])),
    Buffer.from([0, 0, 6, 0, 1]),
  ]);
  const deadline = Date.now() + timeoutMs;
  const sock = dgram.createSocket('udp4');
  sock.on('error', () => undefined);
  try {
    while (Date.now() < deadline) {
      const got = await new Promise<boolean>((res) => {
        const onMessage = (): void => {
          clearTimeout(t);
          res(true);
        };
        // Unanswered polls must not leave their listeners behind (a slow start adds one per 300 ms).
        const t = setTimeout(() => {
          sock.removeListener('message', onMessage);
          res(false);
        }, 300);
        sock.once('message', onMessage);
        sock.send(q, port, '127.0.0.1');
      });
      if (got) return;
    }
    throw new Error(`no answer on port ${port} within ${timeoutMs} ms`);
  } finally {
    sock.close();
  }
}

export interface OursOptions {
  /** The node binary (default this process's), so another Node version can be measured. */
  node?: string;
  /** The bundle to run (default the built dist/understudy.mjs), e.g. a copy of an earlier build. */
  cli?: string;
  /** Name in the tables (default "ours"). */
  name?: string;
  /** dns.udpIo (default: the config's default, auto). */
  udpIo?: string;
}

/** Our server as it ships: `understudy dns --config` from the built bundle, with `dns.workers` set. */
export async function startOurs(workers: number, apex: string, o: OursOptions = {}): Promise<RunningServer> {
  const cli = o.cli ?? fileURLToPath(new URL('../../dist/understudy.mjs', import.meta.url));
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` (npm run bench:dns does)`);
  const dir = mkdtempSync(join(tmpdir(), 'understudy-bench-ours-'));
  const port = await freePort('127.0.0.1', 'both');
  const config = join(dir, 'bench.yaml');
  writeFileSync(config, benchConfigYaml(port, workers, o.udpIo));
  const child = spawn(o.node ?? process.execPath, [cli, 'dns', '--config', config], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.on('error', () => undefined);
  const stop = stopper(child, () => rmSync(dir, { recursive: true, force: true }));
  try {
    // Generous: on a loaded 2-core machine two workers loading the bundle took over 15 s.
    await waitForAnswer(port, apex, 60_000);
  } catch (err) {
    await stop(); // never leave a server behind a failed start
    throw err;
  }
  const name = o.name ?? 'ours';
  return { name: workers > 1 ? `${name}×${workers}` : name, pid: child.pid!, port, stop };
}

function zoneFileText(zone: ZoneState['zones'][number]): string {
  const lines: string[] = [];
  for (const rr of zone.rrsets)
    for (const v of rr.values) lines.push(`${rr.name} ${rr.ttl} IN ${rr.type} ${v}`);
  return `${lines.join('\n')}\n`;
}

/**
 * NSD in the foreground (-d) from a temp dir: `serverCount` server processes sharing the sockets (as
 * our DnsWorkerPool workers do), no privilege drop or chroot, no zone database file, and response rate
 * limiting off (Debian's build enables RRL, which would cap a benchmark at 200 qps).
 */
export async function startNsd(zs: ZoneState, serverCount = 1): Promise<RunningServer> {
  return startNsdZones(
    zs.zones.map((z) => ({ apex: z.apex, text: zoneFileText(z) })),
    serverCount,
  );
}

/** NSD serving zone files given as text (the same settings as startNsd). */
export async function startNsdZones(
  zones: { apex: string; text: string }[],
  serverCount = 1,
  startTimeoutMs = 15_000,
): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'understudy-nsd-'));
  const port = await freePort('127.0.0.1', 'both');
  zones.forEach((z, i) => writeFileSync(join(dir, `zone-${i}.db`), z.text));
  const conf = [
    'server:',
    `  port: ${port}`,
    '  ip-address: 127.0.0.1',
    '  username: ""',
    '  chroot: ""',
    `  pidfile: "${join(dir, 'nsd.pid')}"`,
    `  zonesdir: "${dir}"`,
    '  database: ""',
    `  xfrdfile: "${join(dir, 'xfrd.state')}"`,
    `  zonelistfile: "${join(dir, 'zone.list')}"`,
    `  server-count: ${serverCount}`,
    '  verbosity: 0',
    '  rrl-ratelimit: 0',
    '  rrl-whitelist-ratelimit: 0',
    'remote-control:',
    '  control-enable: no',
    ...zones.flatMap((z, i) => ['zone:', `  name: ${z.apex}`, `  zonefile: zone-${i}.db`]),
    '',
  ].join('\n');
  writeFileSync(join(dir, 'nsd.conf'), conf);
  const child = spawn(NSD_BINARY, ['-d', '-c', join(dir, 'nsd.conf')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.on('error', () => undefined);
  await waitForAnswer(port, zones[0]!.apex, startTimeoutMs);
  return {
    name: serverCount > 1 ? `nsd×${serverCount}` : 'nsd',
    pid: child.pid!,
    port,
    stop: stopper(child, () => rmSync(dir, { recursive: true, force: true })),
  };
}

export function nsdAvailable(): boolean {
  return existsSync(NSD_BINARY);
}

/** Which peers are missing, each with the command that installs it (benchmarks skip, never install). */
export function missingPeers(): string[] {
  const out: string[] = [];
  if (!existsSync(NSD_BINARY)) out.push('NSD: apt-get install -y nsd');
  if (!pdnsAvailable())
    out.push(
      'PowerDNS: apt-get install -y pdns-server pdns-backend-bind (then systemctl disable --now pdns)',
    );
  return out;
}

export function pdnsAvailable(): boolean {
  return existsSync(PDNS_BINARY) && existsSync('/usr/lib/x86_64-linux-gnu/pdns/libbindbackend.so');
}

/**
 * PowerDNS Authoritative with the bind backend in the foreground, from a temp dir: `threads` receiver
 * threads on SO_REUSEPORT sockets (its way of using several cores, as NSD's server-count and our
 * workers), one distributor each, its default packet cache on (that is how it is deployed), no
 * security polling (a DNS lookup to the outside), no web server or API, no setuid.
 * It keeps the kernel's default receive buffer (net.core.rmem_default, 208 KiB here; it has no
 * setting for it), so dnsperf's 500-deep burst overflows it: ~307 queries per burst show as lost
 * (the Udp RcvbufErrors counter rises by as many) and each holds a dnsperf slot for its 5 s timeout.
 * NSD and ours set larger buffers.
 */
export async function startPdns(
  zones: { apex: string; text: string }[],
  threads = 1,
  startTimeoutMs = 15_000,
): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'understudy-pdns-'));
  const port = await freePort('127.0.0.1', 'both');
  zones.forEach((z, i) => writeFileSync(join(dir, `zone-${i}.db`), z.text));
  const named = [
    `options { directory "${dir}"; };`,
    ...zones.map((z, i) => `zone "${z.apex}" { type master; file "${join(dir, `zone-${i}.db`)}"; };`),
    '',
  ].join('\n');
  writeFileSync(join(dir, 'named.conf'), named);
  const conf = [
    'launch=bind',
    `bind-config=${join(dir, 'named.conf')}`,
    'local-address=127.0.0.1',
    `local-port=${port}`,
    `socket-dir=${dir}`,
    'daemon=no',
    'guardian=no',
    'disable-syslog=yes',
    'loglevel=3',
    'security-poll-suffix=',
    `receiver-threads=${threads}`,
    'distributor-threads=1',
    'reuseport=yes',
    'webserver=no',
    'api=no',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'pdns.conf'), conf);
  const child = spawn(PDNS_BINARY, [`--config-dir=${dir}`], { stdio: ['ignore', 'ignore', 'ignore'] });
  child.on('error', () => undefined);
  const stop = stopper(child, () => rmSync(dir, { recursive: true, force: true }));
  try {
    await waitForAnswer(port, zones[0]!.apex, startTimeoutMs);
  } catch (err) {
    await stop();
    throw new Error(`PowerDNS did not answer: run ${PDNS_BINARY} --config-dir=<dir> by hand to see why`, {
      cause: err,
    });
  }
  return { name: threads > 1 ? `pdns×${threads}` : 'pdns', pid: child.pid!, port, stop };
}

/** PowerDNS serving a ZoneState (the same zone files NSD gets). */
export function startPdnsState(zs: ZoneState, threads = 1): Promise<RunningServer> {
  return startPdns(
    zs.zones.map((z) => ({ apex: z.apex, text: zoneFileText(z) })),
    threads,
  );
}
