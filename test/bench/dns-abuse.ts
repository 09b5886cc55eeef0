/**
 * `npm run bench:dns-abuse`: the DNS server under hostile traffic (issue #10 §2).
 *
 * 1. Offline: time to answer (or drop) crafted messages, next to what dns2's full parse (the old slow
 *    path) spends on the same bytes.
 * 2. Live, against a server in its own process with the default limits: 10 s of legitimate traffic
 *    alone (the machine's own noise), then 30 s of 50 legitimate UDP queries/s and 4 TCP queries/s on
 *    fresh connections, while 8 source addresses send crafted datagrams (65 KB,
 *    4 KB many-record, 507-octet many-record, random) at 2.4 MB/s and 20 addresses keep idle and
 *    half-frame TCP connections open (20 each: over the per-client cap and, together, over the table).
 * Targets: 0 % legitimate loss, UDP p99 < 10 ms, every TCP query answered.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { recordingLogger } from '@understudy/testkit/logger';
import { Packet } from '../../libs/dns-server/src/dns2.js';
import { Responder } from '../../libs/dns-server/src/responder.js';
import { buildSnapshot } from '../../libs/dns-server/src/snapshot.js';
import { zoneState } from '../dns/harness.js';
import { manyRecords, query } from './dns-crafted.js';
import { legitTcp, legitUdp } from './dns-abuse-live.js';
import { fmt, summarize } from './stats.js';

const APEX = 'example.test';
const LIVE_S = Number(process.env.DNS_ABUSE_SECONDS ?? 30);
/** Legitimate traffic alone first: what this (shared) machine gives without any attack. */
const BASELINE_S = Number(process.env.DNS_ABUSE_BASELINE_SECONDS ?? 10);

function perOp(fn: () => unknown, budgetMs = 300): number {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < budgetMs) {
    for (let i = 0; i < 16; i++) fn();
    n += 16;
  }
  return ((performance.now() - t0) * 1000) / n;
}

function offline(): void {
  const r = new Responder(1232, recordingLogger(), undefined);
  r.snapshot = buildSnapshot(zoneState());
  const warm = (msg: Buffer): void => {
    perOp(() => r.answerUdp(msg), 100);
    if (msg.length <= 4096) perOp(() => r.answerTcp(msg), 100);
  };
  const cases: [string, Buffer][] = [
    ['plain A query (fast path)', query(1, `www.${APEX}`)],
    ['ANY query (slow path)', query(2, `www.${APEX}`, 255, true)],
    ['507 octets, 30 additional records', manyRecords(507, APEX, 'additional')],
    ['4,000 octets, 240 answer records', manyRecords(4000, APEX)],
    ['65,000 octets, 4,062 answer records', manyRecords(65_000, APEX)],
  ];
  console.log('offline: µs per message (new path: Responder.answerUdp; old slow path: dns2 Packet.parse)');
  for (const [, msg] of cases) warm(msg);
  for (const [name, msg] of cases) {
    const now = perOp(() => r.answerUdp(msg));
    const tcp = msg.length <= 4096 ? perOp(() => r.answerTcp(msg)) : NaN;
    const old = perOp(() => {
      try {
        Packet.parse(msg);
      } catch {
        // what the old path answered with FORMERR
      }
    }, 600);
    console.log(
      `  ${name.padEnd(38)} udp ${fmt(now).padStart(7)} µs  tcp ${fmt(tcp).padStart(7)} µs   old parse alone ${fmt(old).padStart(9)} µs`,
    );
  }
}

interface ServerLine {
  port?: number;
  rssMb?: number;
  cpuS?: number;
  loopLagP99Ms?: number;
  loopLagMaxMs?: number;
  abuse?: { tcp: Record<string, number> };
  warnings?: number;
}

