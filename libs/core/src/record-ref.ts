/** Resolves what an operator types for a record ("app.example.test", "app.example.test./A") to its id. */
import type { UnderstudyConfig } from './config-types.js';
import { NotFoundError } from './errors.js';
import { normalizeName } from './names.js';

export function resolveRecordRef(config: UnderstudyConfig, ref: string): string {
  const [namePart, type] = ref.includes('/') ? (ref.split('/', 2) as [string, string]) : [ref, undefined];
  const name = normalizeName(namePart);
  const records = config.zones.flatMap((z) => z.failover);
  const matches = name.ok
    ? records.filter((r) => r.name === name.name && (type === undefined || r.type === type.toUpperCase()))
    : [];
  if (matches.length === 1) return matches[0]!.id;
  const known = records.map((r) => r.id).join(', ') || 'none';
  if (matches.length > 1) {
    throw new NotFoundError(
      `"${ref}" names ${matches.length} failover records; add the type: ${matches.map((r) => r.id).join(', ')}`,
    );
  }
  throw new NotFoundError(`no failover record "${ref}" (failover records: ${known})`);
}
