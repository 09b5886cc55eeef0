/**
 * Cost of serving a zone as base + overlay (issue 11): time to build the base, heap per name, and the
 * time to apply a one-record delta, a 100-record delta, a serial-only delta and a full overlay, at
 * 1,100 / 11,000 / 110,000 names, and a delta of 1/8 of the failover records whole and sliced (as DNS
 * workers apply it: the longest slice is what a query can wait behind), and that delta flipping back
 * and forth between two value sets (a failover and its failback). Run: npx tsx test/bench/dns-apply.ts [--sizes 1100,11000]
 * (add node's --expose-gc, e.g. NODE_OPTIONS=--expose-gc, for steadier heap figures).
 */
import type { OverlayUpdate, RRset } from '@understudy/core';
import { DnsServer } from '@understudy/dns-server';
import type { ApplyInfo, ApplyStages, FailoverSlot, ZoneBase } from '@understudy/dns-server';
import { recordingLogger } from '@understudy/testkit/logger';

const APEX = 'scale.test.';
const arg = process.argv.indexOf('--sizes');
const sizes = (arg > 0 ? process.argv[arg + 1]! : '1100,11000,110000').split(',').map(Number);

const ip = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** `names` names: one in ten a failover A, one in a hundred a static CNAME to a failover name, the rest static A. */
function base(names: number): ZoneBase {
  const rrsets: RRset[] = [
    { name: APEX, type: 'SOA', ttl: 3600, values: [`ns1.${APEX} hostmaster.${APEX} 0 3600 600 86400 60`] },
    { name: APEX, type: 'NS', ttl: 3600, values: [`ns1.${APEX}`] },
    { name: `ns1.${APEX}`, type: 'A', ttl: 3600, values: ['192.0.2.53'] },
  ];
  const slots: FailoverSlot[] = [];
  for (let i = 0; i < names; i++) {
    const name = `n${i}.${APEX}`;
    if (i % 10 === 0) slots.push({ id: `${name}/A`, zone: APEX, name, type: 'A', ttl: 30, values: [ip(i)] });
    else if (i % 100 === 1) rrsets.push({ name, type: 'CNAME', ttl: 300, values: [`n${i - 1}.${APEX}`] });
    else rrsets.push({ name, type: 'A', ttl: 300, values: [ip(i)] });
  }
  return { zones: [{ apex: APEX, rrsets }], slots };
}

const gc = (globalThis as { gc?: () => void }).gc;
const heap = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed;
};
const ms = (x: number): string => `${x.toFixed(x < 10 ? 3 : 0)} ms`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

for (const n of sizes) {
  const b = base(n);
  let last: ApplyInfo | undefined;
  const server = new DnsServer({ listen: [], logger: recordingLogger(), onApplied: (i) => (last = i) });
  const h0 = heap();
  const t0 = performance.now();
  const res = server.setBase(b, { serial: 1, epoch: 1, generatedAt: 0, records: {} });
  const buildMs = performance.now() - t0;
  if (!res.ok) throw new Error(res.error);
  const perName = (heap() - h0) / n;
  let serial = 1;
  const delta = (records: Record<string, string[]>): OverlayUpdate => ({
    kind: 'delta',
    delta: { base: serial, serial: serial + 1, epoch: 1, generatedAt: 0, records },
  });
  const run = (label: string, make: (k: number) => OverlayUpdate, times: number): string => {
    const took: number[] = [];
    let bodies = 0;
    for (let k = 0; k < times; k++) {
      const r = server.applyUpdate(make(k));
      if (!r.ok) throw new Error(r.error);
      serial = r.serial;
      took.push(last!.ms);
      bodies = last!.bodies;
    }
    return `${label} ${ms(median(took))} (${bodies} bodies)`;
  };
  const slotIds = b.slots.map((s) => s.id);
  const one = run('1-record delta', (k) => delta({ [slotIds[k % slotIds.length]!]: [ip(k + 7)] }), 200);
  const hundred = run(
    '100-record delta',
    (k) => delta(Object.fromEntries(slotIds.slice(0, 100).map((id, j) => [id, [ip(k * 100 + j + 3)]]))),
    20,
  );
  const serialOnly = run('serial-only delta', () => delta({}), 50);
  const full = run(
    'full overlay (1 change)',
    (k) => ({
      kind: 'full',
      overlay: { serial: serial + 1, epoch: 1, generatedAt: 0, records: { [slotIds[0]!]: [ip(k + 99)] } },
    }),
    5,
  );
  // What bench:scale's change moves (10 % of the failover records), whole and in slices as a DNS worker
  // applies it: the longest a query waits behind apply work is the longest slice, not the whole update.
  const tenth = slotIds.slice(0, Math.max(1, slotIds.length >> 3));
  const tenthDelta = (k: number) =>
    delta(Object.fromEntries(tenth.map((id, j) => [id, [ip(k * 7 + j + 5)]])));
  const whole = run(`${tenth.length}-record delta`, tenthDelta, 5);
  // As a DNS worker applies it, in slices: the longest slice is what a query can wait behind.
  const slicedRuns = async (label: string, make: (k: number) => OverlayUpdate): Promise<string> => {
    const slices: number[] = [];
    const walls: number[] = [];
    const cpus: number[] = [];
    const stages: ApplyStages[] = [];
    for (let k = 0; k < 6; k++) {
      let from = performance.now();
      const t = from;
      const cpu0 = process.cpuUsage();
      const r = await server.applyUpdateSliced(make(k), async () => {
        slices.push(performance.now() - from);
        await new Promise((done) => setImmediate(done));
        from = performance.now();
      });
      if (!r.ok) throw new Error(r.error);
      slices.push(performance.now() - from);
      walls.push(performance.now() - t);
      const cpu = process.cpuUsage(cpu0);
      cpus.push((cpu.user + cpu.system) / 1000);
      stages.push(last!.stages!);
      serial = r.serial;
    }
    // CPU time and the stages' own figures move less than wall times on a shared, loaded machine.
    const stage = (k: 'planMs' | 'encodeMs' | 'commitMs') => ms(median(stages.map((s) => s[k])));
    return (
      `${label}: slice p50 ${ms(median(slices))}, longest ${ms(Math.max(...slices))}, of ${slices.length / 6} per update, ` +
      `wall ${ms(median(walls))}, CPU ${ms(median(cpus))} (plan ${stage('planMs')}, encode ${stage('encodeMs')}, commit ${stage('commitMs')})`
    );
  };
  const sliced = await slicedRuns('sliced', (k) => tenthDelta(k + 10));
  // Issue 11: a failover and its failback, as bench:scale's check flaps: the second value set each time
  // is the one served before (the records keep what they served before their last change).
  const flip = await slicedRuns('sliced flip/flip-back', (k) =>
    delta(Object.fromEntries(tenth.map((id, j) => [id, [ip(k % 2 === 0 ? j + 1_000_000 : j + 2_000_000)]]))),
  );
  console.log(
    `${n} names (${b.slots.length} failover): base build ${ms(buildMs)}, heap ${(perName / 1024).toFixed(2)} KiB/name; ` +
      `${one}; ${hundred}; ${serialOnly}; ${full}; ${whole}, ${sliced}; ${flip}`,
  );
  await server.close();
}
