/**
 * The server side of the abuse benchmark, in its own process so that the load generator's CPU is not
 * the server's: a DnsServer with the default limits on a random loopback port. Prints one JSON line
 * with the port, then one with its counters every 500 ms, until SIGTERM.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DnsServer } from '@understudy/dns-server';
import { recordingLogger } from '@understudy/testkit/logger';
import { zoneState } from '../dns/harness.js';

const logger = recordingLogger();
const server = new DnsServer({ listen: [{ host: '127.0.0.1', port: 0 }], logger });
const res = server.setZoneState(zoneState());
if (!res.ok) throw new Error(res.error);
await server.start();
const out = (o: unknown): boolean => process.stdout.write(`${JSON.stringify(o)}\n`);
out({ port: server.addresses().udp[0]!.port });
// How late the server's own event loop runs: tells its delays from the machine's.
const lag = monitorEventLoopDelay({ resolution: 5 });
lag.enable();
process.stdin.on('data', () => lag.reset()); // the parent marks the start of a phase
const timer = setInterval(() => {
  const cpu = process.cpuUsage();
  out({
    rssMb: process.memoryUsage().rss / 2 ** 20,
    cpuS: (cpu.user + cpu.system) / 1e6,
    abuse: server.abuseCounts(),
    loopLagP99Ms: lag.percentile(99) / 1e6,
    loopLagMaxMs: lag.max / 1e6,
    warnings: logger.entries.filter((e) => e.level === 'warn' || e.level === 'error').length,
  });
}, 500);
process.once('SIGTERM', () => {
  clearInterval(timer);
  void server.close().then(() => process.exit(0));
});
