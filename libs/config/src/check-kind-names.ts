/** The check types the config accepts (the schema's enum); each has a reader in check-kinds.ts. */
export const CHECK_TYPES = ['https', 'http', 'tcp', 'dns', 'composite'] as const;

export type CheckTypeName = (typeof CHECK_TYPES)[number];

/** Query types a DNS check may ask for: the record types the system models (core rdata.ts). */
export const DNS_CHECK_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'NS', 'MX', 'TXT', 'SRV', 'CAA', 'SOA'] as const;

/** The response codes `expectRcode` accepts: core's table. */
export { DNS_RCODES } from '@understudy/core';
