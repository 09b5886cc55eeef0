/** Route 53's name conventions: absolute, lower-case, special characters as 3-digit octal escapes. */

/** Any accepted spelling (case, missing final dot, `\052` escapes) → the stored form: lower-case, absolute. */
export function canonicalName(input: string): string {
  const decoded = input.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
  const lower = decoded.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/** The form Route 53 returns in listings: characters other than a-z, 0-9, '-', '_' and '.' escaped. */
export function wireName(name: string): string {
  return name.replace(/[^a-z0-9_.-]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

export function inZone(name: string, apex: string): boolean {
  return name === apex || name.endsWith(`.${apex}`);
}

/**
 * Route 53's listing order: a plain string comparison of the names with their labels reversed and a
 * final dot (`com.example.www.`), so `a-b.` sorts before `a.` ('-' is below '.'); see the API
 * reference of ListResourceRecordSets, "Sort order".
 */
export function compareNames(a: string, b: string): number {
  const ka = reversedKey(a);
  const kb = reversedKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

const reversedKey = (name: string): string => {
  const labels = name.split('.').filter((l) => l !== '');
  return labels.length === 0 ? '.' : `${labels.reverse().join('.')}.`;
};

export function compareRrsets(a: { name: string; type: string }, b: { name: string; type: string }): number {
  const byName = compareNames(a.name, b.name);
  if (byName !== 0) return byName;
  return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}

/** Listing order of record sets: name, type, then SetIdentifier (a plain set has none and comes first). */
export function compareSets(
  a: { name: string; type: string; setIdentifier?: string },
  b: { name: string; type: string; setIdentifier?: string },
): number {
  const c = compareRrsets(a, b);
  if (c !== 0) return c;
  const ia = a.setIdentifier ?? '';
  const ib = b.setIdentifier ?? '';
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}
