import { describe, expect, it } from 'vitest';
import { dgramHasReusePort, udpBindMode } from './udp-bind-mode.js';

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
