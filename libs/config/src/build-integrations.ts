/** Targets, sync, webhooks and dashboard: the sections that connect Understudy to the outside. */
import type {
  TargetConfig,
  TargetReader,
  UnderstudyConfig,
  WebhookConfig,
  WebhookEventKind,
  ZoneConfig,
} from '@understudy/core';
import { BUILTIN_TARGET, normalizeName } from '@understudy/core';
import type { Path, Problems } from './problems.js';
import { bool, duration, int, list, num, obj, str } from './read.js';
import type { Obj } from './read.js';
import { WEBHOOK_EVENT_KINDS } from './schema-integrations.js';
import { targetKind } from './target-kinds.js';
import { warnSteeredOnProviders } from './steering-targets.js';

function zonesOf(raw: Obj, at: (string | number)[], zones: ZoneConfig[], problems: Problems) {
  const out: TargetConfig['zones'] = [];
  const known = new Set(zones.map((z) => z.apex));
  for (const [i, z] of list(raw.zones).entries()) {
    const apexText = str(obj(z).apex);
    if (apexText === undefined) continue;
    const checked = normalizeName(apexText);
    if (!checked.ok) {
      problems.error([...at, 'zones', i, 'apex'], checked.error);
      continue;
    }
    const apex = checked.name;
    if (!known.has(apex)) {
      problems.error(
        [...at, 'zones', i, 'apex'],
        `zone "${apexText}" is not configured under zones (known: ${[...known].join(', ') || 'none'})`,
      );
      continue;
    }
    const id = str(obj(z).id);
    out.push({ apex, id: id === undefined || id === '' ? null : id });
  }
  return out;
}

function endpointOf(raw: Obj, at: (string | number)[], problems: Problems): string | null {
  const e = str(raw.endpoint);
  if (e === undefined || e === '') return null;
  try {
    const u = new URL(e);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('must be http(s)');
  } catch {
    problems.error([...at, 'endpoint'], `"${e}" is not an http(s) URL`);
    return null;
  }
  return e.replace(/\/+$/, '');
}

export function buildTargets(raw: unknown, zones: ZoneConfig[], problems: Problems): TargetConfig[] {
  const out: TargetConfig[] = [];
  const names = new Map<string, number>();
  for (const [i, t] of list(raw).entries()) {
    const o = obj(t);
    const at = ['targets', i];
    const name = str(o.name);
    if (name === undefined) continue;
    if (name === BUILTIN_TARGET)
      problems.error([...at, 'name'], `"${BUILTIN_TARGET}" is the built-in DNS server; pick another name`);
    const first = names.get(name);
    if (first !== undefined)
      problems.error([...at, 'name'], `duplicate target name "${name}" (also targets[${first}])`);
    names.set(name, i);
    const base = {
      name,
      zones: zonesOf(o, at, zones, problems),
      takeover: bool(o.takeover) ?? false,
      endpoint: endpointOf(o, at, problems),
    };
    const kind = targetKind(o.type);
    // An unknown type has been reported by the schema.
    const built = kind?.build(o, base, { path: at, zones, read: reader(problems), ...report(problems) });
    if (built) out.push(built);
  }
  warnSteeredOnProviders(out, zones, problems); // issue 14 part 3
  return out;
}

/** The reads a provider's TargetKind uses (TargetReader), over this package's readers. */
const reader = (problems: Problems): TargetReader => ({
  str,
  bool,
  int,
  num,
  obj,
  duration: (value, path, fallback, rule) => duration(value, path, fallback, problems, rule),
});

const report = (problems: Problems) => ({
  error: (path: Path, message: string) => problems.error(path, message),
  warn: (path: Path, message: string) => problems.warn(path, message),
});

export function buildSync(raw: unknown, problems: Problems): UnderstudyConfig['sync'] {
  const o = obj(raw);
  return {
    reconcileInterval: duration(o.reconcileInterval, ['sync', 'reconcileInterval'], 60_000, problems, {
      min: 1000,
    }),
    maxChangeShare: num(o.maxChangeShare, Number.MIN_VALUE, 1) ?? 0.5,
    allowUnsafe: bool(o.allowUnsafe) ?? false,
    ownerId: str(o.ownerId) ?? 'understudy',
  };
}

export function buildWebhooks(raw: unknown, problems: Problems): WebhookConfig[] {
  const out: WebhookConfig[] = [];
  const names = new Map<string, number>();
  for (const [i, w] of list(raw).entries()) {
    const o = obj(w);
    const name = str(o.name);
    const url = str(o.url);
    if (name === undefined || url === undefined) continue;
    const first = names.get(name);
    if (first !== undefined)
      problems.error(['webhooks', i, 'name'], `duplicate webhook name "${name}" (also webhooks[${first}])`);
    names.set(name, i);
    try {
      new URL(url);
    } catch {
      problems.error(['webhooks', i, 'url'], 'is not a valid URL');
    }
    const kinds = list(o.events).filter((k): k is WebhookEventKind =>
      (WEBHOOK_EVENT_KINDS as readonly unknown[]).includes(k),
    );
    out.push({
      name,
      url,
      format: o.format === 'slack' ? 'slack' : 'json',
      secret: str(o.secret) || null,
      events: o.events === undefined ? [...WEBHOOK_EVENT_KINDS] : [...new Set(kinds)],
      timeout: duration(o.timeout, ['webhooks', i, 'timeout'], 5000, problems, { min: 100 }),
      maxAttempts: int(o.maxAttempts, 1, 20) ?? 6,
    });
  }
  return out;
}

export function buildDashboard(raw: unknown): UnderstudyConfig['dashboard'] {
  return { readAuth: bool(obj(raw).readAuth) ?? false };
}
