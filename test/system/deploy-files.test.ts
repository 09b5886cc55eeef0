/**
 * Docker cannot run here, so the deployment files are checked statically: they parse, every command and
 * flag they run exists in the CLI's real --help, the config they mount validates, probes cover every
 * region, and health checks point at the roles' real endpoints.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '@understudy/config';
import { renderKustomization } from '../deploy/support/kustomize.js';
import { understudyOnce } from '../support/understudy.js';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const read = (p: string) => readFileSync(root(p), 'utf8');
const ROLES = ['probe', 'decider', 'dns', 'dashboard'];

let commands: string[];
const flagsOf = new Map<string, Set<string>>();

async function flags(command: string): Promise<Set<string>> {
  if (!flagsOf.has(command)) {
    const { output } = await understudyOnce([command, '--help']);
    flagsOf.set(command, new Set([...output.matchAll(/(--[a-z][a-z-]*)/g)].map((m) => m[1]!)));
  }
  return flagsOf.get(command)!;
}

/** Every flag in `args` exists in `understudy <args[0]> --help`. */
async function expectRealCommand(args: string[], where: string): Promise<void> {
  const [command, ...rest] = args;
  expect(commands, `${where}: command ${command}`).toContain(command);
  const known = await flags(command!);
  for (const a of rest.filter((x) => x.startsWith('--')))
    expect(known, `${where}: ${command} ${a}`).toContain(a);
}

function validates(file: string): ReturnType<typeof parseConfig> {
  return parseConfig(readFileSync(file, 'utf8'), { source: file, env: {} });
}

beforeAll(async () => {
  const { output } = await understudyOnce(['--help']);
  const section = output.slice(output.indexOf('Commands:'));
  commands = [...section.matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1]!);
});

interface ComposeService {
  command?: string[];
  image?: string;
  volumes?: string[];
  environment?: Record<string, string>;
  build?: { dockerfile: string };
  healthcheck?: { test: string[] };
}

describe('docker-compose.yml (distributed mode)', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  const services = Object.entries(compose.services);
  const roleOf = (s: ComposeService) => s.command?.[0];

  it('runs Redis with noeviction and AOF from infra/redis/redis.conf', () => {
    const redis = compose.services.redis!;
    const mount = redis.volumes!.find((v) => v.includes('redis.conf'))!;
    const conf = read(mount.split(':')[0]!.replace(/^\.\//, ''));
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    expect(conf).toMatch(/^appendonly yes$/m);
    // A lost epoch INCR could hand two leaders one epoch: fsync every write.
    expect(conf).toMatch(/^appendfsync always$/m);
    expect(redis.command).toContain(mount.split(':')[1]);
  });

  it('has three probe regions, two deciders, two DNS servers and the dashboard, each a real CLI command', async () => {
    const byRole = (r: string) => services.filter(([, s]) => roleOf(s) === r);
    const probes = byRole('probe').map(([, s]) => s.command![s.command!.indexOf('--region') + 1]);
    expect(probes.sort()).toEqual(['ap-south', 'eu-west', 'us-east']);
    expect(byRole('decider')).toHaveLength(2);
    expect(byRole('dns')).toHaveLength(2);
    expect(byRole('dashboard')).toHaveLength(1);
    for (const [name, s] of services.filter(([, s]) => ROLES.includes(roleOf(s) ?? ''))) {
      await expectRealCommand(s.command!, `compose ${name}`);
      expect(s.environment?.REDIS_URL ?? s.command!.join(' '), name).toMatch(/redis:\/\/redis:6379/);
      expect(s.build?.dockerfile, name).toBe('infra/Dockerfile');
      expect(s.healthcheck?.test.join(' '), name).toContain('/readyz');
    }
  });

  it('mounts a config at the path the commands read, and that config validates with the regions the probes use', () => {
    for (const [name, s] of services.filter(([, s]) => ROLES.includes(roleOf(s) ?? ''))) {
      const configArg = s.command![s.command!.indexOf('--config') + 1];
      const mount = s.volumes!.find((v) => v.split(':')[1] === configArg);
      expect(mount, `${name}: a volume provides ${configArg}`).toBeDefined();
      const { config } = validates(root(mount!.split(':')[0]!.replace(/^\.\//, '')));
      expect([...config.regions].sort()).toEqual(['ap-south', 'eu-west', 'us-east']);
      expect(config.listen.http).toEqual({ host: '0.0.0.0', port: 9053 });
    }
  });
});

describe('Kubernetes manifests', () => {
  // The kustomize base as `kubectl apply -k infra/k8s/base` would apply it (issue 12).
  const docs = renderKustomization(root('infra/k8s/base')).map((o) => ({ doc: o as unknown as K8s }));
  const deployments = docs.filter((d) => d.doc.kind === 'Deployment').map((d) => d.doc);
  const container = (d: K8s) => d.spec.template!.spec.containers[0]!;

  it('a Deployment per role, one probe Deployment per region, each a real CLI command', async () => {
    const byRole = (r: string) => deployments.filter((d) => container(d).args[0] === r);
    const regions = byRole('probe').map((d) => container(d).args[container(d).args.indexOf('--region') + 1]);
    expect(regions.sort()).toEqual(['ap-south', 'eu-west', 'us-east']);
    expect(byRole('decider').map((d) => d.spec.replicas)).toEqual([2]);
    expect(byRole('dns').map((d) => d.spec.replicas)).toEqual([2]);
    for (const d of deployments) await expectRealCommand(container(d).args, `k8s ${d.metadata.name}`);
  });

  it('configures Redis like infra/redis/redis.conf: noeviction, AOF, fsync on every write', () => {
    const conf = docs.find(
      (d) => d.doc.kind === 'ConfigMap' && d.doc.metadata.name === 'understudy-redis-conf',
    );
    const text = (conf!.doc.data as Record<string, string>)['redis.conf']!;
    for (const line of ['maxmemory-policy noeviction', 'appendonly yes', 'appendfsync always'])
      expect(text).toMatch(new RegExp(`^${line}$`, 'm'));
  });

  it('liveness on /healthz and readiness on /readyz of the ops port every role listens on', () => {
    const { config } = validates(root('infra/understudy.container.yaml'));
    const embedded = docs.find(
      (d) => d.doc.kind === 'ConfigMap' && d.doc.metadata.name === 'understudy-config',
    )!;
    const k8sConfig = parseConfig((embedded.doc.data as Record<string, string>)['understudy.yaml']!, {
      env: {},
    }).config;
    for (const d of deployments) {
      const c = container(d);
      const ops = c.ports.find((p) => p.name === 'ops')!;
      expect(ops.containerPort).toBe(k8sConfig.listen.http!.port);
      expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'ops' });
      expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'ops' });
      expect(
        c.env?.find((e) => e.name === 'REDIS_URL'),
        d.metadata.name,
      ).toBeDefined();
    }
    expect(config.listen.http!.port).toBe(k8sConfig.listen.http!.port);
  });

  it('PodDisruptionBudgets keep a decider and a DNS server up, selecting pods that exist', () => {
    const pdbs = docs.filter((d) => d.doc.kind === 'PodDisruptionBudget').map((d) => d.doc);
    const roles = pdbs.map((p) => (p.spec.selector!.matchLabels as Record<string, string>).role).sort();
    expect(roles).toEqual(['decider', 'dns']);
    for (const p of pdbs) {
      expect(p.spec.minAvailable).toBe(1);
      const sel = p.spec.selector!.matchLabels as Record<string, string>;
      const matched = deployments.filter((d) =>
        Object.entries(sel).every(
          ([k, v]) => (d.spec.template!.metadata!.labels as Record<string, string>)[k] === v,
        ),
      );
      expect(matched.length, p.metadata.name).toBeGreaterThan(0);
      expect(matched.every((d) => (d.spec.replicas ?? 1) > 1)).toBe(true);
    }
  });
});

