/** Name resolution for checks, injectable so tests and special deployments can replace the OS resolver. */
import { lookup as osLookup } from 'node:dns/promises';

export interface LookupAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves one address for a host name; rejects when the name does not resolve. */
export type LookupFn = (hostname: string) => Promise<LookupAddress>;

function notFound(hostname: string): Error {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
}

/**
 * The OS resolver (getaddrinfo, so /etc/hosts and search rules apply), taking the first address in the
 * resolver's order. Names under "invalid." fail at once without a query, as RFC 6761 §6.4 asks of
 * resolution libraries.
 */
export const systemLookup: LookupFn = async (hostname) => {
  if (/(^|\.)invalid\.?$/i.test(hostname)) throw notFound(hostname);
  const { address, family } = await osLookup(hostname);
  return { address, family: family === 6 ? 6 : 4 };
};
