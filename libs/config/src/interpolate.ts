/**
 * `${VAR}` and `${VAR:-default}` in scalar values, resolved on the YAML nodes themselves so that every
 * later problem still points at the right line. Values are never echoed: messages name the variable only.
 */
import { isPair, Scalar, visit } from 'yaml';
import type { Document } from 'yaml';
import type { DollarScalar } from './fast-yaml.js';
import { isPrefix } from './problems.js';
import type { Path, PathSegment, Problems } from './problems.js';
import { configSchema } from './schema.js';
import { acceptsAt } from './schema-accepts.js';
import type { Accepts } from './schema-accepts.js';
import { keyText } from './yaml-source.js';

export type Env = Record<string, string | undefined>;

interface Resolved {
  path: Path;
  /** The scalar as written, with its `${...}` references. */
  raw: string;
  resolved: string;
  /** Variables whose values went into it. */
  names: string[];
}

export interface Interpolation {
  resolved: Resolved[];
  /** The values taken from the environment, so that messages can be scrubbed of them. */
  secrets: Map<string, string>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

export function interpolate(doc: Document.Parsed, env: Env, problems: Problems): Interpolation {
  const result: Interpolation = { resolved: [], secrets: new Map() };
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('$')) return;
      const value = resolveScalar(
        pathOf(ancestors, node),
        node.value,
        node.type === Scalar.PLAIN,
        env,
        problems,
        result,
      );
      if (value !== undefined) node.value = value;
    },
  });
  return result;
}

/** The same over the fast reader's list of scalars holding `$`, written back into the data. */
export function interpolateScalars(
  scalars: readonly DollarScalar[],
  env: Env,
  problems: Problems,
): Interpolation {
  const result: Interpolation = { resolved: [], secrets: new Map() };
  for (const s of scalars) {
    const value = resolveScalar(s.path, s.raw, s.plain, env, problems, result);
    if (value === undefined) continue;
    if (Array.isArray(s.parent)) s.parent[s.key as number] = value;
    else s.parent[s.key] = value;
  }
  return result;
}

/** The scalar's new value, or undefined when it has no reference to resolve. */
function resolveScalar(
  path: Path,
  raw: string,
  plain: boolean,
  env: Env,
  problems: Problems,
  result: Interpolation,
): string | number | boolean | undefined {
  const out = substitute(raw, env, result.secrets);
  for (const e of out.errors) problems.error(path, e, 'env');
  if (!out.changed) return undefined;
  result.resolved.push({ path, raw, resolved: out.text, names: out.names });
  return retype(out.text, plain, acceptsAt(configSchema, path));
}

/**
 * A plain (unquoted) scalar becomes a number or boolean only where the schema has no use for a string, so
 * `port: ${PORT}` is a number while a header or TXT value keeps its text exactly ("007", "1e3", long digits):
 * converting first and printing back later would silently change secrets.
 */
function retype(text: string, plain: boolean, accepts: Accepts): string | number | boolean {
  if (!plain || accepts.anyString || accepts.strings.has(text)) return text;
  if (accepts.boolean && (text === 'true' || text === 'false')) return text === 'true';
  return accepts.number && NUMBER.test(text) ? Number(text) : text;
}

interface Substitution {
  text: string;
  changed: boolean;
  errors: string[];
  names: string[];
}

export function substitute(input: string, env: Env, secrets: Map<string, string>): Substitution {
  let text = '';
  let changed = false;
  const errors: string[] = [];
  const names: string[] = [];
  let i = 0;
  while (i < input.length) {
    if (input.startsWith('$${', i)) {
      text += '${';
      changed = true;
      i += 3;
      continue;
    }
    if (!input.startsWith('${', i)) {
      text += input[i];
      i++;
      continue;
    }
    const end = input.indexOf('}', i + 2);
    if (end < 0) {
      errors.push('"${" has no closing "}" (write "$${" for a literal "${")');
      break;
    }
    const body = input.slice(i + 2, end);
    const sep = body.indexOf(':-');
    const name = sep < 0 ? body : body.slice(0, sep);
    changed = true;
    i = end + 1;
    if (!NAME.test(name)) {
      errors.push(`"\${${name}}" is not a valid variable reference (names are letters, digits and _)`);
      continue;
    }
    const value = env[name];
    if (value !== undefined && value !== '') {
      text += value;
      secrets.set(name, value);
      names.push(name);
    } else if (sep >= 0) {
      text += body.slice(sep + 2);
    } else {
      errors.push(`environment variable ${name} is not set (use \${${name}:-default} to give a default)`);
    }
  }
  return { text, changed, errors, names };
}

/** Rebuilds the config path of a node from the ancestors the visitor hands us. */
function pathOf(ancestors: readonly unknown[], node: unknown): PathSegment[] {
  const path: PathSegment[] = [];
  const chain = [...ancestors, node];
  for (let i = 1; i < chain.length; i++) {
    const parent = chain[i - 1];
    const child = chain[i];
    if (isPair(child)) {
      path.push(keyText(child.key));
    } else if (parent && typeof parent === 'object' && 'items' in parent && !isPair(child)) {
      const items = (parent as { items: unknown[] }).items;
      const idx = items.indexOf(child);
      if (idx >= 0 && !isPair(items[idx])) path.push(idx);
    }
  }
  return path;
}

/** Values this short are only scrubbed where they were substituted: elsewhere they are noise, not secrets. */
const MIN_GLOBAL_SCRUB = 4;

/**
 * Removes environment values from a message about `path`: inside a substituted scalar every value goes
 * (the scalar reads as written, `${NAME}` and all); elsewhere only values long enough to be meaningful.
 */
export function scrub(message: string, path: Path, interp: Interpolation): string {
  let out = message;
  const related = interp.resolved.filter((r) => isPrefix(r.path, path) || isPrefix(path, r.path));
  for (const r of related) if (r.resolved !== '') out = out.split(r.resolved).join(r.raw);
  const local = new Set(related.flatMap((r) => r.names));
  const byLength = [...interp.secrets].sort((a, b) => b[1].length - a[1].length);
  for (const [name, value] of byLength) {
    if (value.length >= MIN_GLOBAL_SCRUB || (local.has(name) && value.length > 0))
      out = out.split(value).join(`\${${name}}`);
  }
  return out;
}
