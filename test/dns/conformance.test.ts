/**
 * Issue 15 §2: the conformance gaps found by comparing dig/kdig answers with NSD's. Every case queries
 * our server with real dig and kdig and, where NSD is installed, NSD serving the same zone on another
 * loopback port, and checks that the two agree on what the case is about.
 */
import dgram from 'node:dgram';
import type { RRset, ZoneState } from '@understudy/core';
import { dig, kdig } from '@understudy/testkit/dig';
import type { DigResult } from '@understudy/testkit/dig';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nsdAvailable, startNsd } from '../bench/dns-servers.js';
import type { RunningServer } from '../bench/dns-servers.js';
import { APEX, startHarness, zoneState } from './harness.js';
import type { Harness } from './harness.js';

const n = (label: string): string => `${label}.${APEX}`;
/** c0 → c1 → … → c{CHAIN}, which has an address: CHAIN CNAME links. */
const CHAIN = 20;

function conformanceZone(): ZoneState {
  const zs = zoneState();
  const extra: RRset[] = [
    { name: n('a.b.ent'), type: 'A', ttl: 300, values: ['192.0.2.4'] },
    ...Array.from({ length: CHAIN }, (_, i): RRset => {
      return { name: n(`c${i}`), type: 'CNAME', ttl: 300, values: [n(`c${i + 1}`)] };
    }),
    { name: n(`c${CHAIN}`), type: 'A', ttl: 300, values: ['192.0.2.20'] },
  ];
  zs.zones[0]!.rrsets.push(...extra);
  return zs;
}

let h: Harness;
let nsd: RunningServer | null = null;
beforeAll(async () => {
  const zs = conformanceZone();
  h = await startHarness(zs);
  if (nsdAvailable()) nsd = await startNsd(zs);
});
afterAll(async () => {
  await h?.close();
  await nsd?.stop();
});

type Tool = 'dig' | 'kdig';
const TOOLS: Tool[] = ['dig', 'kdig'];

function ask(tool: Tool, port: number, name: string, type: string, flags: string[] = []): Promise<DigResult> {
  const run = tool === 'dig' ? dig : kdig;
  return run({ server: '127.0.0.1', port, name, type, flags: ['+norec', ...flags] });
}

/** The question line as the tool printed it. */
function questionLine(r: DigResult): string | undefined {
  return /^;(?:; )?(\S+\s+(?:IN|CH|ANY|CLASS\d+)\s+\S+)\s*$/m.exec(r.raw)?.[1]!.replace(/\s+/g, ' ');
}

describe('a label holding a literal dot (wire labels, not dotted strings)', () => {
  for (const tool of TOOLS) {
    it(`${tool}: a\\.b.ent is NXDOMAIN with the question echoed unchanged, like NSD`, async () => {
      const r = await ask(tool, h.port, 'a\\.b.ent.example.test', 'A');
      expect(r.status).toBe('NXDOMAIN');
      expect(r.answer).toEqual([]);
      expect(r.authority.map((a) => a.type)).toEqual(['SOA']);
      expect(questionLine(r)).toBe('a\\.b.ent.example.test. IN A');
      if (nsd) {
        const theirs = await ask(tool, nsd.port, 'a\\.b.ent.example.test', 'A');
        expect(theirs.status).toBe(r.status);
        expect(questionLine(theirs)).toBe(questionLine(r));
      }
    });
  }

  it('over TCP and without EDNS too (the slow path)', async () => {
    for (const flags of [['+tcp'], ['+noedns'], ['+nocookie']]) {
      const r = await ask('dig', h.port, 'a\\.b.ent.example.test', 'A', flags);
      expect(r.status).toBe('NXDOMAIN');
      expect(questionLine(r)).toBe('a\\.b.ent.example.test. IN A');
    }
  });
});

describe('class ANY (RFC 1035 §3.2.5)', () => {
  for (const tool of TOOLS) {
    it(`${tool}: answered from the IN data, not REFUSED, like NSD`, async () => {
      for (const [name, type] of [
        ['www.example.test', 'A'],
        ['nope.example.test', 'A'],
        ['www.example.test', 'TXT'],
        ['c18.example.test', 'A'],
        ['www.example.com', 'A'],
      ] as const) {
        const r = await ask(tool, h.port, name, type, ['-c', 'ANY']);
        if (name === 'www.example.test' && type === 'A') {
          expect(r.status).toBe('NOERROR');
          expect(r.answer.map((a) => `${a.class} ${a.type} ${a.data}`)).toEqual(['IN A 192.0.2.1']);
        }
        if (nsd) {
          const theirs = await ask(tool, nsd.port, name, type, ['-c', 'ANY']);
          expect([name, r.status, r.flags, r.answer, r.authority.length]).toEqual([
            name,
            theirs.status,
            theirs.flags,
            theirs.answer,
            theirs.authority.length,
          ]);
        }
      }
    });
  }
});

describe('CNAME chains', () => {
  for (const tool of TOOLS) {
    it(`${tool}: a chain of ${CHAIN} links is followed to its address, like NSD`, async () => {
      const r = await ask(tool, h.port, 'c0.example.test', 'A');
      expect(r.status).toBe('NOERROR');
      expect(r.answer).toHaveLength(CHAIN + 1);
      expect(r.answer.at(-1)).toMatchObject({ type: 'A', data: '192.0.2.20' });
      if (nsd) {
        const theirs = await ask(tool, nsd.port, 'c0.example.test', 'A');
        expect(r.answer).toEqual(theirs.answer);
      }
    });
  }
});

