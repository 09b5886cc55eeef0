/**
 * Issue 12 §2: the package an operator installs. `npm pack` of the repository root, then
 * `npm install -g ./understudy-<version>.tgz` into an empty prefix, run from outside the repository with
 * a clean environment (no NODE_PATH, no npm_config_* of the calling npm, an empty npm cache, offline),
 * so nothing resolves from the workspace: `understudy` must come from the prefix's bin and run on the
 * bundled dist alone. Needs the build (`npm run test:integration` builds first).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '@understudy/testkit/dig';
import { freePort } from '@understudy/testkit/ports';
import { spawnChild } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

let dir: string;
let prefix: string;
let tarball: string;
let env: NodeJS.ProcessEnv;

/** PATH: the prefix's bin, the Node running this test (a supported one), then the system's, minus the repository's. */
function cleanEnv(home: string): NodeJS.ProcessEnv {
  const cleared = Object.fromEntries(Object.keys(process.env).map((k) => [k, undefined]));
  const system = (process.env.PATH ?? '').split(delimiter).filter((p) => p && !p.startsWith(ROOT));
  return {
    ...cleared,
    PATH: [join(prefix, 'bin'), dirname(process.execPath), ...system].join(delimiter),
    HOME: home,
    LANG: 'C.UTF-8',
    npm_config_cache: join(home, 'npm-cache'),
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
}

const sh = (cmd: string, args: string[], cwd = dir) =>
  run(cmd, args, { cwd, env, encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 24 });

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/understudy.mjs')))
    throw new Error('dist/ is missing: run `npm run build` first (npm run test:integration does)');
  dir = await mkdtemp(join(tmpdir(), 'understudy-package-test-'));
  prefix = join(dir, 'prefix');
  await mkdir(prefix);
  env = cleanEnv(join(dir, 'home'));
  await mkdir(env.HOME!);
  // --ignore-scripts: prepack would build again; the build is what this test run already made.
  const packed = await sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(dir, info!.filename);
  await sh('npm', ['install', '-g', tarball, '--prefix', prefix]);
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('is understudy-<version>.tgz with the bundle, the licence and no sources', async () => {
    expect(tarball).toBe(join(dir, `understudy-${version}.tgz`));
    const list = (await sh('tar', ['-tzf', tarball])).stdout.split('\n').filter(Boolean);
    expect(list).toEqual(
      expect.arrayContaining([
        'package/package.json',
        'package/LICENSE',
        'package/README.md',
        'package/CHANGELOG.md',
        'package/apps/cli/bin/understudy.mjs',
        'package/dist/understudy.mjs',
        'package/dist/dns-worker.mjs',
        'package/dist/web/index.html',
        // dns.geo.database 'bundled': the installed package has no node_modules to find it in.
        'package/dist/geo/geo-whois-asn-country.mmdb',
        'package/dist/geo/NRO_LICENSE',
        'package/examples/understudy.example.yaml',
      ]),
    );
    expect(list.filter((f) => f.endsWith('.ts') || f.endsWith('.map') || f.includes('node_modules'))).toEqual(
      [],
    );
  });

  it('installs into an empty prefix with nothing beside it, and puts understudy on the PATH', async () => {
    const installed = join(prefix, 'lib/node_modules/understudy');
    expect(existsSync(join(prefix, 'bin/understudy'))).toBe(true);
    // Bundled: the package has no dependencies, so npm installed nothing next to or under it.
    expect(readdirSync(join(prefix, 'lib/node_modules'))).toEqual(['understudy']);
    expect(existsSync(join(installed, 'node_modules'))).toBe(false);
    const which = await sh('sh', ['-c', 'command -v understudy']);
    expect(which.stdout.trim()).toBe(join(prefix, 'bin/understudy'));
  });

  it('has the file the shipped systemd units start, at the path they name under their prefix', () => {
    const units = ['infra/understudy.service', 'infra/systemd/understudy-dns.service'];
    for (const u of units) {
      const exec = /^ExecStart=\S+ (?:--\S+ )*(\S+)/m.exec(readFileSync(join(ROOT, u), 'utf8'))?.[1];
      // The units assume `npm install -g --prefix /opt/understudy`: the same layout as this prefix.
      expect(exec, u).toMatch(/^\/opt\/understudy\//);
      expect(existsSync(join(prefix, exec!.slice('/opt/understudy/'.length))), u).toBe(true);
    }
  });

  it('runs understudy --version', async () => {
    const r = await sh('understudy', ['--version']);
    expect(r.stdout.trim()).toBe(version);
  });

  it('runs understudy validate -c on the example it ships', async () => {
    const example = join(prefix, 'lib/node_modules/understudy/examples/understudy.example.yaml');
    const r = await sh('understudy', ['validate', '-c', example]);
    expect(r.stdout).toContain(`${example}: OK (1 zone(s)`);
  });

  it('runs understudy demo until dig gets its first answer, and serves the dashboard', async () => {
    const dnsPort = await freePort('127.0.0.1', 'both');
    await mkdir(join(dir, 'demo'));
    const port = async () => `127.0.0.1:${await freePort('127.0.0.1', 'tcp')}`;
    const dashboard = await port();
    const demo = spawnChild(
      join(prefix, 'bin/understudy'),
      ['demo', '--dns', `127.0.0.1:${dnsPort}`, '--http', await port(), '--control', await port()].concat([
        '--dashboard',
        dashboard,
        '--dir',
        join(dir, 'demo'),
      ]),
      { cwd: dir, env },
    );
    const answer = await waitFor(
      async () => {
        if (demo.proc.exitCode !== null) throw new Error('the demo exited');
        const r = await dig({
          server: '127.0.0.1',
          port: dnsPort,
          name: 'app.example.test',
          type: 'A',
          timeoutMs: 1000,
        });
        return r.answer[0]?.data;
      },
      { timeoutMs: 60_000, what: 'the demo to answer app.example.test A' },
    ).catch(async (err: unknown) => {
      await demo.stop();
      throw new Error(`${String(err)}\n${demo.output()}`);
    });
    expect(answer).toBe('192.0.2.10');
    // The DNS server answers before the demo prints its banner (with the token and the next commands).
    await waitFor(() => demo.output().includes('Understudy demo is running'), {
      timeoutMs: 30_000,
      what: 'the banner',
    });
    // The web UI ships in the package too (dist/web, found beside the bundle).
    const page = await fetch(`http://${dashboard}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Understudy dashboard</title>');
    expect(await demo.stop()).toBe(0);
    // Installed, the bin is on the PATH: the banner's next commands say `understudy`, not `npx understudy`.
    expect(demo.output()).toMatch(/^ {2}understudy demo fail primary/m);
    expect(demo.output()).not.toContain('npx understudy');
  });
});
