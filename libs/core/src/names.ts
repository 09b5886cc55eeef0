/** DNS names in canonical form: absolute, lower-case, with a trailing dot. The root is ".". */

const LABEL = /^(?:\*|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)$/;

export type NameCheck = { ok: true; name: string } | { ok: false; error: string };

export function normalizeName(input: string): NameCheck {
  const raw = input.trim().toLowerCase();
  if (raw === '' || raw === '.') return { ok: true, name: '.' };
  const name = raw.endsWith('.') ? raw : `${raw}.`;
  if (name.length > 254) return { ok: false, error: `name "${input}" is longer than 253 characters` };
  const labels = name.slice(0, -1).split('.');
  for (const [i, label] of labels.entries()) {
    if (label === '') return { ok: false, error: `name "${input}" has an empty label` };
    if (label.length > 63)
      return { ok: false, error: `label "${label}" in "${input}" is longer than 63 octets` };
    if (!LABEL.test(label))
      return { ok: false, error: `label "${label}" in "${input}" has characters outside a-z 0-9 - _` };
    if (label === '*' && i !== 0)
      return { ok: false, error: `"*" may only be the first label in "${input}"` };
  }
  return { ok: true, name };
}

/** True when `name` is `apex` or below it. Both canonical. */
export function isInZone(name: string, apex: string): boolean {
  if (apex === '.') return true;
  return name === apex || name.endsWith(`.${apex}`);
}

/**
 * Resolve an owner name written in config: "@" is the apex, a trailing dot means absolute,
 * anything else is relative to the apex.
 */
export function resolveOwner(input: string, apex: string): NameCheck {
  const raw = input.trim();
  if (raw === '@' || raw === '') return { ok: true, name: apex };
  if (raw.endsWith('.')) return normalizeName(raw);
  return normalizeName(apex === '.' ? `${raw}.` : `${raw}.${apex}`);
}

/** The closest enclosing zone apex of `name` among `apexes`, or undefined. */
export function findZone(name: string, apexes: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const apex of apexes) {
    if (isInZone(name, apex) && (best === undefined || apex.length > best.length)) best = apex;
  }
  return best;
}
