/**
 * infra/Dockerfile (issue 12). No Docker daemon runs here, so the Dockerfile is checked statically and
 * its runtime stage is reproduced: the bundle runs as the image's user (setpriv, uid 65534) with the
 * container config, a read-only /etc/understudy and the directories the Dockerfile creates, laid out
 * under a temporary root. Old Dockerfile: no state directory, and `run` exited with StateFileError EACCES.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parseConfig } from '@understudy/config';
import { freePort } from '@understudy/testkit/ports';
import { spawnChild, type Child } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';
import { dockerIgnored, runtimeStage } from './support/dockerfile.js';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const read = (p: string) => readFileSync(root(p), 'utf8');
const stage = runtimeStage(read('infra/Dockerfile'));
const CONFIG_IN_IMAGE = stage.cmd[stage.cmd.indexOf('--config') + 1]!;
const containerConfig = parseConfig(read('infra/understudy.container.yaml'), {
  env: { STATE_DIRECTORY: stage.env.get('STATE_DIRECTORY') ?? '' },
  baseDir: '/etc/understudy',
}).config;

describe('infra/Dockerfile, statically', () => {
  it('runs as a numeric non-root user, on Node 24 in every stage', () => {
    const [uid, gid] = (stage.user ?? '').split(':');
    expect(uid, 'USER uid:gid').toMatch(/^[1-9]\d*$/);
    expect(gid, 'USER uid:gid').toMatch(/^[1-9]\d*$/);
    for (const image of stage.images) expect(image).toMatch(/^node:24[-.]/);
  });

  it('declares /var/lib/understudy a volume, creates it owned by that user, and puts the state there', () => {
    const [uid, gid] = stage.user!.split(':');
    expect(stage.volumes).toContain('/var/lib/understudy');
    const made = stage.installDirs.find((d) => d.paths.includes('/var/lib/understudy'));
    expect(made, 'RUN install -d -o UID -g GID -m MODE /var/lib/understudy').toBeDefined();
    expect([made!.owner, made!.group]).toEqual([uid, gid]);
    expect(stage.env.get('STATE_DIRECTORY')).toBe('/var/lib/understudy');
    expect(containerConfig.state.file).toMatch(/^\/var\/lib\/understudy\//);
    expect(containerConfig.dns.cacheFile).toMatch(/^\/var\/lib\/understudy\//);
  });

  it('has a HEALTHCHECK on /healthz of the ops port the container config listens on', () => {
    expect(stage.healthcheck).toBeDefined();
    const script = stage.healthcheck!.cmd.join(' ');
    expect(script).toContain(`127.0.0.1:${containerConfig.listen.http!.port}/healthz`);
    expect(stage.healthcheck!.options).toMatch(/--interval=\S+/);
    expect(stage.entrypoint).toEqual(['node', '--min-semi-space-size=8', '/app/dist/understudy.mjs']);
    expect(CONFIG_IN_IMAGE).toBe('/etc/understudy/understudy.yaml');
  });

  it('.dockerignore keeps installs, builds, state and secrets out, and everything the build COPYs in', () => {
    const ignore = read('.dockerignore');
    for (const p of [
      'node_modules',
      'apps/cli/node_modules/x',
      'dist/understudy.mjs',
      '.git/HEAD',
      'understudy-state.json',
      'examples/understudy-dns-cache.json',
      'test/system/cli.test.ts',
      '.env',
    ])
      expect(dockerIgnored(ignore, p), p).toBe(true);
    const sources = read('infra/Dockerfile')
      .split('\n')
      .filter((l) => l.startsWith('COPY ') && !l.includes('--from'))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(sources).toContain('test/package.json');
    for (const s of sources) expect(dockerIgnored(ignore, s), s).toBe(false);
    expect(dockerIgnored(ignore, 'libs/core/src/engine.ts')).toBe(false);
  });
});

describe('the image layout, run as its unprivileged user', () => {
  const fake = mkdtempSync(join(tmpdir(), 'understudy-image-'));
  const at = (p: string) => join(fake, p);
  let app: Child | undefined;
  afterAll(async () => {
    await app?.stop();
    rmSync(fake, { recursive: true, force: true });
  });

  it('starts with the container config, writes its state to the volume and nothing under /etc, and stops cleanly', async () => {
    const [uid, gid] = stage.user!.split(':').map(Number) as [number, number];
    chmodSync(fake, 0o755);
    // WORKDIR /app + COPY dist ./dist
    cpSync(root('dist'), at('app/dist'), { recursive: true });
    // The config mount: root-owned, read-only to the process.
    mkdirSync(at('etc/understudy'), { recursive: true, mode: 0o755 });
    mkdirSync(at('var/lib'), { recursive: true, mode: 0o755 });
    const [dnsPort, httpPort, dashPort] = [
      await freePort('127.0.0.1', 'both'),
      await freePort(),
      await freePort(),
    ];
    const doc = parseDocument(read('infra/understudy.container.yaml'));
    doc.setIn(['listen', 'dns'], [`127.0.0.1:${dnsPort}`]);
    doc.setIn(['listen', 'http'], `127.0.0.1:${httpPort}`);
    doc.setIn(['listen', 'dashboard'], `127.0.0.1:${dashPort}`);
    doc.setIn(['state', 'file'], at(String(doc.getIn(['state', 'file']))));
    const configFile = at(CONFIG_IN_IMAGE);
    writeFileSync(configFile, doc.toString(), { mode: 0o644 });
    // The Dockerfile's own `install -d` lines, under the fake root.
    for (const d of stage.installDirs) {
      const r = spawnSync('install', ['-d', '-o', d.owner, '-g', d.group, '-m', d.mode, ...d.paths.map(at)]);
      expect(r.status, r.stderr.toString()).toBe(0);
    }
    const stateDir = at(stage.env.get('STATE_DIRECTORY') ?? '/nonexistent');
    const [entry, ...nodeArgs] = stage.entrypoint;
    expect(entry).toBe('node');
    const script = nodeArgs.pop()!;
    const args = stage.cmd.map((a) => (a === CONFIG_IN_IMAGE ? configFile : a));
    app = spawnChild(
      'setpriv',
      [
        '--reuid',
        String(uid),
        '--regid',
        String(gid),
        '--clear-groups',
        process.execPath,
        ...nodeArgs,
        at(script),
        ...args,
      ],
      { env: { STATE_DIRECTORY: stateDir, HOME: '/nonexistent' } },
    );
    const ops = `http://127.0.0.1:${httpPort}`;
    const ready = waitFor(async () => (await fetch(`${ops}/readyz`)).status === 200, {
      timeoutMs: 30_000,
      what: 'readiness of understudy run as uid 65534',
    });
    const exited = app.exited.then((code) => {
      throw new Error(`understudy exited (${code}) before it was ready`);
    });
    await Promise.race([ready, exited]).catch((err: unknown) => {
      throw new Error(`${String(err)}\n--- output ---\n${app?.output() ?? ''}`);
    });
    exited.catch(() => undefined);
    // The image's HEALTHCHECK, as the same user, against this process.
    const hc = stage.healthcheck!.cmd.map((a) =>
      a.replace(`127.0.0.1:${containerConfig.listen.http!.port}`, `127.0.0.1:${httpPort}`),
    );
    const check = spawnSync(
      'setpriv',
      ['--reuid', String(uid), '--regid', String(gid), '--clear-groups', process.execPath, ...hc.slice(1)],
      { timeout: 20_000 },
    );
    expect(check.status, check.stderr.toString()).toBe(0);
    expect(app.output()).toMatch(/embedded mode probes all 3 regions from this host/);
    expect(await app.stop()).toBe(0);
    const state = String(doc.getIn(['state', 'file']));
    expect(existsSync(state), `${state}\n${app.output()}`).toBe(true);
    expect(statSync(state).uid).toBe(uid);
    expect(readdirSync(at('etc/understudy'))).toEqual(['understudy.yaml']);
    expect(app.output()).not.toMatch(/EACCES|StateFileError/);
  });
});
