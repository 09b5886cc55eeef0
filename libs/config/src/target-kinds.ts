/**
 * The registry of provider target types, config side (issue 13 §1). Each provider package owns its
 * schema properties and reading behind its `/config` subpath (no vendor SDK there); this map composes
 * them, and its type insists on one entry per TargetConfig type. A new provider adds its entry here and
 * a loader in apps/cli provider-registry.ts.
 */
import type { TargetConfig, TargetKind } from '@understudy/core';
import { cloudflareTargetKind } from '@understudy/provider-cloudflare/config';
import { route53TargetKind } from '@understudy/provider-route53/config';

export type TargetKinds = { [K in TargetConfig['type']]: TargetKind<Extract<TargetConfig, { type: K }>> };

export const TARGET_KINDS: TargetKinds = {
  route53: route53TargetKind,
  cloudflare: cloudflareTargetKind,
};

export const TARGET_TYPES = Object.keys(TARGET_KINDS) as TargetConfig['type'][];

export function targetKind(type: unknown): TargetKind | undefined {
  return typeof type === 'string' && Object.hasOwn(TARGET_KINDS, type)
    ? TARGET_KINDS[type as TargetConfig['type']]
    : undefined;
}
