/** Issue 14 part 3: steered answers by client location, ECS echo and scope, on the fast and slow paths. */
import { describe, expect, it } from 'vitest';
import type { OverlayUpdate, ZoneOverlay } from '@understudy/core';
import { TYPE } from './constants.js';
import { FastPath } from './fast-path.js';
import { GeoLocator } from './geo-locator.js';
import { ServedZones } from './served-zones.js';
import { answerQuery } from './slow-path.js';
import { TextSource } from './steer-pick.js';
import { APEX, APP, fixtureBase } from './test-support/base.js';
import { buildQuery, decodeReply } from './test-support/query.js';

const geo = new GeoLocator(
  [
    { prefix: '10.1.0.0/16', country: 'DE' },
    { prefix: '10.2.0.0/16', country: 'US' },
    { prefix: '10.3.0.0/16', country: 'JP' },
    { prefix: '2001:db8:1::/48', country: 'DE' },
  ],
  null,
);

function steeredBase() {
  const base = fixtureBase();
  base.slots[0] = {
    ...base.slots[0]!,
    steering: [
      { countries: ['DE'], continents: [] },
      { countries: [], continents: ['NA'] },
    ],
  };
  return base;
}

const overlayOf = (serial: number, steered: string[][]): ZoneOverlay => ({
  serial,
  epoch: 1,
  generatedAt: 0,
  records: { [APP]: ['198.51.100.1'] },
  steered: { [APP]: steered },
});

function fastPath(ecs = true): FastPath {
  const f = new FastPath(1232);
  f.ecs = ecs;
  f.steer.locator = geo;
  return f;
}

const ecsData = (family: number, source: number, addr: number[]): Buffer =>
  Buffer.from([0, family, source, 0, ...addr]);

function query(name: string, ecs?: Buffer, type: number = TYPE.A): Buffer {
  return buildQuery({ name, type, edns: { options: ecs ? [{ code: 8, data: ecs }] : [] } });
}

/**
 * The one reply every path agrees on: the fast path's (null when it declines, as it does for names
 * outside the table of a zone with a delegation), the slow path's over UDP and over TCP.
 */
function reply(s: ServedZones, q: Buffer, src = '192.0.2.200', ecs = true): Buffer {
  const f = fastPath(ecs);
  const from = new TextSource();
  from.text = src;
  const n = f.answer(q, s.snapshot.table, from);
  const opts = { payloadSize: 1232, ecs, steer: f.steer, src: from };
  const udp = answerQuery(q, 'udp', s.snapshot, opts)!.buf;
  const tcp = answerQuery(q, 'tcp', s.snapshot, opts)!.buf;
  if (n > 0) expect(udp.toString('hex')).toBe(f.out.subarray(0, n).toString('hex'));
  expect(tcp.toString('hex')).toBe(udp.toString('hex'));
  return udp;
}

const addresses = (r: Buffer): string[] =>
  decodeReply(r)
    .message.answers.filter((a) => a.type === TYPE.A)
    .map((a) => a.address!);

/** The ECS option at the end of a reply (ours is always the OPT's last option): [source, scope]. */
function ecsOf(r: Buffer, addrLen: number): [number, number] | null {
  const at = r.length - addrLen - 8;
  if (r.readUInt16BE(at) !== 8) return null;
  return [r[at + 6]!, r[at + 7]!];
}

