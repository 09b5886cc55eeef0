/**
 * Benchmark child: serves a ZoneState (JSON file) on 127.0.0.1:<port> (0 = random).
 * Usage: node --import tsx test/bench/dns-server-entry.ts <zone.json> <port> [workers]
 * workers = 1 runs DnsServer in this process; more runs a DnsWorkerPool of that many cluster workers
 * (this same script, in worker mode). Prints "ready <port>" once listening; exits on SIGTERM.
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import type { ZoneState } from '@understudy/core';
import { DnsServer, DnsWorkerPool, runDnsWorker } from '@understudy/dns-server';

const logger = pino({ level: 'warn' }, pino.destination(2));

if (cluster.isWorker) {
  await runDnsWorker(logger);
} else {
  const [file, portText, workersText] = process.argv.slice(2);
  if (!file || !portText) {
    process.stderr.write('usage: dns-server-entry.ts <zone.json> <port> [workers]\n');
    process.exit(2);
  }
  const workers = Number(workersText ?? 1);
  const zs = JSON.parse(readFileSync(file, 'utf8')) as ZoneState;
  const listen = [{ host: '127.0.0.1', port: Number(portText) }];
  const server =
    workers > 1 ? new DnsWorkerPool({ listen, logger, workers }) : new DnsServer({ listen, logger });
  const res = server.setZoneState(zs);
  if (!res.ok) {
    process.stderr.write(`zone state rejected: ${res.error}\n`);
    process.exit(1);
  }
  await server.start();
  process.stdout.write(`ready ${server.addresses().udp[0]!.port}\n`);
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
}
