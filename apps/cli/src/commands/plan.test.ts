import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStateStore } from '@understudy/backends';
import { RedisConnection, RedisStateStore } from '@understudy/backends/redis';
import { startRedis } from '@understudy/testkit/redis-server';
import { loadConfig } from '@understudy/config';
import { type Plan, type UnderstudyConfig } from '@understudy/core';
import type { PlanOnceResult } from '@understudy/sync';
import {
  EXIT_CHANGES,
  changeLines,
  commandLogger,
  formatPlans,
  inConfigOrder,
  openProviders,
  planCommand,
  planExitCode,
  planInput,
} from './plan.js';
import { CliExit } from './shared.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-plan-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const TARGETS = `targets:
  - { name: r53, type: route53, endpoint: "http://127.0.0.1:9", accessKeyId: AKID, secretAccessKey: s, zones: [{ apex: example.test, id: Z1 }] }
  - { name: cf, type: cloudflare, endpoint: "http://127.0.0.1:9", apiToken: tok, zones: [{ apex: example.test }] }
`;

async function config(
  opts: { stateFile?: string | null; targets?: boolean } = {},
): Promise<UnderstudyConfig> {
  const file = join(dir, 'understudy.yaml');
  const state = opts.stateFile === undefined ? '' : `state: { file: ${opts.stateFile ?? 'null'} }\n`;
  await writeFile(
    file,
    `regions: [r1]
listen: { dns: ["127.0.0.1:0"], http: null }
${state}checks:
  web: { type: tcp, host: 127.0.0.1, port: 9, interval: 10s }
zones:
  - apex: example.test
    ns: [ns1.example.test]
    failover:
      - name: app
        type: A
        ttl: 60
        answers:
          - { name: primary, values: [192.0.2.10], check: web }
          - { name: secondary, values: [198.51.100.10] }
