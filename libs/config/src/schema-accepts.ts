/**
 * What the config schema accepts at a path. Interpolation uses it to give `${VAR}` text a number or boolean
 * type only where a string would not do, so string fields (headers, URLs, TXT values) keep the exact text.
 */
import type { Path } from './problems.js';
import type { Schema } from './schema-defs.js';

export interface Accepts {
  /** Any string (the schema's pattern, if any, is checked later by validation). */
  anyString: boolean;
  /** Strings accepted only as listed values (`const`/`enum`), e.g. dns.workers: auto. */
  strings: Set<string>;
  number: boolean;
  boolean: boolean;
}

const MERGE_KEY = '<<';

/** Accepts nothing when the path is not in the schema: validation reports the unknown key anyway. */
export function acceptsAt(schema: Schema, path: Path): Accepts {
  let here: Schema[] = [schema];
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    // A merge key's map (or list of maps) lends its keys to the map that holds the merge key.
    if (seg === MERGE_KEY) {
      if (typeof path[i + 1] === 'number') i++;
      continue;
    }
    here = here.flatMap(branches).flatMap((s) => child(s, seg));
  }
  const out: Accepts = { anyString: false, strings: new Set(), number: false, boolean: false };
  for (const s of here.flatMap(branches)) addTypes(s, out);
  return out;
}

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The schema itself plus its oneOf/anyOf alternatives, recursively. */
function branches(s: Schema): Schema[] {
  const alternatives = [s.oneOf, s.anyOf].flatMap((a) => (Array.isArray(a) ? a.filter(isSchema) : []));
  return [s, ...alternatives.flatMap(branches)];
}

function child(s: Schema, seg: string | number): Schema[] {
  if (typeof seg === 'number') return isSchema(s.items) ? [s.items] : [];
  const props = isSchema(s.properties) ? s.properties : {};
  const own = props[seg];
  if (isSchema(own)) return [own];
  return isSchema(s.additionalProperties) ? [s.additionalProperties] : [];
}

function addTypes(s: Schema, out: Accepts): void {
  const types: unknown[] = Array.isArray(s.type) ? s.type : s.type === undefined ? [] : [s.type];
  for (const t of types) {
    if (t === 'string') out.anyString = true;
    if (t === 'number' || t === 'integer') out.number = true;
    if (t === 'boolean') out.boolean = true;
  }
  const listed = s.const !== undefined ? [s.const] : Array.isArray(s.enum) ? s.enum : [];
  for (const v of listed) if (typeof v === 'string') out.strings.add(v);
}