describe('Dockerfile and systemd units', () => {
  it('the launchers of a deciding process keep an 8 MB young generation (issue 11: --min-semi-space-size)', () => {
    const flag = '--min-semi-space-size=8';
    for (const u of ['infra/understudy.service', 'infra/systemd/understudy-decider.service'])
      expect(/^ExecStart=(.*)$/m.exec(read(u))![1]!.split(/\s+/).slice(0, 2), u).toEqual([
        '/usr/bin/node',
        flag,
      ]);
    expect(/^ENTRYPOINT (.*)$/m.exec(read('infra/Dockerfile'))![1]).toBe(
      `["node", "${flag}", "/app/dist/understudy.mjs"]`,
    );
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toContain(`node ${flag} dist/understudy.mjs demo`);
  });

  it('the Dockerfile runs the bundled CLI with a command it has', async () => {
    const dockerfile = read('infra/Dockerfile');
    expect(dockerfile).toContain('dist/understudy.mjs');
    const cmd = /^CMD \[(.*)\]$/m
      .exec(dockerfile)![1]!
      .split(',')
      .map((s) => JSON.parse(s.trim()) as string);
    await expectRealCommand(cmd, 'Dockerfile CMD');
  });

  it('every unit starts a real CLI command with real flags; the probe template takes the region as instance', async () => {
    const units = [
      'infra/understudy.service',
      ...readdirSync(root('infra/systemd')).map((f) => `infra/systemd/${f}`),
    ];
    expect(units.length).toBeGreaterThanOrEqual(4);
    for (const u of units) {
      const exec = /^ExecStart=\S+ (?:--\S+ )*\S+ (.*)$/m.exec(read(u))![1]!.split(/\s+/);
      await expectRealCommand(exec, u);
    }
    expect(read('infra/systemd/understudy-probe@.service')).toMatch(/--region %i$/m);
  });
});

interface K8s {
  kind: string;
  metadata: { name: string };
  data?: unknown;
  spec: {
    replicas?: number;
    minAvailable?: number;
    selector?: { matchLabels: unknown };
    template?: {
      metadata?: { labels: unknown };
      spec: {
        containers: {
          args: string[];
          env?: { name: string }[];
          ports: { name: string; containerPort: number }[];
          livenessProbe?: { httpGet?: unknown };
          readinessProbe?: { httpGet?: unknown };
        }[];
      };
    };
  };
}
