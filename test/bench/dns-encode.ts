/**
 * dns-encode — what pre-encoding the fast table costs (issue 11: a zone build was ~80 % dns2's toBuffer).
 *
 * 1. µs per body: dns2's Packet.toBuffer (what fast-table.ts did) against body-encoder.ts, on every body a
 *    FastTable holds for a realistic zone mix (A, A+AAAA, CNAME, TXT, MX, SRV, CAA, failover A, NODATA and
 *    NXDOMAIN-shaped bodies), after checking that both decode to the same records.
 * 2. --memory: bytes per name the current FastTable (buildFastTable, unchanged) holds, as heap + external
 *    (Buffers) deltas after a forced GC, at --names names of the bench:scale shape (90 % static A, 10 %
 *    failover A, one zone).
 *
 *   npx tsx test/bench/dns-encode.ts [--names 11000] [--memory]
 */
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { RRset, ZoneState } from '@understudy/core';
import { encodeBody } from '../../libs/dns-server/src/body-encoder.js';
import { CLASS_IN, PROBE_ABSENT_TYPE, TYPE } from '../../libs/dns-server/src/constants.js';
import { Packet } from '../../libs/dns-server/src/dns2.js';
import type { Resource } from '../../libs/dns-server/src/dns2.js';
import { FastArena } from '../../libs/dns-server/src/fast-arena.js';
import { buildFastTable } from '../../libs/dns-server/src/fast-table.js';
import { buildModel } from '../../libs/dns-server/src/model.js';
import { dns2Name } from '../../libs/dns-server/src/records.js';
import { resolve } from '../../libs/dns-server/src/resolve.js';
import { hashWireName, nameToWire } from '../../libs/dns-server/src/wire.js';

