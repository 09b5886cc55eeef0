/**
 * Differential check: the same dig queries against our server and NSD serving the same zone, printing
 * every difference. Two known, intended ones are normalised away: NSD adds the apex NS RRset to
 * positive answers (we answer minimally), and ANY picks a different single RRset (RFC 8482 leaves the
 * choice open). Empty RRsets are left out: a zone file cannot express them.
 *
 *   npx tsx test/bench/dns-compare.ts
 */
import { dig } from '@understudy/testkit/dig';
import type { DigResult } from '@understudy/testkit/dig';
import { startHarness, zoneState } from '../dns/harness.js';
import { nsdAvailable, startNsd } from './dns-servers.js';

const NAMES = [
  'example.test',
  'www.example.test',
  'WWW.Example.Test',
  'app.example.test',
  'ent.example.test',
  'host.ent.example.test',
  'alias.example.test',
  'hop.example.test',
  'away.example.test',
  'dangling.example.test',
  'big.example.test',
  'mail.example.test',
  'nope.example.test',
  'a.nope.example.test',
  'www.example.com',
  'x.host.ent.example.test',
];
const TYPES = ['A', 'AAAA', 'MX', 'TXT', 'CNAME', 'SOA', 'NS', 'TYPE1000', 'DS'];
const FLAGS = [
  ['+norec'],
  ['+norec', '+noedns'],
  ['+norec', '+dnssec'],
  ['+tcp'],
  ['+norec', '+bufsize=512', '+ignore'],
];

function normal(r: DigResult): string {
  const positive = r.answer.length > 0 && r.status === 'NOERROR';
  const opt = r.opt && { version: r.opt.version, flags: r.opt.flags };
  return JSON.stringify({
    status: r.status,
    flags: r.flags,
    answer: r.answer,
    authority: positive ? [] : r.authority,
    opt,
  }).toLowerCase();
}

if (!nsdAvailable()) {
  console.log('nsd not installed: nothing to compare against');
  process.exit(0);
}
const zs = zoneState();
zs.zones[0]!.rrsets = zs.zones[0]!.rrsets.filter((r) => r.values.length > 0);
const ours = await startHarness(zs);
const nsd = await startNsd(zs);
let diffs = 0;
let total = 0;
try {
  for (const name of NAMES)
    for (const type of TYPES)
      for (const flags of FLAGS) {
        total++;
        const [a, b] = await Promise.all([
          dig({ server: '127.0.0.1', port: ours.port, name, type, flags }),
          dig({ server: '127.0.0.1', port: nsd.port, name, type, flags }),
        ]);
        if (normal(a) === normal(b)) continue;
        diffs++;
        console.log(`${name} ${type} ${flags.join(' ')}\n  ours ${normal(a)}\n  nsd  ${normal(b)}`);
      }
} finally {
  await ours.close();
  await nsd.stop();
}
console.log(`${diffs} differences in ${total} queries`);
