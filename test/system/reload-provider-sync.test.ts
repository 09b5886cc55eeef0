/**
 * Reload rebuilds provider sync (issue 13 §2): a reload that adds a Cloudflare target starts syncing it,
 * one that removes it stops, and the decider keeps its lease and epoch throughout. The assembler runs in
 * this process (a decider over the in-process backend, then one leading over a real redis-server) against
 * both vendor emulators; a Route 53 target
 * configured throughout shows when a change has been synced, so "the removed target got nothing" is
 * checked after a change that did reach the one still configured, not after a sleep.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemble, type Assembled } from '@understudy/cli';
import { loadConfig } from '@understudy/config';
import { createLogger } from '@understudy/observability';
import { startRedis, type RedisServer } from '@understudy/testkit/redis-server';
import { waitFor } from '@understudy/testkit/wait';
import {
  CF_TOKEN,
  R53_KEY,
  R53_SECRET,
  ZONE,
  cfValues,
  r53ZoneId,
  r53Values,
  startEmulators,
  type Emulators,
} from '../support/provider-sync.js';

const logger = createLogger({ name: 'test', level: 'silent', pretty: false });
const APP = `app.${ZONE}`;
const SYNC_MS = 30_000;
const actor = { name: 'oncall', reason: 'reload test' };

let emus: Emulators;
let dir: string;
let file: string;
let app: Assembled;
let redis: RedisServer | null = null;

/** One failover record (no probes run: it stays on its primary); targets r53, and cf when `cf`. */
function yaml(o: { cf: boolean; primary: string }): string {
  const cf = `
  - name: cf
    type: cloudflare
    endpoint: ${emus.cf.url}
    apiToken: ${CF_TOKEN}
    zones: [{ apex: ${ZONE} }]`;
  return `regions: [r1]
listen:
  dns: ["127.0.0.1:0"]
decider: { tickInterval: 200ms }
checks:
  web: { type: tcp, host: 127.0.0.1, port: 1, interval: 1s, timeout: 500ms }
zones:
  - apex: ${ZONE}
    ns: [ns1.${ZONE}]
    records:
      - { name: ns1, type: A, values: [127.0.0.1] }
    failover:
      - name: app
        type: A
        ttl: 60
        answers:
          - { name: primary, values: [${o.primary}], check: web }
          - { name: secondary, values: [198.51.100.10] }
targets:
  - name: r53
    type: route53
    endpoint: ${emus.r53.url}
    accessKeyId: ${R53_KEY}
    secretAccessKey: ${R53_SECRET}
    pollInterval: 100ms
    zones: [{ apex: ${ZONE}, id: ${r53ZoneId(ZONE)} }]${o.cf ? cf : ''}
`;
}

async function reloadTo(text: string) {
  await writeFile(file, text);
  const out = await app.reload(actor);
  expect(out).toMatchObject({ ok: true, problems: [] });
  expect(out.applied).toContain('decider');
  return out;
}

const epoch = async () => (await app.parts.get('decider')!.lease!())?.epoch;

describe.each(['memory', 'redis'] as const)('reload rebuilds provider sync (%s backend)', (backend) => {
  beforeAll(async () => {
    emus = await startEmulators();
    dir = await mkdtemp(join(tmpdir(), 'understudy-reload-sync-'));
    file = join(dir, 'understudy.yaml');
    await writeFile(file, yaml({ cf: false, primary: '192.0.2.10' }));
    redis = backend === 'redis' ? await startRedis() : null;
    app = await assemble({
      loaded: await loadConfig(file),
      configFile: file,
      backend,
      ...(redis ? { redisUrl: redis.url, leaseTtl: 2000 } : {}),
      roles: new Set(['decider']),
      logger,
      name: 'run',
      http: null,
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await Promise.all([emus?.close(), redis?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('syncs the targets it started with', async () => {
    await waitFor(() => r53Values(emus.r53, APP)?.[0] === '192.0.2.10', {
      timeoutMs: SYNC_MS,
      what: 'app at Route 53',
    });
    expect(cfValues(emus.cf, APP)).toBeNull();
  });

  it('a reload that adds a Cloudflare target syncs the records there, keeping the lease', async () => {
    const before = await epoch();
    await reloadTo(yaml({ cf: true, primary: '192.0.2.10' }));
    await waitFor(() => cfValues(emus.cf, APP)?.[0] === '192.0.2.10', {
      timeoutMs: SYNC_MS,
      what: 'app at Cloudflare after the reload added it',
    });
    expect(await epoch()).toBe(before);
  });

  it('a reload that removes it stops its sync: the next change reaches Route 53 only', async () => {
    const before = await epoch();
    // One reload removes cf and changes the primary's address: a new serial for the remaining target.
    await reloadTo(yaml({ cf: false, primary: '192.0.2.11' }));
    // The reload returns once the old sync has stopped: from here on cf hears nothing, not even a read.
    const cfRequests = emus.cf.stats().requests;
    await waitFor(() => r53Values(emus.r53, APP)?.[0] === '192.0.2.11', {
      timeoutMs: SYNC_MS,
      what: 'the changed primary at Route 53',
    });
    expect(cfValues(emus.cf, APP)).toEqual(['192.0.2.10']);
    expect(emus.cf.stats().requests).toBe(cfRequests);
    expect(await epoch()).toBe(before);
  });
});
