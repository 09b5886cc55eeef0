/** Structural validation with ajv, its errors turned into problems an operator can act on. */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { DURATION_PATTERN } from './duration.js';
import { validate as precompiled } from './generated/config-validator.js';
import { didYouMean } from './problems.js';
import type { PathSegment, Problems } from './problems.js';
import { QUORUM_PATTERN } from './quorum.js';
import { defs, ID_PATTERN, REGION_PATTERN } from './schema-defs.js';

/**
 * Reports every structural problem; returns true when there were none. The validator is the schema's, compiled
 * at build time (write-validator.ts): compiling it with ajv at run time cost ~240 ms of every start. Tests pass
 * a run-time compiled one to check that both report the same errors.
 */
export function checkStructure(
  data: unknown,
  problems: Problems,
  validate: ValidateFunction = precompiled,
): boolean {
  if (validate(data)) return true;
  for (const e of validate.errors ?? []) {
    // propertyNames reports the inner pattern failure too, without saying which key: keep the outer one.
    if (e.schemaPath.includes('/propertyNames/')) continue;
    const path = toPath(e.instancePath, data);
    const { extra, message, atKey } = describe(e);
    problems.error(extra === undefined ? path : [...path, extra], message, 'schema', atKey);
  }
  return false;
}

function toPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const path: PathSegment[] = [];
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      path.push(Number(key));
      node = node[Number(key)] as unknown;
    } else {
      path.push(key);
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return path;
}

interface Described {
  extra?: string;
  message: string;
  atKey?: boolean;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  object: 'a map',
  array: 'a list',
  null: 'null',
};

const PATTERN_WORDS: Record<string, string> = {
  [REGION_PATTERN]: 'must be lower-case letters, digits and "-", starting with a letter or digit',
  [ID_PATTERN]: 'must be lower-case letters, digits, "-" and "_", starting with a letter or digit',
  [DURATION_PATTERN]:
    'is not a duration; use e.g. "500ms", "30s", "5m", "1h", "1m30s", or a number of seconds',
  [QUORUM_PATTERN]: 'is not a quorum; use majority, all, any, "N/M" (e.g. "2/3") or a percentage ("60%")',
  [defs.listenAddress.pattern]: 'must be host:port with an IP address, IPv6 in brackets (e.g. "[::1]:5300")',
  '^[A-Za-z]+$': 'must be an HTTP method name (letters only)',
};

function describe(e: ErrorObject): Described {
  const params = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const shown = typeof e.data === 'string' ? `"${e.data}" ` : '';
  switch (e.keyword) {
    case 'required':
      return { extra: String(params.missingProperty), message: 'is required but missing' };
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(parent.properties ?? {});
      const hint = didYouMean(key, allowed);
      const list = hint === '' && allowed.length > 0 ? `; allowed keys: ${allowed.join(', ')}` : '';
      return { extra: key, message: `unknown key "${key}"${hint}${list}`, atKey: true };
    }
    case 'propertyNames':
      return {
        extra: String(params.propertyName),
        message: `id "${String(params.propertyName)}" ${PATTERN_WORDS[ID_PATTERN]}`,
        atKey: true,
      };
    case 'type': {
      const types = String(params.type).split(',');
      return { message: `must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof e.data === 'string' ? didYouMean(e.data, allowed) : '';
      return { message: `${shown}must be one of ${allowed.join(', ')}${hint}` };
    }
    case 'pattern': {
      const words = PATTERN_WORDS[String(params.pattern)] ?? `must match ${String(params.pattern)}`;
      return { message: `${shown}${words}` };
    }
    case 'minItems':
      return { message: params.limit === 1 ? 'must not be empty' : (e.message ?? 'has too few items') };
    case 'minLength':
      return { message: params.limit === 1 ? 'must not be empty' : (e.message ?? 'is too short') };
    case 'minProperties':
    case 'maxProperties': {
      const keys = Object.keys(parent.properties ?? {}).join(', ');
      return { message: `must have exactly one of: ${keys}` };
    }
    default:
      return { message: e.message ?? `fails schema rule ${e.keyword}` };
  }
}
