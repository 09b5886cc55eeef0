/**
 * bench:main-memory — what holds the main process's memory at a given zone size (issue 11: 1.8 GB idle
 * at 110,000 records). Builds, in this process, what the main process holds for each config and prints
 * the heap each part keeps (after a full GC), what it costs to build, and peak RSS:
 *   config        parseConfig of bench:scale's generated config (the source text and YAML are dropped)
 *   engine        a DecisionEngine over it (decider state, zone state, indexes)
 *   clone         one structuredClone of the decider state (what saving it after each result copies)
 *   zone JSON     the ZoneState as the pool sends it to each DNS worker
 *   snapshot      one DNS snapshot of the zone state (the main process builds one to validate it)
 *
 *   npm run bench:main-memory [-- --size 110000]
 */
import { parseArgs } from 'node:util';
import { parseConfig } from '@understudy/config';
import { DecisionEngine } from '@understudy/core';
import { buildSnapshot } from '@understudy/dns-server';
import { CHECKS, configYaml, zoneOf } from './scale-config.js';

const { values: args } = parseArgs({ options: { size: { type: 'string', default: '110000' } } });
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:main-memory does)');

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
let heapBefore = 0;
/** Runs `build`, then reports its time and the heap it left behind once garbage is collected. */
function stage<T>(name: string, build: () => T): T {
  gc!();
  heapBefore = process.memoryUsage().heapUsed;
  const c0 = process.cpuUsage();
  const value = build();
  const c = process.cpuUsage(c0);
  gc!();
  const m = process.memoryUsage();
  console.log(
    `  ${name.padEnd(10)} keeps ${mb(m.heapUsed - heapBefore).padStart(7)} · CPU ${((c.user + c.system) / 1e6).toFixed(2)} s · ` +
      `heap ${mb(m.heapUsed)} · RSS ${mb(m.rss)}`,
  );
  return value;
}

const size = Number(args.size);
const z = zoneOf(size);
const ports = Array.from({ length: CHECKS }, (_, k) => 20_000 + k);
console.log(`${size} records (${z.statics} static + ${z.failovers} failover):`);
const text = configYaml(z, 5300, 8080, ports, '/tmp');
const { config } = stage('config', () => parseConfig(text, { env: {} }));
const engine = stage(
  'engine',
  () => new DecisionEngine({ config, state: null, now: 0, epoch: 1, minSerial: 0 }),
);
const clone = stage('clone', () => structuredClone(engine.state));
const json = stage('zone JSON', () => JSON.stringify(engine.zoneState));
console.log(`  zone JSON is ${mb(json.length)} of text`);
const snapshot = stage('snapshot', () => buildSnapshot(engine.zoneState));
console.log(`  peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`);
// Held to the end so that each stage's figure is what it keeps, not what the next one freed.
void [clone, snapshot];