const { values: args } = parseArgs({
  options: { names: { type: 'string', default: '11000' }, memory: { type: 'boolean', default: false } },
});
const NAMES = Number(args.names);
const APEX = 'bench.test.';
const ip = (base: number, i: number) => `${base}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** One zone of `names` owners; `mixed` spreads them over the types a real zone holds. */
function zoneState(names: number, mixed: boolean): ZoneState {
  const rrsets: RRset[] = [
    { name: APEX, type: 'SOA', ttl: 3600, values: [`ns1.${APEX} hostmaster.${APEX} 1 3600 600 86400 60`] },
    { name: APEX, type: 'NS', ttl: 3600, values: [`ns1.${APEX}`, `ns2.${APEX}`] },
    { name: `ns1.${APEX}`, type: 'A', ttl: 3600, values: ['192.0.2.53'] },
  ];
  for (let i = 0; i < names; i++) {
    const r = i % 100;
    const n = `h${i}.${APEX}`;
    if (!mixed || r < 70) rrsets.push({ name: n, type: 'A', ttl: r >= 90 ? 30 : 300, values: [ip(10, i)] });
    else if (r < 80) {
      rrsets.push({ name: n, type: 'A', ttl: 300, values: [ip(10, i), ip(11, i)] });
      rrsets.push({ name: n, type: 'AAAA', ttl: 300, values: [`2001:db8::${(i & 0xffff).toString(16)}`] });
    } else if (r < 85) rrsets.push({ name: n, type: 'CNAME', ttl: 300, values: [`h${i - 1}.${APEX}`] });
    else if (r < 90)
      rrsets.push({ name: n, type: 'TXT', ttl: 300, values: [`"v=spf1 ip4:${ip(10, i)} -all"`] });
    else if (r < 93)
      rrsets.push({ name: n, type: 'MX', ttl: 300, values: [`10 mx1.${n}`, `20 mx2.${APEX}`] });
    else if (r < 95) rrsets.push({ name: n, type: 'SRV', ttl: 300, values: [`0 5 443 h${i - 1}.${APEX}`] });
    else if (r < 97) rrsets.push({ name: n, type: 'CAA', ttl: 300, values: ['0 issue "ca.example"'] });
    else rrsets.push({ name: n, type: 'A', ttl: 30, values: [ip(172, i)] });
  }
  return { serial: 1, epoch: 1, generatedAt: 0, zones: [{ apex: APEX, rrsets }] };
}

interface Job {
  qname: string;
  sections: [Resource[], Resource[], Resource[]];
}

/** Every (name, type) body a FastTable holds, plus the body every absent type gets. */
function jobsOf(zs: ZoneState): Job[] {
  const model = buildModel(zs);
  const jobs: Job[] = [];
  for (const zone of model.zones.values())
    for (const [name, node] of zone.nodes)
      for (const t of [...(node.cname ? model.types : node.rrsets.keys()), PROBE_ABSENT_TYPE]) {
        const r = resolve(model, name, t);
        jobs.push({ qname: name, sections: [r.answer, r.authority, r.additional] });
      }
  return jobs;
}

function dns2Body({ qname, sections: [an, ns, ar] }: Job): Buffer {
  const p = new Packet();
  p.header = new Packet.Header({ qr: 1 });
  p.questions = [new Packet.Question(dns2Name(qname), TYPE.A, CLASS_IN)];
  p.answers = an;
  p.authorities = ns;
  p.additionals = ar;
  return Buffer.from(p.toBuffer().subarray(12 + nameToWire(qname).length + 4));
}

const ours = (j: Job): Buffer => encodeBody(j.qname, TYPE.A, ...j.sections).body;

function parsedRecords(j: Job, body: Buffer): string {
  const [an, ns, ar] = j.sections;
  const h = Buffer.alloc(12);
  [1, an.length, ns.length, ar.length].forEach((c, k) => h.writeUInt16BE(c, 4 + 2 * k));
  const p = Packet.parse(Buffer.concat([h, nameToWire(j.qname), Buffer.from([0, 1, 0, 1]), body]));
  return JSON.stringify([p.answers, p.authorities, p.additionals]);
}

/** µs per body: the fastest of `rounds` passes over every job (the machine is shared; the minimum is the signal). */
function usPerBody(jobs: Job[], fn: (j: Job) => Buffer, rounds: number): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (const j of jobs) fn(j);
    best = Math.min(best, ((performance.now() - t0) * 1000) / jobs.length);
  }
  return best;
}

function speed(): void {
  const jobs = jobsOf(zoneState(NAMES, true));
  for (const j of jobs)
    if (parsedRecords(j, ours(j)) !== parsedRecords(j, dns2Body(j)))
      throw new Error(`bodies differ for ${j.qname}`);
  const bytes = jobs.reduce((s, j) => s + ours(j).length, 0);
  let d = Infinity;
  let o = Infinity;
  for (let k = 0; k < 3; k++) {
    d = Math.min(d, usPerBody(jobs, dns2Body, 1));
    o = Math.min(o, usPerBody(jobs, ours, 5));
  }
  console.log(
    `${NAMES} names, ${jobs.length} bodies (mean ${(bytes / jobs.length).toFixed(1)} octets), same records`,
  );
  console.log(
    `dns2 toBuffer   ${d.toFixed(2)} µs/body   (${((d * jobs.length) / 1e6).toFixed(2)} s per build)`,
  );
  console.log(
    `body-encoder    ${o.toFixed(2)} µs/body   (${((o * jobs.length) / 1e6).toFixed(3)} s per build)`,
  );
  console.log(`speed-up        ${(d / o).toFixed(1)}x`);
}

/** The same bodies as buildFastTable, encoded by body-encoder into a FastArena (what issue 11 would wire in). */
function buildArena(model: ReturnType<typeof buildModel>): FastArena {
  const arena = new FastArena();
  for (const zone of model.zones.values())
    for (const [name, node] of zone.nodes) {
      const types = [...(node.cname ? [...model.types, TYPE.CNAME] : node.rrsets.keys()), PROBE_ABSENT_TYPE];
      const key = nameToWire(name);
      const answers = types.map((qtype) => {
        const r = resolve(model, name, qtype);
        const { body, serialAt } = encodeBody(name, qtype, r.answer, r.authority, r.additional);
        const counts = { an: r.answer.length, ns: r.authority.length, ar: r.additional.length };
        return { qtype, aa: r.aa, rcode: r.rcode, ...counts, body, serialAt };
      });
      arena.set({ key, hash: hashWireName(key), answers, zone: name === zone.apex ? 0 : -1 });
    }
  return arena;
}

interface Usage {
  heap: number;
  ext: number;
  rss: number;
}

async function memory(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // Array buffers are freed off-thread after a GC: a pause lets the external figure settle.
  const used = async (): Promise<Usage> => {
    gc();
    await new Promise((r) => setTimeout(r, 200));
    gc();
    const m = process.memoryUsage();
    return { heap: m.heapUsed, ext: m.external, rss: m.rss }; // external includes arrayBuffers
  };
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
  const start = await used();
  const model = buildModel(zoneState(NAMES, false));
  const base = await used();
  const names = [...model.zones.values()].reduce((s, z) => s + z.nodes.size, 0);
  const per = (from: Usage, to: Usage, k: keyof Usage) => ((to[k] - from[k]) / names).toFixed(0);
  console.log(`${names} names (bench:scale shape); the model alone: heap ${per(start, base, 'heap')} B/name`);
  /** Builds one table form, measures it while it is held, and lets it go before returning. */
  const measure = async (what: string, build: () => { size: number; keep: unknown; note?: () => string }) => {
    const t0 = performance.now();
    const held = build();
    const ms = performance.now() - t0;
    const u = await used();
    console.log(
      `  ${what}, ${held.size} entries: heap ${per(base, u, 'heap')} B/name, Buffers ${per(base, u, 'ext')} B/name, ` +
        `built in ${(ms / 1000).toFixed(2)} s; process RSS ${mb(u.rss)}`,
    );
    if (held.note) console.log(`    ${held.note()}`);
    return held.keep !== null; // read after the measurement, so the table is live through it
  };
  await measure('FastTable (dns2, today)', () => {
    const table = buildFastTable(model);
    return { size: table.names.length, keep: table };
  });
  await measure('FastArena (body-encoder)', () => {
    const arena = buildArena(model);
    const f = arena.footprint();
    return {
      size: arena.size,
      keep: arena,
      note: () =>
        `arena ${mb(f.arena)} (live ${(f.live / 2 ** 20).toFixed(1)} MB), typed arrays ${(f.arrays / 2 ** 20).toFixed(1)} MB`,
    };
  });
}

if (args.memory) await memory();
else speed();
