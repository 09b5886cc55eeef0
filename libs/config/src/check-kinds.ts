/**
 * The registry of check kinds, config side: per `type`, the keys it reads and how it builds its
 * CheckConfig. A new kind adds an entry here (the Record type insists on one per CHECK_TYPES name), a
 * runner in libs/checks (registerCheckRunner) and a display in libs/core's check-kinds.
 */
import type { CheckBase, CheckConfig, QuorumRule } from '@understudy/core';
import { buildComposite } from './build-composite.js';
import { dnsCheckFields } from './build-dns-check.js';
import { buildTarget, httpOptions } from './build-http-check.js';
import type { CheckTypeName } from './check-kind-names.js';
import type { Path, Problems } from './problems.js';
import type { Obj } from './read.js';

export interface CheckContext {
  problems: Problems;
  regions: string[];
  quorum: QuorumRule;
  baseDir: string;
  /** Every check id written, even ones whose body has problems: composites may name them. */
  declared: ReadonlySet<string>;
}

/** What every probed check has: the schedule and the cross-region rule (core's CheckBase). */
export type ProbedBase = CheckBase;

export const SCHEDULE_KEYS = ['timeout', 'interval', 'fall', 'rise', 'regions', 'quorum'] as const;

export type CheckKindReader =
  | {
      probed: true;
      /** Keys of this kind besides `type` and SCHEDULE_KEYS; any other known key "does not apply". */
      keys: readonly string[];
      build(o: Obj, at: Path, ctx: CheckContext, base: ProbedBase): CheckConfig | undefined;
    }
  | {
      probed: false;
      keys: readonly string[];
      build(o: Obj, at: Path, ctx: CheckContext, id: string): CheckConfig | undefined;
    };

const HTTP_KEYS = [
  'url',
  'host',
  'port',
  'path',
  'method',
  'headers',
  'hostHeader',
  'expectStatus',
  'body',
  'maxBodyBytes',
];

function http(type: 'http' | 'https'): CheckKindReader {
  return {
    probed: true,
    keys: type === 'https' ? [...HTTP_KEYS, 'sni', 'tls'] : HTTP_KEYS,
    build(o, at, ctx, base) {
      const target = buildTarget(o, type, at, ctx.problems);
      if (!target) return undefined;
      return { ...base, type, ...target, ...httpOptions(o, type, at, ctx.problems, ctx.baseDir) };
    },
  };
}

export const CHECK_KINDS: Record<CheckTypeName, CheckKindReader> = {
  https: http('https'),
  http: http('http'),
  tcp: {
    probed: true,
    keys: ['host', 'port'],
    build(o, at, ctx, base) {
      const target = buildTarget(o, 'tcp', at, ctx.problems);
      return target && { ...base, type: 'tcp', host: target.host, port: target.port };
    },
  },
  dns: {
    probed: true,
    keys: ['host', 'port', 'name', 'recordType', 'transport', 'expectRcode', 'expectAnswers'],
    build(o, at, ctx, base) {
      const fields = dnsCheckFields(o, at, ctx.problems);
      return fields && { ...base, type: 'dns', ...fields };
    },
  },
  composite: {
    probed: false,
    keys: ['children', 'atLeast', 'invert'],
    build: (o, at, ctx, id) => buildComposite(id, o, at, ctx.problems, ctx.declared),
  },
};

/** Every key some kind reads: a key outside its own kind's list is reported as not applying. */
export const ALL_CHECK_KEYS: ReadonlySet<string> = new Set([
  ...SCHEDULE_KEYS,
  ...Object.values(CHECK_KINDS).flatMap((k) => k.keys),
]);
