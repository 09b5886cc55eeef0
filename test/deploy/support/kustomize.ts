/**
 * Renders a kustomization the way `kustomize build` does, for the fields this repository uses
 * (resources, images, namespace), so the tests need no kustomize binary. A kustomization with any other
 * field is refused rather than rendered wrongly. Checked against `kubectl kustomize` (kustomize v5.5.0)
 * when written: same objects, same images, same namespaces.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
  namespace?: string;
}

export const SUPPORTED_FIELDS = ['apiVersion', 'kind', 'resources', 'images', 'namespace'];

export function readKustomization(dir: string): Kustomization {
  const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  const unknown = Object.keys(k).filter((f) => !SUPPORTED_FIELDS.includes(f));
  if (unknown.length > 0)
    throw new Error(`${dir}/kustomization.yaml: this renderer does not support ${unknown.join(', ')}`);
  return k;
}

/** The pod spec of a workload, if it has one. */
export function podSpec(o: K8sObject): PodSpec | undefined {
  const spec = o.spec as { template?: { spec?: PodSpec } } | undefined;
  return spec?.template?.spec;
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  livenessProbe?: { httpGet?: unknown };
  readinessProbe?: { httpGet?: unknown };
}

export interface PodSpec {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; runAsGroup?: number; fsGroup?: number };
  topologySpreadConstraints?: {
    topologyKey: string;
    whenUnsatisfiable: string;
    labelSelector: { matchLabels: Record<string, string> };
  }[];
  volumes?: { name: string; emptyDir?: unknown; configMap?: { name: string } }[];
}

function setImage(c: Container, images: NonNullable<Kustomization['images']>): void {
  const m = /^(.*?)(?::([^:/@]+))?(@.*)?$/.exec(c.image)!;
  const rule = images.find((i) => i.name === m[1]);
  if (!rule) return;
  c.image = `${rule.newName ?? m[1]}${rule.newTag !== undefined ? `:${rule.newTag}` : m[2] ? `:${m[2]}` : ''}`;
}

export function renderKustomization(dir: string): K8sObject[] {
  const k = readKustomization(dir);
  const out: K8sObject[] = [];
  for (const r of k.resources ?? []) {
    const path = join(dir, r);
    if (statSync(path).isDirectory()) out.push(...renderKustomization(path));
    else
      for (const d of parseAllDocuments(readFileSync(path, 'utf8'))) {
        if (d.errors.length > 0) throw new Error(`${path}: ${d.errors.map((e) => e.message).join('; ')}`);
        out.push(d.toJS() as K8sObject);
      }
  }
  for (const o of out) {
    const pod = podSpec(o);
    if (pod && k.images) for (const c of pod.containers) setImage(c, k.images);
    if (k.namespace) o.metadata.namespace = k.namespace;
  }
  return out;
}
