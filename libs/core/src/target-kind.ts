/**
 * The config side of a provider kind (issue 13 §1: each provider package owns its config schema). A
 * provider package exports one TargetKind from its `/config` subpath, which loads no vendor SDK; libs/config
 * composes the schema and the reading of `targets[]` from them (libs/config target-kinds.ts). The shapes
 * live here because both sides need them and a provider must not depend on libs/config (config depends on it).
 */
import type { TargetConfig, ZoneConfig } from './config-types.js';

export type JsonSchema = Record<string, unknown>;
export type ConfigPath = readonly (string | number)[];

/** Schema building blocks a kind's properties use, so every section writes them one way. */
export interface TargetSchemaTools {
  /** A duration: "500ms", "30s", "5m", … or a bare number of seconds (spread it, then add a default). */
  duration: JsonSchema;
  strictObject(properties: Record<string, JsonSchema>, extra?: JsonSchema): JsonSchema;
}

/** Defensive reads of the raw YAML: a wrong type gives undefined (the schema has reported it already). */
export interface TargetReader {
  str(v: unknown): string | undefined;
  bool(v: unknown): boolean | undefined;
  int(v: unknown, min: number, max: number): number | undefined;
  num(v: unknown, min: number, max: number): number | undefined;
  obj(v: unknown): Record<string, unknown>;
  /** A duration in ms, or `fallback` after reporting at `path` why the written one is unusable. */
  duration(value: unknown, path: ConfigPath, fallback: number, rule?: { min?: number; max?: number }): number;
}

export interface TargetKindContext {
  /** Where this target is: ['targets', i]. */
  path: ConfigPath;
  /** Every configured zone, built: what load-time checks of a target look at. */
  zones: readonly ZoneConfig[];
  error(path: ConfigPath, message: string): void;
  warn(path: ConfigPath, message: string): void;
  read: TargetReader;
}

/** What libs/config reads for every target before the kind reads the rest. */
export interface TargetCommon {
  name: string;
  zones: { apex: string; id: string | null }[];
  takeover: boolean;
  endpoint: string | null;
}

export interface TargetKind<T extends TargetConfig = TargetConfig> {
  readonly type: T['type'];
  /** JSON-schema properties of this type, after the common ones (name, zones, takeover, endpoint) and `type`. */
  schemaProperties(tools: TargetSchemaTools): Record<string, JsonSchema>;
  /** Required keys besides name, type and zones. */
  readonly required: readonly string[];
  /**
   * The target's config from its YAML object, after reporting what this provider cannot hold (checked at
   * load, so a sync never sends what the vendor refuses); undefined when it cannot be built at all.
   */
  build(raw: Record<string, unknown>, common: TargetCommon, ctx: TargetKindContext): T | undefined;
}

/** DNS limits (RFC 1035 §2.3.4): 63 octets a label, 255 octets a name on the wire (253 in text). */
export const MAX_LABEL_OCTETS = 63;
export const MAX_NAME_TEXT_OCTETS = 253;

const octets = (s: string): number => new TextEncoder().encode(s).length;

/** Why a name cannot exist in DNS (too long a label or name), or null. */
export function nameLengthProblem(name: string): string | null {
  const text = name.replace(/\.$/, '');
  const long = text.split('.').find((l) => octets(l) > MAX_LABEL_OCTETS);
  if (long !== undefined) return `label "${long}" is ${octets(long)} octets, over ${MAX_LABEL_OCTETS}`;
  if (octets(text) > MAX_NAME_TEXT_OCTETS)
    return `${octets(text)} octets, over ${MAX_NAME_TEXT_OCTETS} (255 on the wire)`;
  return null;
}