${opts.targets === false ? '' : TARGETS}`,
  );
  return (await loadConfig(file)).config;
}

const rec = (name: string, values: string[], ttl = 60) => ({ name, type: 'A' as const, ttl, values });

function plan(over: Partial<Plan> = {}): Plan {
  return {
    target: 'r53',
    zone: 'example.test.',
    creates: [],
    updates: [],
    deletes: [],
    conflicts: [],
    ...over,
  };
}

function result(over: Partial<PlanOnceResult> = {}): PlanOnceResult {
  return {
    target: 'r53',
    serial: 7,
    plans: [plan()],
    safety: { safe: true, violations: [] },
    warnings: [],
    ...over,
  };
}

function sink(): Writable & { text: () => string } {
  let text = '';
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return Object.assign(w, { text: () => text });
}

describe('planInput', () => {
  it('plans the config on primaries without a state file', async () => {
    const c = await config({ stateFile: null });
    const input = await planInput(c, 1000);
    expect(input.file).toBeNull();
    expect(input.zoneState.serial).toBe(0);
    expect(input.source).toContain('every failover record on its primary');
    const app = input.zoneState.zones[0]!.rrsets.find((r) => r.name === 'app.example.test.');
    expect(app?.values).toEqual(['192.0.2.10']);
  });

  it('never creates a missing state file or its directory', async () => {
    const file = join(dir, 'not', 'there', 'state.json');
    const input = await planInput(await config({ stateFile: file }), 1000);
    expect(input.file).toBeNull();
    expect(input.source).toContain(`no zone state in ${file}`);
    expect(existsSync(join(dir, 'not'))).toBe(false);
  });

  it('plans the published zone state and leaves the state file as it was', async () => {
    const file = join(dir, 'state.json');
    const c = await config({ stateFile: file });
    const store = await MemoryStateStore.open({ file });
    const published = {
      serial: 42,
      epoch: 3,
      generatedAt: 5000,
      records: { 'app.example.test./A': ['198.51.100.10'] },
    };
    expect(await store.writeOverlay({ kind: 'full', overlay: published })).toEqual({ ok: true });
    await store.close();
    const before = { text: await readFile(file, 'utf8'), mtime: (await stat(file)).mtimeMs };
    const input = await planInput(c, 1000);
    expect(input).toMatchObject({ file, source: `zone state serial 42 from ${file}` });
    expect(input.zoneState.zones[0]!.rrsets.find((r) => r.name === 'app.example.test.')?.values).toEqual([
      '198.51.100.10',
    ]);
    expect(await readFile(file, 'utf8')).toBe(before.text);
    expect((await stat(file)).mtimeMs).toBe(before.mtime);
  });

  it('reads the zone state from Redis with --redis, and the config on primaries before any', async () => {
    const redis = await startRedis();
    try {
      const c = await config({ stateFile: null });
      const before = await planInput(c, 1000, { redisUrl: redis.url });
      expect(before.source).toContain('no zone state in Redis yet');
      const connection = await RedisConnection.create({ url: redis.url });
      const store = await RedisStateStore.open({ connection });
      const published = { serial: 7, epoch: 1, generatedAt: 5000, records: {} };
      expect(await store.writeOverlay({ kind: 'full', overlay: published })).toEqual({ ok: true });
      await store.close();
      await connection.close();
      const input = await planInput(c, 1000, { redisUrl: redis.url });
      expect(input).toMatchObject({ file: null, source: 'zone state serial 7 from Redis' });
      expect(input.zoneState.serial).toBe(7);
    } finally {
      await redis.stop();
    }
  });

  it('names a corrupt state file instead of planning from nothing', async () => {
    const file = join(dir, 'state.json');
    await writeFile(file, '{ not json');
    const err = await planInput(await config({ stateFile: file }), 1000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliExit);
    expect((err as CliExit).message).toContain(file);
  });
});

describe('openProviders', () => {
  const logger = commandLogger('t', 'fatal');

  it('builds one provider per target, or only the one asked for', async () => {
    const c = await config();
    const all = await openProviders(c, logger);
    expect(all.providers.map((p) => p.name)).toEqual(['r53', 'cf']);
    expect(all.broken).toEqual([]);
    const one = await openProviders(c, logger, 'cf');
    expect(one.providers.map((p) => `${p.name}:${p.type}`)).toEqual(['cf:cloudflare']);
    await Promise.all([...all.providers, ...one.providers].map((p) => p.close()));
  });

  it('reports a target that cannot be built by name, and builds the others', async () => {
    const c = await config();
    const targets = c.targets.map((t) => (t.type === 'cloudflare' ? { ...t, apiToken: '' } : t));
    const { providers, broken } = await openProviders({ ...c, targets }, logger);
    expect(providers.map((p) => p.name)).toEqual(['r53']);
    expect(broken).toHaveLength(1);
    expect(broken[0]!.target).toBe('cf');
    expect(broken[0]!.error).toContain('cloudflare target "cf"');
    await providers[0]!.close();
  });

  it('refuses an unknown target and lists the known ones; dns is the built-in server', async () => {
    const c = await config();
    await expect(openProviders(c, logger, 'nope')).rejects.toThrow(/no target named "nope".*targets r53, cf/);
    await expect(openProviders(c, logger, 'dns')).rejects.toThrow(/built-in DNS server/);
  });
});

describe('planExitCode', () => {
  const change = plan({ creates: [rec('app.example.test.', ['192.0.2.10'])] });

  it('is 0 when nothing changes, 2 with changes, 1 when a target failed', () => {
    expect(planExitCode([])).toBe(0);
    expect(planExitCode([result(), result({ target: 'cf' })])).toBe(0);
    expect(planExitCode([result(), result({ target: 'cf', plans: [change] })])).toBe(EXIT_CHANGES);
    expect(planExitCode([result({ plans: [change] }), result({ target: 'cf', plans: [], error: 'x' })])).toBe(
      1,
    );
  });
});

describe('formatPlans', () => {
  it('lists every change per target with safety, warnings and a summary', () => {
    const text = formatPlans(
      [
        result({
          plans: [
            plan({
              creates: [rec('new.example.test.', ['192.0.2.1', '192.0.2.2'])],
              updates: [
                {
                  before: rec('app.example.test.', ['192.0.2.10']),
                  after: rec('app.example.test.', ['198.51.100.10']),
                },
              ],
              deletes: [rec('old.example.test.', ['192.0.2.9'])],
              conflicts: [rec('www.example.test.', ['192.0.2.3'])],
            }),
          ],
          safety: {
            safe: false,
            violations: [{ kind: 'too-much-change', message: 'r53: plan changes 6 of 10 owned records' }],
          },
          warnings: ['TTL 5 raised to 60'],
        }),
        result({ target: 'cf' }),
        result({
          target: 'bad',
          plans: [],
          error: 'cloudflare target "bad": 1 problem\nthe token was refused',
        }),
      ],
      'zone state serial 7 from /s.json',
    );
    expect(text).toContain('Plan against zone state serial 7 from /s.json.');
    expect(text).toContain('target r53: 3 changes (UNSAFE: needs --force)');
    expect(text).toContain('  zone example.test.: 1 create, 1 update, 1 delete');
    expect(text).toContain('    + new.example.test. A 60 192.0.2.1 192.0.2.2');
    expect(text).toContain('    ~ app.example.test. A 60 192.0.2.10 → 60 198.51.100.10');
    expect(text).toContain('    - old.example.test. A 60 192.0.2.9');
    expect(text).toContain('    ! www.example.test. A: exists without our ownership marker');
    expect(text).toContain('  unsafe: r53: plan changes 6 of 10 owned records');
    expect(text).toContain('  warning: TTL 5 raised to 60');
    expect(text).toContain('target cf: in sync');
    expect(text).toContain('target bad: ERROR cloudflare target "bad": 1 problem\n  the token was refused');
    expect(text).toContain('1 to change, 1 in sync, 1 failed.');
  });

  it('says when there is nothing to plan', () => {
    expect(formatPlans([], 'x')).toContain('No provider targets are configured');
  });

  it('names the zone of each plan when a target has several', () => {
    const lines = changeLines([plan(), plan({ zone: 'other.test.' })]);
    expect(lines).toEqual([
      '  zone example.test.: 0 create, 0 update, 0 delete',
      '  zone other.test.: 0 create, 0 update, 0 delete',
    ]);
  });
});

describe('inConfigOrder', () => {
  it('puts results in the order of config.targets', async () => {
    const c = await config();
    expect(inConfigOrder(c, [{ target: 'cf' }, { target: 'r53' }]).map((r) => r.target)).toEqual([
      'r53',
      'cf',
    ]);
  });
});

describe('planCommand', () => {
  it('exits 0 with nothing to plan when no target is configured', async () => {
    await config({ targets: false });
    const out = sink();
    expect(await planCommand({ config: join(dir, 'understudy.yaml') }, out)).toBe(0);
    expect(out.text()).toContain('No provider targets are configured');
    const json = sink();
    expect(await planCommand({ config: join(dir, 'understudy.yaml'), json: true }, json)).toBe(0);
    expect(JSON.parse(json.text())).toEqual({ source: 'config', serial: 0, targets: [] });
  });
});
