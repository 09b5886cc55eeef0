import { describe, expect, it } from 'vitest';
import { AUTO_BATCHED, dgramHasReusePort, udpBindMode, udpIoChoice } from './udp-bind-mode.js';
import type { UdpIoContext } from './udp-bind-mode.js';

const worker = { nodeVersion: '24.11.0', platform: 'linux', clusterWorker: true, port: 53 };

describe('dgramHasReusePort', () => {
  it.each([
    ['20.20.2', false],
    ['v20.20.2', false],
    ['22.11.0', false],
    ['22.12.0', true],
    ['23.0.0', false],
    ['23.1.0', true],
    ['24.0.0', true],
    ['v25.2.1', true],
    ['junk', false],
  ])('Node %s: %s', (version, expected) => {
    expect(dgramHasReusePort(version)).toBe(expected);
  });
});

describe('udpBindMode', () => {
  it('gives each cluster worker its own SO_REUSEPORT socket on Node with dgram reusePort, on Linux', () => {
    expect(udpBindMode(worker)).toBe('reuse-port');
    expect(udpBindMode({ ...worker, nodeVersion: '22.12.0' })).toBe('reuse-port');
  });

  it("falls back to the primary's shared handle on Node 20, where dgram ignores reusePort", () => {
    expect(udpBindMode({ ...worker, nodeVersion: '20.20.2' })).toBe('shared');
  });

  it('shares the handle for port 0, which would otherwise give every worker a different port', () => {
    expect(udpBindMode({ ...worker, port: 0 })).toBe('shared');
  });

  it('shares the handle off Linux', () => {
    expect(udpBindMode({ ...worker, platform: 'darwin' })).toBe('shared');
  });

  it('binds alone outside a cluster worker, whatever the Node version or port', () => {
    expect(udpBindMode({ ...worker, clusterWorker: false })).toBe('exclusive');
    expect(udpBindMode({ ...worker, clusterWorker: false, nodeVersion: '20.20.2', port: 0 })).toBe(
      'exclusive',
    );
  });
});

describe('udpIoChoice', () => {
  const loads = (): { ok: true } => ({ ok: true });
  const base: UdpIoContext = {
    io: 'batched',
    platform: 'linux',
    mode: 'reuse-port',
    hostIsIp: true,
    addon: loads,
  };

  it('batches where everything allows it, and auto follows AUTO_BATCHED', () => {
    expect(udpIoChoice(base)).toEqual({ io: 'batched' });
    expect(udpIoChoice({ ...base, mode: 'exclusive' })).toEqual({ io: 'batched' });
    expect(udpIoChoice({ ...base, io: 'auto' }).io).toBe(AUTO_BATCHED ? 'batched' : 'dgram');
  });

  it.each([
    [{ io: 'dgram' }, /udpIo is dgram/],
    [{ platform: 'darwin' }, /needs Linux, not darwin/],
    [{ mode: 'shared' }, /shared socket/],
    [{ hostIsIp: false }, /a name/],
    [{ addon: () => ({ ok: false, reason: 'no /x/udp-batch.node' }) }, /no \/x\/udp-batch.node/],
  ] as const)('falls back to dgram with a reason: %o', (change, why) => {
    const c = udpIoChoice({ ...base, ...change });
    expect(c.io).toBe('dgram');
    expect(c.io === 'dgram' && c.reason).toMatch(why);
  });

  it('does not load the addon when dgram is chosen anyway', () => {
    let asked = 0;
    const addon = (): { ok: true } => (asked++, { ok: true });
    udpIoChoice({ ...base, io: 'dgram', addon });
    udpIoChoice({ ...base, mode: 'shared', addon });
    expect(asked).toBe(0);
  });
});
