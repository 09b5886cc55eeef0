/**
 * Check templates (issue 14): a check whose host or URL holds `{address}` is not run itself; every
 * address of a tier that names it as checkTemplate gets a concrete copy with a stable id
 * (`web@192.0.2.1`), so probes, hysteresis, quorum, status and metrics treat it as an ordinary check.
 */
import type { CheckConfig } from '@understudy/core';
import type { Path, Problems } from './problems.js';
import { isObj, obj, str } from './read.js';
import type { Obj } from './read.js';

export const ADDRESS_PLACEHOLDER = '{address}';
/** Stands in for `{address}` while the template is validated like any check (.invalid never resolves). */
const SENTINEL = 'address.template.invalid';

/** Ids of the checks written as templates (from the raw config, so even broken ones are known) → the key. */
export function templateIds(rawChecks: unknown): Map<string, 'url' | 'host'> {
  const out = new Map<string, 'url' | 'host'>();
  for (const [id, v] of Object.entries(obj(rawChecks))) {
    if (!isObj(v)) continue;
    if (str(v.url)?.includes(ADDRESS_PLACEHOLDER)) out.set(id, 'url');
    else if (str(v.host)?.includes(ADDRESS_PLACEHOLDER)) out.set(id, 'host');
  }
  return out;
}

/** The raw checks with `{address}` replaced by the sentinel, so buildChecks validates the rest. */
export function withSentinels(rawChecks: unknown, templates: ReadonlyMap<string, unknown>): unknown {
  if (templates.size === 0 || !isObj(rawChecks)) return rawChecks;
  const out: Obj = { ...rawChecks };
  for (const id of templates.keys()) {
    const v = obj(out[id]);
    const swap = (t: unknown): unknown =>
      typeof t === 'string' ? t.split(ADDRESS_PLACEHOLDER).join(SENTINEL) : t;
    out[id] = { ...v, url: swap(v.url), host: swap(v.host) };
    if (v.url === undefined) delete (out[id] as Obj).url;
    if (v.host === undefined) delete (out[id] as Obj).host;
  }
  return out;
}

/** Splits built checks into the ones to run and the templates (reporting a placeholder not in the host). */
export function splitTemplates(
  built: readonly CheckConfig[],
  templates: ReadonlyMap<string, 'url' | 'host'>,
  problems: Problems,
): { checks: CheckConfig[]; byId: Map<string, CheckConfig> } {
  const checks: CheckConfig[] = [];
  const byId = new Map<string, CheckConfig>();
  for (const c of built) {
    if (!templates.has(c.id)) {
      checks.push(c);
      continue;
    }
    const host = 'host' in c ? (c as { host: unknown }).host : undefined;
    if (host !== SENTINEL) {
      const at: Path = ['checks', c.id, templates.get(c.id)!];
      problems.error(
        at,
        `${ADDRESS_PLACEHOLDER} must be the whole host of the check (e.g. https://{address}/health)`,
      );
      continue;
    }
    byId.set(c.id, c);
  }
  return { checks, byId };
}

/**
 * Makes (once per template and address) the concrete check of one address and returns its id. The copy
 * connects to the address; an HTTP(S) template keeps its own Host header and SNI, so virtual hosts and
 * certificates are checked as the clients see them.
 */
export class TemplateExpander {
  readonly expanded: CheckConfig[] = [];
  private readonly made = new Set<string>();

  constructor(readonly templates: ReadonlyMap<string, CheckConfig>) {}

  expand(templateId: string, address: string): string | undefined {
    const tpl = this.templates.get(templateId);
    // Only a check that connects to a host can be a template (splitTemplates keeps no other).
    if (!tpl || !('host' in tpl)) return undefined;
    const id = `${templateId}@${address}`;
    if (this.made.has(id)) return id;
    this.made.add(id);
    this.expanded.push({ ...structuredClone(tpl), id, host: address });
    return id;
  }
}
