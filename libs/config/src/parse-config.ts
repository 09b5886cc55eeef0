/** YAML text → validated, defaults-filled, frozen UnderstudyConfig, or a ConfigError listing every problem. */
import path from 'node:path';
import { ConfigError, deepFreeze } from '@understudy/core';
import type { ConfigProblem, QuorumRule, UnderstudyConfig } from '@understudy/core';
import { buildChecks } from './build-checks.js';
import { splitTemplates, TemplateExpander, templateIds, withSentinels } from './check-templates.js';
import { buildMetrics } from './build-metrics.js';
import {
  buildDecider,
  buildListen,
  buildAdmin,
  buildDns,
  buildLogging,
  buildProbe,
  buildRegions,
  buildState,
  quorumAt,
} from './build-top.js';
import { buildZones } from './build-zones.js';
import { buildHttpServers } from './http-servers.js';
import { buildDashboard, buildSync, buildTargets, buildWebhooks } from './build-integrations.js';
import { configHash } from './hash.js';
import { readConfigSource } from './config-source.js';
import type { ConfigSource } from './config-source.js';
import { scrub } from './interpolate.js';
import { dropShadowed, formatPath, Problems } from './problems.js';
import type { RawProblem } from './problems.js';
import { obj } from './read.js';
import { warnHealthFromWithoutChecks } from './build-steering.js';
import { ID_PATTERN } from './schema-defs.js';
import { checkStructure } from './structure.js';
import { groupWarnings } from './warning-groups.js';

export interface LoadedConfig {
  config: UnderstudyConfig;
  warnings: ConfigProblem[];
  /** sha256 hex of the canonical JSON of what all roles must agree on (see hash.ts). */
  hash: string;
  source: string;
  /** Where the config was read: DNS worker processes read it again from there (see apps/dns worker.ts). */
  origin: ConfigOrigin;
}

export type ConfigOrigin =
  { kind: 'file'; file: string } | { kind: 'text'; text: string; source: string; baseDir: string };

export interface ParseOptions {
  /** Shown in messages: usually the file name. */
  source?: string;
  /** Variables for ${VAR} interpolation; default process.env. */
  env?: Record<string, string | undefined>;
  /** Relative paths (state.file, tls.caFile) resolve against this; default the working directory. */
  baseDir?: string;
}

const ID = new RegExp(ID_PATTERN);
const MAJORITY: QuorumRule = { kind: 'majority' };

export function parseConfig(text: string, opts: ParseOptions = {}): LoadedConfig {
  const source = opts.source ?? 'config';
  const baseDir = opts.baseDir ?? process.cwd();
  const problems = new Problems();
  const env = opts.env ?? process.env;
  const src = readConfigSource(text, env, problems, source);
  const data = src.data;
  checkStructure(data, problems);
  const config = build(data, baseDir, stateBaseDir(env, baseDir), problems);

  const errors = finish(dropShadowed(problems.errors), src);
  if (errors.length > 0) throw new ConfigError(errors, source);
  const warnings = [...src.warnings, ...finish(problems.warnings, src, true)];
  const frozen = deepFreeze(config);
  let hash: string | undefined;
  return {
    config: frozen,
    warnings,
    // Computed when first read (then kept): `validate` never reads it, and at 110,000 records it is a
    // walk over the whole config (issue 11).
    get hash(): string {
      return (hash ??= configHash(frozen, baseDir));
    },
    source,
    origin: { kind: 'text', text, source, baseDir },
  };
}

/**
 * Where relative state.file and dns.cacheFile go: the directory systemd's StateDirectory= names in
 * STATE_DIRECTORY (the first, when several), or the image sets; else next to the config. A config
 * under /etc is read-only to a hardened service (ProtectSystem=strict, a ConfigMap mount) (issue 12).
 */
function stateBaseDir(env: Record<string, string | undefined>, baseDir: string): string {
  const first = env.STATE_DIRECTORY?.split(':')[0]?.trim();
  return first && path.isAbsolute(first) ? first : baseDir;
}

function build(data: unknown, baseDir: string, stateDir: string, problems: Problems): UnderstudyConfig {
  const top = obj(data);
  const regions = buildRegions(top.regions, problems);
  const quorum = quorumAt(top.quorum, ['quorum'], MAJORITY, problems);
  const decider = buildDecider(top.decider, regions.length, problems);
  // --- issue 14: check templates ({address}) are validated like checks, then expanded per address ---
  const templates = templateIds(top.checks);
  const built = buildChecks(withSentinels(top.checks, templates), {
    problems,
    regions,
    quorum,
    baseDir,
  });
  const split = splitTemplates(built, templates, problems);
  const expander = new TemplateExpander(split.byId);
  const checkIds = new Set(Object.keys(obj(top.checks)).filter((id) => ID.test(id)));
  const zones = buildZones(top.zones, { problems, checkIds, expander, regions });
  const checks = [...split.checks, ...expander.expanded];
  warnHealthFromWithoutChecks(zones, checks, problems); // issue 14 part 3
  // --- end issue 14 ---
  return {
    regions,
    quorum,
    zones,
    checks,
    decider,
    listen: buildListen(top.listen, problems),
    state: buildState(top.state, stateDir),
    dns: buildDns(top.dns, problems, stateDir),
    admin: buildAdmin(top.admin, problems),
    probe: buildProbe(top.probe, problems),
    logging: buildLogging(top.logging),
    metrics: buildMetrics(top.metrics, zones, problems),
    dashboard: buildDashboard(top.dashboard),
    httpServers: buildHttpServers(top.httpServers, problems),
    targets: buildTargets(top.targets, zones, problems),
    sync: buildSync(top.sync, problems),
    webhooks: buildWebhooks(top.webhooks, problems),
  };
}

/** Positions, printable paths, no secrets, document order; warnings of one kind folded into one. */
function finish(raw: readonly RawProblem[], src: ConfigSource, fold = false): ConfigProblem[] {
  const located = (p: RawProblem): ConfigProblem => {
    const pos = src.locate(p.path, p.atKey);
    const problem: ConfigProblem = {
      path: formatPath(p.path),
      message: scrub(p.message, p.path, src.interp),
    };
    if (pos) Object.assign(problem, pos);
    return problem;
  };
  const groups = fold ? groupWarnings(raw) : raw.map((first) => ({ first, examples: [], count: 1 }));
  const out = groups.map(({ first, examples, count }) => {
    const problem = located(first);
    if (count === 1) return problem;
    const where = examples
      .map(located)
      .map((e) => (e.line === undefined ? e.path : `${e.path} (line ${e.line})`));
    problem.message += ` (and ${(count - 1).toLocaleString('en-US')} more like it, e.g. ${where.join(', ')})`;
    return problem;
  });
  const key = (p: ConfigProblem): number => (p.line ?? Infinity) * 1e6 + (p.column ?? 0);
  return out.sort((a, b) => key(a) - key(b));
}