/** Spawns a bench script with tsx and hands over its stdout lines. */
function script(name: string, args: string[], onLine: (l: string) => void): ReturnType<typeof spawn> {
  const path = new URL(name, import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  createInterface({ input: child.stdout }).on('line', onLine);
  return child;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * One phase: legitimate UDP and TCP clients for `seconds`, with the attacker process running meanwhile
 * when `attack`. Prints its figures and says whether the targets were met.
 */
async function phase(
  server: ReturnType<typeof spawn>,
  lines: ServerLine[],
  port: number,
  seconds: number,
  attack: boolean,
): Promise<boolean> {
  let sent = { bytes: 0, datagrams: 0, opened: 0 };
  let attacker: ReturnType<typeof spawn> | undefined;
  if (attack) {
    let ready: () => void = () => undefined;
    const started = new Promise<void>((r) => (ready = r));
    attacker = script('./dns-abuse-attacker.ts', [String(port), String(seconds)], (l) => {
      const o = JSON.parse(l) as { ready?: boolean } & typeof sent;
      if (o.ready) ready();
      else sent = o;
    });
    await started;
  }
  server.stdin!.write('reset\n');
  await sleep(600); // a server line after the reset
  const cpu0 = lines.at(-1)?.cpuS ?? 0;
  const udp = legitUdp(port, APEX, 50);
  const tcp = legitTcp(port, APEX, 4);
  if (attacker) await new Promise((r) => attacker.once('exit', r));
  else await sleep(seconds * 1000);
  const [u, t] = await Promise.all([udp.stop(), tcp.stop()]);
  const last = lines.at(-1)!;
  const us = summarize(u.latencies);
  const ts = summarize(t.latencies);
  const loss = (100 * u.failures) / Math.max(1, u.sent);
  console.log(attack ? `live, under attack: ${seconds} s` : `live, baseline without attack: ${seconds} s`);
  if (attack) {
    const mbs = (sent.bytes / 1e6 / seconds).toFixed(2);
    console.log(
      `  crafted UDP: ${sent.datagrams} datagrams, ${(sent.bytes / 1e6).toFixed(1)} MB = ${mbs} MB/s from 8 sources`,
    );
    console.log(`  TCP flood: ${sent.opened} idle/half-frame connections opened from 20 sources`);
  }
  console.log(
    `  legit UDP: ${u.sent} sent, ${u.failures} lost (${loss.toFixed(2)} %), p50 ${fmt(us.p50)} ms, p99 ${fmt(us.p99)} ms, max ${fmt(us.max)} ms`,
  );
  console.log(
    `  legit TCP: ${t.sent} sent on fresh connections, ${t.failures} unanswered, p50 ${fmt(ts.p50)} ms, p99 ${fmt(ts.p99)} ms, max ${fmt(ts.max)} ms`,
  );
  const maxRss = Math.max(...lines.map((l) => l.rssMb ?? 0));
  console.log(
    `  server: CPU ${((last.cpuS ?? 0) - cpu0).toFixed(1)} s, event-loop lag p99 ${fmt(last.loopLagP99Ms ?? NaN)} ms max ${fmt(last.loopLagMaxMs ?? NaN)} ms, max RSS ${maxRss.toFixed(0)} MB, warnings ${last.warnings}`,
  );
  if (attack) console.log(`  TCP connections closed by a limit: ${JSON.stringify(last.abuse?.tcp)}`);
  const ok = u.failures === 0 && us.p99 < 10 && t.failures === 0;
  console.log(
    `  targets: loss 0 % ${u.failures === 0 ? 'met' : 'MISSED'}, UDP p99 < 10 ms ${us.p99 < 10 ? 'met' : 'MISSED'}, TCP all answered ${t.failures === 0 ? 'met' : 'MISSED'}`,
  );
  return ok;
}

async function live(): Promise<boolean> {
  const lines: ServerLine[] = [];
  let portSeen: (p: number) => void = () => undefined;
  const server = script('./dns-abuse-server.ts', [], (l) => {
    const o = JSON.parse(l) as ServerLine;
    lines.push(o);
    if (o.port) portSeen(o.port);
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      portSeen = resolve;
      server.once('exit', (code) => reject(new Error(`server exited (${code})`)));
    });
    await phase(server, lines, port, BASELINE_S, false);
    return await phase(server, lines, port, LIVE_S, true);
  } finally {
    server.kill('SIGTERM');
  }
}

offline();
const ok = await live();
process.exitCode = ok ? 0 : 1;
