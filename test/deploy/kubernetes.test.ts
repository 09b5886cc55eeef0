/**
 * infra/k8s (issue 12): the kustomize base and the example overlay, rendered (support/kustomize.ts) and
 * validated offline against the Kubernetes OpenAPI schemas (kubernetes-models, generated from them),
 * then checked for what the issue asks: a real, overridable image, the dashboard, requests and limits,
 * a locked-down securityContext, spread across nodes, PodDisruptionBudgets, a NetworkPolicy, Redis auth
 * from a Secret, and one LoadBalancer Service per protocol.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '@understudy/config';
import { runtimeStage } from './support/dockerfile.js';
import {
  podSpec,
  readKustomization,
  renderKustomization,
  type Container,
  type K8sObject,
} from './support/kustomize.js';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const BASE = root('infra/k8s/base');
const base = renderKustomization(BASE);
const overlay = renderKustomization(root('infra/k8s/overlays/example'));
const VERSION = (JSON.parse(readFileSync(root('apps/cli/package.json'), 'utf8')) as { version: string })
  .version;
const byKind = (kind: string, docs = base) => docs.filter((d) => d.kind === kind);
const workloads = (docs = base) => docs.filter((d) => podSpec(d) !== undefined);
const isOurs = (c: Container) => !c.image.startsWith('redis:');
const labelsOf = (o: K8sObject) =>
  (o.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
const roleOf = (o: K8sObject) => labelsOf(o).role;
const matches = (sel: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(sel).every(([k, v]) => labels[k] === v);

type Validatable = new (data: unknown) => { validate(): void };

async function validate(o: K8sObject): Promise<void> {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : [undefined, o.apiVersion];
  const mod = (await import(
    group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`
  )) as Record<string, Validatable | undefined>;
  const Model = mod[o.kind];
  if (!Model) throw new Error(`${o.kind} is not a kind of ${o.apiVersion}`);
  new Model(o).validate();
}

describe('infra/k8s kustomize base', () => {
  it('lists every manifest of the base, and only fields the renderer knows', () => {
    const files = readdirSync(BASE).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...(readKustomization(BASE).resources ?? [])].sort()).toEqual(files.sort());
    expect(base.length).toBeGreaterThan(15);
  });

  it('every object of the base and the overlay validates against the Kubernetes OpenAPI schemas', async () => {
    const problems: string[] = [];
    for (const o of [...base, ...overlay])
      await validate(o).catch((err: unknown) =>
        problems.push(`${o.kind}/${o.metadata.name}: ${String(err)}`),
      );
    expect(problems).toEqual([]);
    // The validator does reject a wrong manifest.
    const broken = structuredClone(byKind('Deployment')[0]!);
    podSpec(broken)!.containers[0]!.ports![0]!.containerPort = 'ops' as unknown as number;
    await expect(validate(broken)).rejects.toThrow(/containerPort must be integer/);
  });

  it('names a versioned image that an overlay overrides, with its namespace', () => {
    const images = (docs: K8sObject[]) =>
      workloads(docs).flatMap((w) =>
        podSpec(w)!
          .containers.filter(isOurs)
          .map((c) => c.image),
      );
    expect(new Set(images(base))).toEqual(new Set([`registry.example.com/understudy:${VERSION}`]));
    expect(new Set(images(overlay))).toEqual(new Set([`ghcr.io/example-org/understudy:${VERSION}`]));
    expect(overlay.every((o) => o.metadata.namespace === 'understudy')).toBe(true);
    expect(overlay.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(
      base.map((o) => `${o.kind}/${o.metadata.name}`),
    );
  });

  it('has a Deployment per role, the dashboard included, and probes for every region', () => {
    const roles = byKind('Deployment').map(roleOf);
    expect(new Set(roles)).toEqual(new Set(['probe', 'decider', 'dns', 'dashboard']));
    const regions = byKind('Deployment')
      .filter((d) => roleOf(d) === 'probe')
      .map((d) => labelsOf(d).region);
    expect(regions.sort()).toEqual(['ap-south', 'eu-west', 'us-east']);
    const config = parseConfig(configText(), { env: {} }).config;
    expect([...config.regions].sort()).toEqual(regions);
    const dash = byKind('Deployment').find((d) => roleOf(d) === 'dashboard')!;
    expect(podSpec(dash)!.containers[0]!.ports!.find((p) => p.name === 'http')!.containerPort).toBe(
      config.listen.dashboard!.port,
    );
    const svc = byKind('Service').find((s) => s.metadata.name === 'understudy-dashboard')!;
    expect((svc.spec as { type: string }).type).toBe('ClusterIP');
  });

  it('every container has requests and limits, and a locked-down securityContext as the image user', () => {
    const uid = Number(runtimeStage(readFileSync(root('infra/Dockerfile'), 'utf8')).user!.split(':')[0]);
    for (const w of workloads()) {
      const pod = podSpec(w)!;
      expect(pod.securityContext?.runAsNonRoot, w.metadata.name).toBe(true);
      if (pod.containers.some(isOurs)) expect(pod.securityContext?.runAsUser).toBe(uid);
      for (const c of pod.containers) {
        const where = `${w.metadata.name}/${c.name}`;
        for (const k of ['cpu', 'memory']) {
          expect(c.resources?.requests?.[k], `${where} requests.${k}`).toBeDefined();
          expect(c.resources?.limits?.[k], `${where} limits.${k}`).toBeDefined();
        }
        expect(c.securityContext?.readOnlyRootFilesystem, where).toBe(true);
        expect(c.securityContext?.allowPrivilegeEscalation, where).toBe(false);
        expect(c.securityContext?.capabilities?.drop, where).toEqual(['ALL']);
        expect(c.securityContext?.capabilities?.add ?? [], where).toEqual(
          roleOf(w) === 'dns' ? ['NET_BIND_SERVICE'] : [],
        );
      }
    }
  });

  it('the DNS zone cache goes to a writable volume (the root filesystem is read-only)', () => {
    const stateDir = runtimeStage(readFileSync(root('infra/Dockerfile'), 'utf8')).env.get('STATE_DIRECTORY')!;
    const config = parseConfig(configText(), {
      env: { STATE_DIRECTORY: stateDir },
      baseDir: '/etc/understudy',
    }).config;
    const dns = byKind('Deployment').find((d) => roleOf(d) === 'dns')!;
    const mount = podSpec(dns)!.containers[0]!.volumeMounts!.find((m) => m.mountPath === stateDir);
    expect(mount, `a volume at ${stateDir}`).toBeDefined();
    expect(podSpec(dns)!.volumes!.find((v) => v.name === mount!.name)?.emptyDir).toBeDefined();
    expect(config.dns.cacheFile!.startsWith(`${stateDir}/`)).toBe(true);
  });

  it('spreads DNS servers and deciders across nodes, and PodDisruptionBudgets keep one of each up', () => {
    for (const role of ['dns', 'decider']) {
      const d = byKind('Deployment').find((x) => roleOf(x) === role)!;
      expect((d.spec as { replicas: number }).replicas).toBeGreaterThanOrEqual(2);
      const spread = podSpec(d)!.topologySpreadConstraints!.find(
        (t) => t.topologyKey === 'kubernetes.io/hostname',
      );
      expect(spread?.whenUnsatisfiable, role).toBe('DoNotSchedule');
      expect(matches(spread!.labelSelector.matchLabels, labelsOf(d))).toBe(true);
      const pdb = byKind('PodDisruptionBudget').find((p) =>
        matches(
          (p.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
          labelsOf(d),
        ),
      );
      expect((pdb?.spec as { minAvailable: number } | undefined)?.minAvailable, role).toBe(1);
    }
  });

  it('serves DNS through one LoadBalancer Service per protocol, on port 53, to ports the pods have', () => {
    const dns = byKind('Deployment').find((d) => roleOf(d) === 'dns')!;
    const ports = podSpec(dns)!.containers[0]!.ports!;
    const lbs = byKind('Service').filter((s) => (s.spec as { type?: string }).type === 'LoadBalancer');
    const protocols = lbs.map((s) => {
      const spec = s.spec as {
        selector: Record<string, string>;
        ports: { port: number; targetPort: string; protocol: string }[];
      };
      expect(new Set(spec.ports.map((p) => p.protocol)).size, s.metadata.name).toBe(1);
      expect(matches(spec.selector, labelsOf(dns))).toBe(true);
      for (const p of spec.ports) {
        expect(p.port).toBe(53);
        expect(ports.find((cp) => cp.name === p.targetPort)?.protocol).toBe(p.protocol);
      }
      return spec.ports[0]!.protocol;
    });
    expect(protocols.sort()).toEqual(['TCP', 'UDP']);
  });

  it('Redis requires the password from the Secret, and every role puts the same one in REDIS_URL', () => {
    const secret = byKind('Secret').find((s) => s.metadata.name === 'understudy-redis')!;
    expect(Object.keys(secret.stringData as object)).toEqual(['password']);
    const fromSecret = (c: Container, name: string) =>
      c.env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
    const redis = podSpec(byKind('StatefulSet')[0]!)!.containers[0]!;
    expect(redis.args?.join(' ')).toContain('--requirepass $(REDIS_PASSWORD)');
    expect(fromSecret(redis, 'REDIS_PASSWORD')).toEqual({ name: 'understudy-redis', key: 'password' });
    for (const w of byKind('Deployment')) {
      const c = podSpec(w)!.containers[0]!;
      const names = c.env!.map((e) => e.name);
      expect(fromSecret(c, 'REDIS_PASSWORD'), w.metadata.name).toEqual({
        name: 'understudy-redis',
        key: 'password',
      });
      // $(VAR) only expands from variables defined before it.
      expect(names.indexOf('REDIS_PASSWORD')).toBeLessThan(names.indexOf('REDIS_URL'));
      expect(c.env!.find((e) => e.name === 'REDIS_URL')!.value).toBe(
        'redis://:$(REDIS_PASSWORD)@understudy-redis:6379',
      );
    }
  });

  it('NetworkPolicies: DNS open, Redis only to Understudy roles, ops and dashboard in-namespace; every pod covered', () => {
    const policies = byKind('NetworkPolicy').map((p) => p.spec as Policy);
    const selects = (p: Policy, labels: Record<string, string>) =>
      matches(p.podSelector.matchLabels ?? {}, labels) &&
      (p.podSelector.matchExpressions ?? []).every((e) => e.values.includes(labels[e.key] ?? ''));
    for (const w of workloads())
      expect(
        policies.some((p) => selects(p, labelsOf(w))),
        w.metadata.name,
      ).toBe(true);
    const redisPolicy = policies.find((p) => selects(p, { app: 'understudy', role: 'redis' }))!;
    const from = redisPolicy.ingress[0]!.from![0]!.podSelector!;
    for (const role of ['probe', 'decider', 'dns', 'dashboard'])
      expect(from.matchExpressions!.find((e) => e.key === 'role')!.values).toContain(role);
    expect(from.matchExpressions!.find((e) => e.key === 'role')!.values).not.toContain('redis');
    const dnsPolicy = policies.find(
      (p) => selects(p, { app: 'understudy', role: 'dns' }) && p.ingress.some((i) => !i.from),
    )!;
    expect(dnsPolicy.ingress[0]!.ports.map((p) => `${p.port}/${p.protocol}`).sort()).toEqual([
      '5300/TCP',
      '5300/UDP',
    ]);
  });
});

interface Policy {
  podSelector: {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; values: string[] }[];
  };
  ingress: {
    from?: { podSelector?: Policy['podSelector'] }[];
    ports: { port: number; protocol: string }[];
  }[];
}

function configText(): string {
  const cm = byKind('ConfigMap').find((c) => c.metadata.name === 'understudy-config')!;
  return (cm.data as Record<string, string>)['understudy.yaml']!;
}
