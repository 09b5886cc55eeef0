/** Canonical rdata (libs/core) → dns2 resource objects, built once per snapshot. */
import type { Rdata } from '@understudy/core';
import { CLASS_IN, TYPE_CODE } from './constants.js';
import { Packet } from './dns2.js';
import type { Resource } from './dns2.js';

/** dns2 spells names without the trailing dot; the root is the empty string. */
export function dns2Name(canonical: string): string {
  return canonical === '.' ? '' : canonical.replace(/\.$/, '');
}

function fields(r: Rdata): Partial<Resource> {
  switch (r.type) {
    case 'A':
    case 'AAAA':
      return { address: r.address };
    case 'CNAME':
      return { domain: dns2Name(r.target) };
    case 'NS':
      return { ns: dns2Name(r.target) };
    case 'MX':
      return { priority: r.preference, exchange: dns2Name(r.exchange) };
    case 'SRV':
      return { priority: r.priority, weight: r.weight, port: r.port, target: dns2Name(r.target) };
    case 'TXT':
      return { data: r.strings };
    case 'CAA':
      return { flags: r.flags, tag: r.tag, value: r.value };
    case 'SOA':
      return {
        primary: dns2Name(r.mname),
        admin: dns2Name(r.rname),
        serial: r.serial,
        refresh: r.refresh,
        retry: r.retry,
        expiration: r.expire,
        minimum: r.minimum,
      };
  }
}

export function toResource(owner: string, ttl: number, r: Rdata): Resource {
  return new Packet.Resource({
    name: dns2Name(owner),
    type: TYPE_CODE[r.type],
    class: CLASS_IN,
    ttl,
    ...fields(r),
  });
}

/** The same record under another owner name (wildcard synthesis, question-case owners). */
export function withOwner(rec: Resource, owner: string): Resource {
  return new Packet.Resource({ ...rec, name: owner });
}
