/**
 * docker-compose.yml (issue 12). No Docker here, so: the file is checked statically (dashboard on the
 * host's loopback only, local origins at the addresses the config checks and serves), and what
 * `docker compose up` would run is run with the bundle instead: the origins' own command, and the
 * mounted config under `understudy run`, checking those origins, answering DNS, and failing over when
 * the primary origin stops.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { parseConfig } from '@understudy/config';
import { queryUdp } from '@understudy/dns-server';
import { freePort } from '@understudy/testkit/ports';
import { spawnChild, type Child } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';
import { understudy, understudyOnce } from '../support/understudy.js';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const read = (p: string) => readFileSync(root(p), 'utf8');

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  networks?: { default?: { ipv4_address?: string } };
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
  networks: { default: { ipam: { config: { subnet: string }[] } } };
};
const services = Object.entries(compose.services);
const origins = services.filter(([name]) => name.startsWith('origin-'));
const addressOf = (name: string) => compose.services[name]!.networks?.default?.ipv4_address;
const mountedConfig = (() => {
  const dashboard = compose.services.dashboard!;
  const target = dashboard.command![dashboard.command!.indexOf('--config') + 1]!;
  const mount = dashboard.volumes!.find((v) => v.split(':')[1] === target)!;
  return mount.split(':')[0]!.replace(/^\.\//, '');
})();
const { config } = parseConfig(read(mountedConfig), { env: {}, baseDir: '/etc/understudy' });
/** The checks as written (url, body), before the config resolves them. */
const rawChecks = (
  parse(read(mountedConfig)) as { checks: Record<string, { url: string; body: { contains: string } }> }
).checks;
const httpChecks = Object.values(rawChecks);

describe('docker-compose.yml, statically', () => {
  it('publishes the plain-HTTP dashboard on the host loopback only, and nothing but DNS elsewhere', () => {
    const published = services.flatMap(([name, s]) => (s.ports ?? []).map((p) => ({ name, p })));
    for (const { name, p } of published) {
      if (/\/udp$|:5300\/tcp$/.test(p)) continue; // DNS is meant to be reached
      expect(p, name).toMatch(/^127\.0\.0\.1:/);
    }
    expect(compose.services.dashboard!.ports).toEqual([
      `127.0.0.1:8080:${config.listen.dashboard!.port}/tcp`,
    ]);
  });

  it('runs local origins at the addresses the config checks and serves, on the compose network', () => {
    const subnet = compose.networks.default.ipam.config[0]!.subnet;
    const prefix = subnet.replace(/\.0\/24$/, '.');
    expect(subnet).toMatch(/\.0\/24$/);
    const addresses = origins.map(([name]) => addressOf(name)!);
    expect(addresses).toHaveLength(2);
    for (const a of addresses) expect(a.startsWith(prefix)).toBe(true);
    expect(httpChecks.map((c) => new URL(c.url).hostname).sort()).toEqual([...addresses].sort());
    const rec = config.zones[0]!.failover[0]!;
    expect(rec.answers.map((a) => a.values[0])).toEqual(addresses);
    const ns1 = config.zones[0]!.records.find((r) => r.name.startsWith('ns1.'))!;
    expect(ns1.values).toEqual([addressOf('dns-a')]);
    for (const [, s] of origins) expect(s.image).toMatch(/^node:24/);
  });

  it('the mounted config validates with the bundle', async () => {
    const { code, output } = await understudyOnce(['validate', root(mountedConfig)]);
    expect(code, output).toBe(0);
    expect(output).toMatch(/OK \(1 zone\(s\), 2 check\(s\), 1 failover record\(s\), 3 region\(s\)\)/);
  });
});

describe('what `docker compose up` runs, run here', () => {
  const dir = mkdtempSync(join(tmpdir(), 'understudy-compose-'));
  const running: Child[] = [];
  afterAll(async () => {
    for (const c of running.reverse()) await c.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the origins answer their checks, and understudy serves the primary, then fails over when it stops', async () => {
    const local = new Map<string, { port: number; child: Child }>();
    for (const [name, s] of origins) {
      const port = await freePort();
      const [cmd, ...args] = s.command!;
      expect(cmd).toBe('node');
      const child = spawnChild(process.execPath, args, { env: { ...s.environment, PORT: String(port) } });
      running.push(child);
      local.set(addressOf(name)!, { port, child });
      const body = await waitFor(
        async () => {
          const r = await fetch(`http://127.0.0.1:${port}/healthz`);
          return r.status === 200 ? r.text() : null;
        },
        { timeoutMs: 15_000, what: `${name} to answer /healthz` },
      );
      expect(body).toContain(httpChecks[0]!.body.contains);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe(
        `hello from ${s.environment!.ORIGIN_NAME}\n`,
      );
    }
    // The mounted config, with its checks pointed at the local origins and its listeners on loopback.
    const doc = parseDocument(read(mountedConfig));
    for (const [id, check] of Object.entries(rawChecks)) {
      const u = new URL(check.url);
      doc.setIn(['checks', id, 'url'], `http://127.0.0.1:${local.get(u.hostname)!.port}${u.pathname}`);
    }
    const dnsPort = await freePort('127.0.0.1', 'both');
    doc.setIn(['listen', 'dns'], [`127.0.0.1:${dnsPort}`]);
    doc.setIn(['listen', 'http'], `127.0.0.1:${await freePort()}`);
    doc.setIn(['listen', 'dashboard'], `127.0.0.1:${await freePort()}`);
    doc.setIn(['state', 'file'], join(dir, 'state.json'));
    const file = join(dir, 'understudy.yaml');
    writeFileSync(file, doc.toString());
    const app = understudy(['run', '--config', file]);
    running.push(app);
    const answer = () => queryUdp({ host: '127.0.0.1', port: dnsPort }, 'app.example.test.', 'A', 2000);
    const [primary, secondary] = config.zones[0]!.failover[0]!.answers.map((a) => a.values[0]!);
    await waitFor(async () => (await answer()).join() === primary, {
      timeoutMs: 30_000,
      what: 'the primary answer',
    }).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${app.output()}`);
    });
    expect(await local.get(primary!)!.child.stop()).not.toBe('spawn-error');
    await waitFor(async () => (await answer()).join() === secondary, {
      timeoutMs: 60_000,
      what: 'failover to the secondary origin',
    }).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${app.output()}`);
    });
  });
});