describe('steering by client location', () => {
  const s = ServedZones.fromBase(steeredBase(), overlayOf(5, [['203.0.113.10'], ['203.0.113.20']]));

  it('two ECS subnets get their rules answers; the scope is the matched network prefix', () => {
    const de = reply(s, query(`app.${APEX}`, ecsData(1, 24, [10, 1, 7])));
    expect(addresses(de)).toEqual(['203.0.113.10']);
    expect(ecsOf(de, 3)).toEqual([24, 16]);
    const us = reply(s, query(`app.${APEX}`, ecsData(1, 24, [10, 2, 7])));
    expect(addresses(us)).toEqual(['203.0.113.20']);
    expect(ecsOf(us, 3)).toEqual([24, 16]);
    // No rule for JP: the default values, but the answer still depends on the client (scope 16).
    const jp = reply(s, query(`app.${APEX}`, ecsData(1, 24, [10, 3, 7])));
    expect(addresses(jp)).toEqual(['198.51.100.1']);
    expect(ecsOf(jp, 3)).toEqual([24, 16]);
    const v6 = reply(s, query(`app.${APEX}`, ecsData(2, 56, [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0])));
    // dns2's decoder reads a full 16-octet address for family 2, so the answer is read from the octets.
    expect(v6.subarray(29 + 12, 29 + 16).join('.')).toBe('203.0.113.10');
    expect(ecsOf(v6, 7)).toEqual([56, 48]);
  });

  it('a name aliasing the steered record is steered too', () => {
    const r = reply(s, query(`static-alias.${APEX}`, ecsData(1, 24, [10, 2, 0])));
    expect(addresses(r)).toEqual(['203.0.113.20']);
    expect(ecsOf(r, 3)).toEqual([24, 16]);
  });

  it('answers that do not depend on the client echo scope 0: a static name, NXDOMAIN', () => {
    const www = reply(s, query(`www.${APEX}`, ecsData(1, 24, [10, 1, 0])));
    expect(addresses(www)).toEqual(['192.0.2.1']);
    expect(ecsOf(www, 3)).toEqual([24, 0]);
    const nx = reply(s, query(`nope.${APEX}`, ecsData(1, 24, [10, 1, 0])));
    expect(decodeReply(nx).authority).toHaveLength(1);
    expect(decodeReply(nx).rcode).toBe(3);
    expect(ecsOf(nx, 3)).toEqual([24, 0]);
  });

  it('without an ECS subnet the resolver address decides, and no scope is claimed', () => {
    const plain = reply(s, query(`app.${APEX}`), '10.1.2.3');
    expect(addresses(plain)).toEqual(['203.0.113.10']);
    expect(decodeReply(plain).opt?.options).toBe(0); // no ECS echoed to a query without one
    const zero = reply(s, query(`app.${APEX}`, ecsData(1, 0, [])), '10.2.2.3');
    expect(addresses(zero)).toEqual(['203.0.113.20']);
    expect(ecsOf(zero, 0)).toEqual([0, 0]);
  });

  it('with dns.geo.ecs off the option is neither read nor echoed', () => {
    const r = reply(s, query(`app.${APEX}`, ecsData(1, 24, [10, 1, 0])), '10.2.0.1', false);
    expect(addresses(r)).toEqual(['203.0.113.20']);
    expect(ecsOf(r, 3)).toBeNull();
  });

  it('a malformed ECS option is FORMERR (the fast path declines it)', () => {
    const bad = query(`app.${APEX}`, ecsData(1, 20, [10, 1, 0x18]));
    const f = fastPath();
    expect(f.answer(bad, s.snapshot.table)).toBe(0);
    const r = answerQuery(bad, 'udp', s.snapshot, { payloadSize: 1232, ecs: true, steer: f.steer })!;
    expect(r.rcode).toBe(1);
  });

  it('deltas change the per-rule answers in place; a rule without values serves the default', () => {
    const t = ServedZones.fromBase(steeredBase(), overlayOf(5, [['203.0.113.10'], ['203.0.113.20']]));
    const u: OverlayUpdate = {
      kind: 'delta',
      delta: {
        base: 5,
        serial: 6,
        epoch: 1,
        generatedAt: 0,
        records: { [APP]: ['198.51.100.1'] },
        steered: { [APP]: [['203.0.113.11', '203.0.113.12']] },
      },
    };
    expect(t.apply(u)).toMatchObject({ serial: 6, names: 1 });
    const de = reply(t, query(`app.${APEX}`, ecsData(1, 24, [10, 1, 0])));
    expect(addresses(de).sort()).toEqual(['203.0.113.11', '203.0.113.12']);
    const us = reply(t, query(`app.${APEX}`, ecsData(1, 24, [10, 2, 0])));
    expect(addresses(us)).toEqual(['198.51.100.1']);
    // A bad per-rule value is refused whole, naming the record; the old answers keep serving.
    const bad: OverlayUpdate = {
      kind: 'delta',
      delta: { ...u.delta, base: 6, serial: 7, steered: { [APP]: [['not-an-ip']] } },
    };
    expect(() => t.apply(bad)).toThrow(/steering rule 0: .*app\.fo\.test\.\/A/);
    expect(addresses(reply(t, query(`app.${APEX}`, ecsData(1, 24, [10, 1, 0]))))).toHaveLength(2);
  });

  it('a sliced update yields the same answers as a fresh build', async () => {
    const t = ServedZones.fromBase(steeredBase(), overlayOf(5, [['203.0.113.10'], ['203.0.113.20']]));
    const steered = [['203.0.113.30'], ['203.0.113.40']];
    await t.applySliced({ kind: 'full', overlay: overlayOf(9, steered) }, () => Promise.resolve(), 0);
    const fresh = ServedZones.fromBase(steeredBase(), overlayOf(9, steered));
    for (const net of [1, 2, 3]) {
      const q = query(`static-alias.${APEX}`, ecsData(1, 24, [10, net, 0]));
      expect(reply(t, q).toString('hex')).toBe(reply(fresh, q).toString('hex'));
    }
  });
});