/** One raw UDP exchange: the reply's rcode and section counts (no reply: null). */
async function raw(port: number, msg: Buffer): Promise<{ rcode: number; opcode: number; counts: number[] }> {
  const sock = dgram.createSocket('udp4');
  try {
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no reply within 3 s')), 3000);
      sock.once('message', (m) => {
        clearTimeout(t);
        resolve(m);
      });
      sock.send(msg, port, '127.0.0.1');
    });
    const counts = [4, 6, 8, 10].map((o) => reply.readUInt16BE(o));
    return { rcode: reply[3]! & 0x0f, opcode: (reply[2]! >> 3) & 0x0f, counts };
  } finally {
    sock.close();
  }
}

const wireName = (name: string): Buffer =>
  Buffer.concat([
    ...name
      .split('.')
      .filter(Boolean)
      .map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
    Buffer.from([0]),
  ]);

function header(counts: [number, number, number, number], opcode = 0): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(0x4242, 0);
  b[2] = opcode << 3;
  counts.forEach((c, i) => b.writeUInt16BE(c, 4 + 2 * i));
  return b;
}

const QUESTION = Buffer.concat([wireName('www.example.test'), Buffer.from([0, 1, 0, 1])]);
const A_RECORD = Buffer.concat([
  wireName('www.example.test'),
  Buffer.from([0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 192, 0, 2, 1]),
]);
const opt = (owner: Buffer): Buffer =>
  Buffer.concat([owner, Buffer.from([0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0])]);

describe('queries that are not plain queries (FORMERR / REFUSED, like NSD)', () => {
  const cases: [string, Buffer, number][] = [
    ['an answer record', Buffer.concat([header([1, 1, 0, 0]), QUESTION, A_RECORD]), 1],
    ['an authority record', Buffer.concat([header([1, 0, 1, 0]), QUESTION, A_RECORD]), 1],
    ['an OPT owned by "x."', Buffer.concat([header([1, 0, 0, 1]), QUESTION, opt(wireName('x'))]), 1],
    [
      'an OPT owned by a pointer to the question',
      Buffer.concat([header([1, 0, 0, 1]), QUESTION, opt(Buffer.from([0xc0, 12]))]),
      1,
    ],
    ['NOTIFY', Buffer.concat([header([1, 0, 0, 0], 4), wireName(APEX), Buffer.from([0, 6, 0, 1])]), 5],
  ];
  for (const [what, msg, rcode] of cases) {
    it(`a query carrying ${what}: rcode ${rcode}, header only`, async () => {
      const ours = await raw(h.port, msg);
      expect(ours.rcode).toBe(rcode);
      expect(ours.counts).toEqual([0, 0, 0, 0]);
      if (nsd) expect(await raw(nsd.port, msg)).toEqual(ours);
    });
  }

  // kdig cannot set the opcode.
  it('dig +opcode=notify: REFUSED, like NSD', async () => {
    const r = await ask('dig', h.port, APEX, 'SOA', ['+opcode=notify']);
    expect(r.status).toBe('REFUSED');
    if (nsd) expect((await ask('dig', nsd.port, APEX, 'SOA', ['+opcode=notify'])).status).toBe('REFUSED');
  });
});

describe('which server answered: NSID and CH TXT (dns.identity)', () => {
  let named: Harness;
  beforeAll(async () => {
    const identity = { id: 'dns-a.example.net', nsid: 'dns-a', version: 'understudy test' };
    named = await startHarness(conformanceZone(), { identity });
  });
  afterAll(async () => named?.close());

  for (const tool of TOOLS) {
    it(`${tool} +nsid: the NSID option comes back (fast-path names too), and only when asked`, async () => {
      for (const name of ['www.example.test', 'nope.example.test']) {
        const r = await ask(tool, named.port, name, 'A', ['+nsid']);
        expect(r.opt?.options).toContain('NSID');
        expect(r.raw).toMatch(/NSID: .*"dns-a"/);
      }
      expect((await ask(tool, named.port, 'www.example.test', 'A')).opt?.options ?? []).not.toContain('NSID');
      // Unset (the default): no NSID, as NSD without `nsid:`.
      expect((await ask(tool, h.port, 'www.example.test', 'A', ['+nsid'])).opt?.options).not.toContain(
        'NSID',
      );
    });

    it(`${tool}: CH TXT id.server, hostname.bind, version.bind, version.server as NSD answers them`, async () => {
      const expected: [string, string][] = [
        ['id.server', 'dns-a.example.net'],
        ['hostname.bind', 'dns-a.example.net'],
        ['version.bind', 'understudy test'],
        ['version.server', 'understudy test'],
      ];
      for (const [name, text] of expected) {
        const r = await ask(tool, named.port, name, 'TXT', ['-c', 'CH']);
        // NSD 4.6: NOERROR, no AA, one TXT with TTL 0 in class CH.
        expect([r.status, r.flags, r.answer]).toEqual([
          'NOERROR',
          ['qr'],
          [{ name: `${name}.`, ttl: 0, class: 'CH', type: 'TXT', data: `"${text}"` }],
        ]);
      }
      // The owner keeps the question's case, like NSD's (kdig sends names in lower case).
      const mixed = await ask(tool, named.port, 'ID.Server', 'TXT', ['-c', 'CH']);
      expect(mixed.answer[0]?.name).toBe(tool === 'dig' ? 'ID.Server.' : 'id.server.');
    });

    it(`${tool}: CH queries we do not answer are REFUSED, as are all of them by default`, async () => {
      expect((await ask(tool, named.port, 'id.server', 'A', ['-c', 'CH'])).status).toBe('REFUSED');
      expect((await ask(tool, named.port, 'www.example.test', 'TXT', ['-c', 'CH'])).status).toBe('REFUSED');
      for (const name of ['id.server', 'hostname.bind', 'version.bind', 'version.server'])
        expect((await ask(tool, h.port, name, 'TXT', ['-c', 'CH'])).status).toBe('REFUSED');
    });
  }
});
