/**
 * The attacking side of the abuse benchmark, in its own process so that its event loop does not delay
 * the legitimate clients' measurements. Args: port, seconds. Prints one JSON line with what it sent.
 */
import { craftedUdp, tcpFlood } from './dns-abuse-live.js';

const port = Number(process.argv[2]);
const seconds = Number(process.argv[3]);
const sources = (base: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${base}.${i + 2}`);
// Either half can be left out, to tell which one costs what: DNS_ABUSE_ONLY=udp | tcp.
const only = process.env.DNS_ABUSE_ONLY;
const crafted = craftedUdp(port, 'example.test', sources('127.0.0', 8), only === 'tcp' ? 0 : 2.4e6);
const flood = tcpFlood(port, sources('127.0.1', 20), only === 'udp' ? 0 : 20);
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
setTimeout(() => {
  const sent = crafted.stop();
  const opened = flood.stop();
  process.stdout.write(`${JSON.stringify({ ...sent, opened })}\n`);
  setTimeout(() => process.exit(0), 200);
}, seconds * 1000);
