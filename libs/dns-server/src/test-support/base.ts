/** A zone base with failover slots that other names depend on (aliases, glue, chains), for update tests. */
import type { RRset, ZoneOverlay } from '@understudy/core';
import type { ZoneBase } from '../zone-base.js';

export const APEX = 'fo.test.';
const n = (label: string): string => (label === '@' ? APEX : `${label}.${APEX}`);

export function fixtureBase(extraNames = 0): ZoneBase {
  const rrsets: RRset[] = [
    { name: APEX, type: 'SOA', ttl: 3600, values: [`ns1.${APEX} hostmaster.${APEX} 0 3600 600 86400 120`] },
    { name: APEX, type: 'NS', ttl: 3600, values: [n('ns1')] },
    { name: n('ns1'), type: 'A', ttl: 3600, values: ['192.0.2.53'] },
    { name: n('www'), type: 'A', ttl: 300, values: ['192.0.2.1'] },
    { name: n('www'), type: 'AAAA', ttl: 300, values: ['2001:db8::1'] },
    // Static names whose answers read a failover name.
    { name: n('static-alias'), type: 'CNAME', ttl: 300, values: [n('app')] },
    { name: n('hop'), type: 'CNAME', ttl: 300, values: [n('static-alias')] },
    { name: n('via-fo'), type: 'CNAME', ttl: 300, values: [n('fo-alias')] },
    { name: n('deleg'), type: 'NS', ttl: 3600, values: [n('ns.deleg')] },
    { name: n('mail'), type: 'MX', ttl: 300, values: [`10 ${n('app')}`] },
    { name: n('empty'), type: 'A', ttl: 30, values: [] },
  ];
  for (let i = 0; i < extraNames; i++)
    rrsets.push({
      name: n(`h${i}`),
      type: 'A',
      ttl: 300,
      values: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
    });
  return {
    zones: [{ apex: APEX, rrsets }],
    slots: [
      { id: `${n('app')}/A`, zone: APEX, name: n('app'), type: 'A', ttl: 30, values: ['198.51.100.1'] },
      {
        id: `${n('fo-alias')}/CNAME`,
        zone: APEX,
        name: n('fo-alias'),
        type: 'CNAME',
        ttl: 30,
        values: [n('www')],
      },
      {
        id: `${n('ns.deleg')}/A`,
        zone: APEX,
        name: n('ns.deleg'),
        type: 'A',
        ttl: 30,
        values: ['192.0.2.88'],
      },
    ],
  };
}

export const APP = `${n('app')}/A`;
export const FO_ALIAS = `${n('fo-alias')}/CNAME`;
export const GLUE = `${n('ns.deleg')}/A`;

export function overlay(serial: number, records: Record<string, string[]> = {}): ZoneOverlay {
  return { serial, epoch: 1, generatedAt: 0, records };
}

/** Every name of fixtureBase (without the extra ones), plus some that do not exist. */
export const BASE_NAMES = [
  '@',
  'ns1',
  'www',
  'static-alias',
  'hop',
  'via-fo',
  'deleg',
  'x.deleg',
  'ns.deleg',
  'mail',
  'empty',
  'app',
  'fo-alias',
  'nope',
  'a.b.nope',
].map(n);
