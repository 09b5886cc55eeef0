/** An answer tier's `addresses:` (issue 14): values checked each on its own, and its minHealthy. */
import type { AddressConfig, FailoverRecordType } from '@understudy/core';
import { ADDRESS_PLACEHOLDER, type TemplateExpander } from './check-templates.js';
import { didYouMean } from './problems.js';
import type { Path, Problems } from './problems.js';
import { int, isObj, str } from './read.js';
import type { Obj } from './read.js';
import { canonicalValue } from './record-values.js';

export interface AddressContext {
  problems: Problems;
  /** Every declared check id (templates included). */
  checkIds: ReadonlySet<string>;
  expander: TemplateExpander;
}

export interface AddressTier {
  values: string[];
  addresses: AddressConfig[];
  minHealthy: number;
}

/** Reads `addresses`, `checkTemplate` and `minHealthy` of one answer; undefined when it has no addresses. */
export function buildAddressTier(
  item: Obj,
  type: FailoverRecordType,
  at: Path,
  ctx: AddressContext,
): AddressTier | undefined {
  const { problems } = ctx;
  if (item.addresses === undefined) {
    for (const key of ['checkTemplate', 'minHealthy'])
      if (item[key] !== undefined) problems.error([...at, key], 'applies only to an answer with addresses');
    return undefined;
  }
  for (const key of ['values', 'value', 'check'])
    if (item[key] !== undefined)
      problems.error(
        [...at, key],
        key === 'check'
          ? 'an answer with addresses is checked per address: use checkTemplate or a check per address'
          : 'give either addresses or values, not both',
      );
  if (type === 'CNAME') {
    problems.error([...at, 'addresses'], 'addresses need an A or AAAA record: a CNAME RRset holds one value');
    return undefined;
  }
  const template = templateOf(item.checkTemplate, [...at, 'checkTemplate'], ctx);
  const addresses: AddressConfig[] = [];
  const seen = new Map<string, number>();
  const raw = Array.isArray(item.addresses) ? item.addresses : [];
  for (const [i, entry] of raw.entries()) {
    const here = [...at, 'addresses', i];
    const o: Obj = isObj(entry) ? entry : { value: entry };
    const v = canonicalValue(type, o.value);
    if (!v.ok) {
      problems.error(isObj(entry) ? [...here, 'value'] : here, `not a valid ${type} address: ${v.error}`);
      continue;
    }
    const first = seen.get(v.value);
    if (first !== undefined) {
      problems.error(here, `duplicate address ${v.value} (also addresses[${first}])`);
      continue;
    }
    seen.set(v.value, i);
    const check = addressCheck(o, v.value, template, here, ctx);
    addresses.push({ value: v.value, weight: int(o.weight, 1, 1000) ?? 1, check });
  }
  const minHealthy = resolveMinHealthy(item.minHealthy, addresses.length, [...at, 'minHealthy'], problems);
  return { values: addresses.map((a) => a.value), addresses, minHealthy };
}

function templateOf(raw: unknown, at: Path, ctx: AddressContext): string | null {
  const id = str(raw);
  if (id === undefined) return null;
  if (ctx.expander.templates.has(id)) return id;
  if (ctx.checkIds.has(id))
    ctx.problems.error(
      at,
      `check "${id}" is not a template: its host or URL must hold ${ADDRESS_PLACEHOLDER}`,
    );
  else
    ctx.problems.error(
      at,
      `unknown check template "${id}"${didYouMean(id, [...ctx.expander.templates.keys()])}`,
    );
  return null;
}

function addressCheck(o: Obj, value: string, template: string | null, at: Path, ctx: AddressContext) {
  const explicit = str(o.check);
  if (explicit !== undefined) {
    if (ctx.expander.templates.has(explicit)) {
      // A template named per address is expanded for that address.
      return ctx.expander.expand(explicit, value) ?? null;
    }
    if (!ctx.checkIds.has(explicit))
      ctx.problems.error(
        [...at, 'check'],
        `check "${explicit}" is not defined${didYouMean(explicit, ctx.checkIds)}`,
      );
    return explicit;
  }
  if (o.check === null) return null;
  if (template !== null) return ctx.expander.expand(template, value) ?? null;
  ctx.problems.warn(
    at,
    `address ${value} has no check (nor checkTemplate), so it is always considered healthy`,
  );
  return null;
}

/** A count, or a share ("50%") of the addresses rounded up; at least 1. */
function resolveMinHealthy(raw: unknown, count: number, at: Path, problems: Problems): number {
  if (raw === undefined) return 1;
  const share = typeof raw === 'string' ? /^(\d{1,3})%$/.exec(raw.trim()) : null;
  if (share) {
    const pct = Number(share[1]);
    if (pct < 1 || pct > 100) {
      problems.error(at, `"${share[0]}" must be a share between 1% and 100%`);
      return 1;
    }
    return Math.max(1, Math.ceil((count * pct) / 100));
  }
  const n = int(raw, 1, 1000);
  if (n === undefined) return 1; // the schema reports the type
  if (count > 0 && n > count)
    problems.error(
      at,
      `minHealthy ${n} is larger than the number of addresses (${count}): the tier could never be up`,
    );
  return n;
}
