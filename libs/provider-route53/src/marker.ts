/**
 * Ownership markers: a TXT RRset next to each record we manage, in the style of a TXT registry.
 *
 *   record  app.example.com.  A                 marker  _understudy-a.app.example.com.  TXT "understudy:owner=<ownerId>;type=A"
 *   record  *.example.com.    A                 marker  _understudy-a-wildcard.example.com.  TXT (same value)
 *
 * The marker sits at its own name (not at the record's) because a CNAME may not share its name with a
 * TXT record; one marker per type because one name can carry several managed types.
 */
import type { RecordType } from '@understudy/core';
import { quote, splitFields, unquote } from '@understudy/core';

export const MARKER_TTL = 300;
const NAME = /^_understudy-([a-z0-9]+)(-wildcard)?\.(.+)$/;
const VALUE = /^understudy:owner=(.+);type=([A-Z0-9]+)$/;

export function markerName(name: string, type: RecordType): string {
  const t = type.toLowerCase();
  return name.startsWith('*.') ? `_understudy-${t}-wildcard.${name.slice(2)}` : `_understudy-${t}.${name}`;
}

export function markerValue(ownerId: string, type: RecordType): string {
  return quote(`understudy:owner=${ownerId};type=${type}`);
}

export interface ParsedMarker {
  /** The managed record's name and type. */
  name: string;
  type: string;
  owner: string;
}

/** The marker a TXT RRset is, or null when it is not one (any owner). */
export function parseMarker(name: string, values: readonly string[]): ParsedMarker | null {
  const n = NAME.exec(name);
  if (!n || values.length !== 1) return null;
  const fields = splitFields(values[0]!);
  if (!fields || fields.length !== 1) return null;
  const text = unquote(fields[0]!);
  const v = text === null ? null : VALUE.exec(text);
  if (!v || v[2]!.toLowerCase() !== n[1]) return null;
  return { name: n[2] ? `*.${n[3]!}` : n[3]!, type: v[2]!, owner: v[1]! };
}
