import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type LoadedConfig } from '@understudy/config';
import type { NewEvent } from '@understudy/core';
import { createLogger } from '@understudy/observability';
import { Reloader } from './reload.js';
import { testConfigYaml } from './test-config.js';
import type { RoleName, RolePart } from './types.js';

const logger = createLogger({ name: 'test', level: 'silent', pretty: false });

const yaml = (ttl: number, quorum = '1/1') => testConfigYaml({ ttl, quorum });

let dir: string;
let file: string;
let first: LoadedConfig;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-reloader-'));
  file = join(dir, 'understudy.yaml');
  await writeFile(file, yaml(5));
  first = await loadConfig(file);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Parts that record applyConfig calls (or lack it), and a decider part that records raised events. */
function setup(opts: { without?: RoleName[]; slow?: Promise<void> } = {}) {
  const calls: string[] = [];
  const events: NewEvent[] = [];
  const parts = new Map<RoleName, RolePart>();
  for (const name of ['dashboard', 'probe', 'dns', 'decider'] as RoleName[]) {
    const target = opts.without?.includes(name)
      ? {}
      : {
          applyConfig: async (l: LoadedConfig) => {
            calls.push(`${name}:start:${l.config.zones[0]!.failover[0]!.ttl}`);
            if (name === 'decider' && opts.slow) await opts.slow;
            calls.push(`${name}:done`);
          },
        };
    parts.set(name, {
      name,
      handle: () => target,
      reloadTarget: () => target,
      ...(name === 'decider' ? { raise: (e: NewEvent) => Promise.resolve(void events.push(e)) } : {}),
    });
  }
  let current = first;
  let closing = false;
  const reloader = new Reloader({
    file,
    current: () => current,
    replace: (l) => (current = l),
    parts: () => parts,
    closing: () => closing,
    logger,
  });
  return { reloader, calls, events, current: () => current, close: () => (closing = true) };
}

const actor = { name: 'oncall', reason: 'test' };

describe('Reloader', () => {
  it('applies a valid new file to each role in order (dns, decider, probe, dashboard) and raises config-reloaded', async () => {
    await writeFile(file, yaml(30));
    const s = setup({ without: ['probe'] });
    const out = await s.reloader.reload(actor);
    expect(out).toMatchObject({ ok: true, from: first.hash, applied: ['dns', 'decider', 'dashboard'] });
    expect(out.restartNeeded).toEqual(['probe']);
    expect(out.to).not.toBe(first.hash);
    expect(s.calls.filter((c) => c.endsWith(':30'))).toEqual([
      'dns:start:30',
      'decider:start:30',
      'dashboard:start:30',
    ]);
    expect(s.current().hash).toBe(out.to);
    expect(s.events.map((e) => e.type)).toEqual(['config-reloaded']);
    expect(s.events[0]!.evidence).toMatchObject({ from: first.hash, to: out.to });
    expect(s.events[0]!.actor).toEqual(actor);
  });

  it('refuses a broken file with every problem, keeps the running config, and raises config-reload-failed', async () => {
    await writeFile(file, yaml(-1, '3/1'));
    const s = setup();
    const out = await s.reloader.reload(actor);
    expect(out.ok).toBe(false);
    expect(out.to).toBeNull();
    expect(out.problems.length).toBeGreaterThanOrEqual(2);
    expect(out.problems.some((p) => p.includes('quorum'))).toBe(true);
    expect(out.problems.some((p) => p.includes('ttl'))).toBe(true);
    expect(s.calls).toEqual([]);
    expect(s.current()).toBe(first);
    expect(s.events[0]).toMatchObject({ type: 'config-reload-failed', actor });
    expect((s.events[0]!.evidence as { problems: string[] }).problems).toEqual(out.problems);
  });

  it('runs one reload at a time: a second waits until the first has applied', async () => {
    await writeFile(file, yaml(60));
    let release!: () => void;
    const s = setup({ slow: new Promise<void>((r) => (release = r)) });
    const a = s.reloader.reload(actor);
    const b = s.reloader.reload(actor);
    await expect.poll(() => s.calls).toContain('decider:start:60');
    // DNS applies first; the decider (slowed here) holds the reload, and the second waits for it.
    expect(s.calls).toEqual(['dns:start:60', 'dns:done', 'decider:start:60']);
    release();
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.applied).toHaveLength(4);
    // The second read the same file: nothing changed since the first applied it.
    expect(rb).toMatchObject({ ok: true, from: ra.to, to: ra.to, applied: [] });
    expect(s.calls.filter((c) => c.startsWith('decider:start'))).toHaveLength(1);
  });

  it('applies a change outside the config hash (targets, sync, webhooks, admin): the hash alone is not the config', async () => {
    await writeFile(file, `${yaml(5)}sync:\n  ownerId: other-installation\n`);
    const s = setup();
    const out = await s.reloader.reload(actor);
    expect(out).toMatchObject({ ok: true, from: first.hash, to: first.hash });
    expect(out.applied).toEqual(['dns', 'decider', 'probe', 'dashboard']);
    expect(s.current().config.sync.ownerId).toBe('other-installation');
  });

  it('refuses a reload during shutdown', async () => {
    const s = setup();
    s.close();
    await expect(s.reloader.reload(actor)).rejects.toThrow(/shutting down/);
  });
});
