/**
 * What every package needs to know about a check kind without knowing the kind itself: whether probes run
 * it, and how it is shown (status, dashboard, metrics, events). A new kind adds its entry to TARGETS; the
 * Record type makes the compiler name every kind that lacks one.
 */
import type { CheckConfig, CompositeCheckConfig, ProbedCheckConfig } from './config-types.js';

export function isProbed(check: CheckConfig): check is ProbedCheckConfig {
  return check.type !== 'composite';
}

export function isComposite(check: CheckConfig): check is CompositeCheckConfig {
  return check.type === 'composite';
}

type Kind = CheckConfig['type'];
/** The config of kind K (http and https share one interface, so Extract alone would give never). */
type ConfigOf<K extends Kind> = CheckConfig extends infer C
  ? C extends { type: infer T }
    ? K extends T
      ? C
      : never
    : never
  : never;

const bracketed = (host: string): string => (host.includes(':') ? `[${host}]` : host);

const TARGETS: { [K in Kind]: (check: ConfigOf<K>) => string } = {
  http: (c) => `${c.type}://${bracketed(c.host)}:${c.port}${c.path}`,
  https: (c) => `${c.type}://${bracketed(c.host)}:${c.port}${c.path}`,
  tcp: (c) => `tcp://${bracketed(c.host)}:${c.port}`,
  dns: (c) =>
    `dns://${bracketed(c.host)}:${c.port}/${c.name} ${c.recordType}${c.transport === 'tcp' ? ' (tcp)' : ''}`,
  composite: (c) => `${c.invert ? 'not ' : ''}${c.atLeast} of [${c.children.join(', ')}]`,
};

/** What a check looks at, e.g. "https://app.example.test:443/healthz" or "dns://192.0.2.53:53/www.example.test. A". */
export function checkTarget(check: CheckConfig): string {
  return (TARGETS[check.type] as (c: CheckConfig) => string)(check);
}

/** The checks probes run in `region`. */
export function probedChecks(checks: readonly CheckConfig[], region?: string): ProbedCheckConfig[] {
  return checks.filter(
    (c): c is ProbedCheckConfig => isProbed(c) && (region === undefined || c.regions.includes(region)),
  );
}
