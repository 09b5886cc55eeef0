/**
 * `plan --out FILE` and `sync --plan FILE` with the bundled CLI against the Route 53 and Cloudflare
 * emulators (real SDKs): the saved plan shows and writes the ownership markers, applies exactly what was
 * planned, and is refused once the provider state it was computed from has changed (issue 13).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cfValues,
  credentialsEnv,
  r53Values,
  r53ZoneId,
  startEmulators,
  targetsYaml,
  writes,
  type Emulators,
} from '../support/provider-sync.js';
import { understudyOnce } from '../support/understudy.js';

const ZONE = 'saved.test';
let emus: Emulators;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-plan-file-'));
  emus = await startEmulators([ZONE]);
});
afterAll(async () => {
  await emus?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A config of three failover records on their primaries (no state file: the config is the zone state). */
async function configFile(name: string, app0: string): Promise<string> {
  const path = join(dir, name);
  const values = [app0, '192.0.2.2', '192.0.2.3'];
  await writeFile(
    path,
    `regions: [us-east]
listen: { dns: ["127.0.0.1:0"], http: null }
state: { file: null }
checks: {}
zones:
  - apex: ${ZONE}
    ns: [ns1.${ZONE}]
    failover:
${values.map((v, i) => `      - { name: r${i}, type: A, ttl: 60, answers: [{ name: primary, values: [${v}] }] }`).join('\n')}
${targetsYaml({ r53Url: emus.r53.url, cfUrl: emus.cf.url, zones: [ZONE] })}`,
  );
  return path;
}

const cli = (args: string[]) => understudyOnce(args, { env: credentialsEnv });
const zoneId = r53ZoneId(ZONE);
const markers = () =>
  emus.r53.records(zoneId).filter((r) => r.type === 'TXT' && r.name.startsWith('_understudy-'));

describe('understudy plan --out and sync --plan', () => {
  it('saves the plan with its markers and base, applies exactly it, and refuses it once stale', async () => {
    const cfg = await configFile('first.yaml', '192.0.2.1');
    const planFile = join(dir, 'first.plan.json');

    const plan = await cli(['plan', '-c', cfg, '--out', planFile]);
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toContain('target r53: 3 changes');
    // The printed plan shows the ownership records it will create: a TXT per record at Route 53, a comment at Cloudflare.
    expect(plan.output).toMatch(
      /ownership markers to write \(3\):\n\s+\+ _understudy-a\.r0\.saved\.test\. TXT 300 "understudy:owner=[^;]+;type=A"/,
    );
    expect(plan.output).toMatch(/\+ r0\.saved\.test\.\/A comment "understudy:owner=[^"]+"/);
    expect(plan.output).toContain(`Plan saved to ${planFile}`);
    const saved = JSON.parse(await readFile(planFile, 'utf8')) as {
      format: string;
      targets: {
        target: string;
        zones: { zone: string; base: string; plan: { creates: unknown[] }; markers: unknown[] }[];
      }[];
    };
    expect(saved.format).toBe('understudy-plan/1');
    expect(saved.targets.map((t) => t.target)).toEqual(['r53', 'cf']);
    for (const t of saved.targets) {
      expect(t.zones[0]).toMatchObject({
        zone: `${ZONE}.`,
        base: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as unknown,
      });
      expect(t.zones[0]!.plan.creates).toHaveLength(3);
      expect(t.zones[0]!.markers).toHaveLength(3);
    }
    expect(r53Values(emus.r53, `r0.${ZONE}`, 'A', zoneId)).toBeNull();

    const applied = await cli(['sync', '-c', cfg, '--plan', planFile]);
    expect(applied.code, applied.output).toBe(0);
    expect(applied.output).toContain('target r53: applied 3 changes');
    expect(applied.output).toContain('target cf: applied 3 changes');
    expect(r53Values(emus.r53, `r0.${ZONE}`, 'A', zoneId)).toEqual(['192.0.2.1']);
    expect(cfValues(emus.cf, `r2.${ZONE}`, 'A', ZONE)).toEqual(['192.0.2.3']);
    expect(markers()).toHaveLength(3);
    expect((await cli(['plan', '-c', cfg])).code).toBe(0);

    // The same plan again: its base (empty zones) is gone.
    const again = await cli(['sync', '-c', cfg, '--plan', planFile]);
    expect(again.code, again.output).toBe(1);
    expect(again.output).toContain(`the saved plan ${planFile} is stale`);

    // A plan to change r0, then someone edits the zone by hand before it is applied.
    const changed = await configFile('second.yaml', '203.0.113.1');
    const secondFile = join(dir, 'second.plan.json');
    const second = await cli(['plan', '-c', changed, '--out', secondFile]);
    expect(second.code, second.output).toBe(2);
    expect(second.output).toContain(`~ r0.${ZONE}. A 60 192.0.2.1 → 60 203.0.113.1`);
    emus.r53.edit(zoneId, { put: [{ name: `r1.${ZONE}.`, type: 'A', ttl: 60, values: ['198.51.100.99'] }] });
    const before = writes(emus);
    const stale = await cli(['sync', '-c', changed, '--plan', secondFile]);
    expect(stale.code, stale.output).toBe(1);
    expect(stale.output).toMatch(
      /is stale: the provider state changed since it was made \(.+Z\) at target r53 zone saved\.test\.\. Nothing was applied/,
    );
    // Nothing at all was applied, at either target.
    expect(writes(emus)).toEqual(before);
    expect(cfValues(emus.cf, `r0.${ZONE}`, 'A', ZONE)).toEqual(['192.0.2.1']);

    // Re-planned, it applies.
    expect((await cli(['plan', '-c', changed, '--out', secondFile])).code).toBe(2);
    const fixed = await cli(['sync', '-c', changed, '--plan', secondFile]);
    expect(fixed.code, fixed.output).toBe(0);
    expect(r53Values(emus.r53, `r0.${ZONE}`, 'A', zoneId)).toEqual(['203.0.113.1']);
    expect(r53Values(emus.r53, `r1.${ZONE}`, 'A', zoneId)).toEqual(['192.0.2.2']);
  });

  it('usage errors exit 1, and a missing or foreign plan file is one clear line', async () => {
    const cfg = await configFile('usage.yaml', '192.0.2.1');
    for (const args of [
      ['plan', '-c', cfg, '--traget', 'r53'],
      ['sync', '-c', cfg, '--bogus'],
      ['sync', '-c', cfg],
    ]) {
      const r = await cli(args);
      expect(r.code, `${args.join(' ')}: ${r.output}`).toBe(1);
    }
    const missing = await cli(['sync', '-c', cfg, '--plan', join(dir, 'nope.json')]);
    expect(missing.code).toBe(1);
    expect(missing.output.trim()).toBe(`cannot read plan file ${join(dir, 'nope.json')}: ENOENT`);
    await writeFile(join(dir, 'other.json'), '{"a":1}');
    const other = await cli(['sync', '-c', cfg, '--plan', join(dir, 'other.json')]);
    expect(other.code).toBe(1);
    expect(other.output).toContain('format is not understudy-plan/1');
  });
});
