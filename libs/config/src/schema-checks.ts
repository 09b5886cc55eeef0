/** JSON schema of one entry under `checks:`. Cross-field rules (url vs host, tcp vs http) are semantic. */
import { CHECK_TYPES, DNS_CHECK_RECORD_TYPES, DNS_RCODES } from './check-kind-names.js';
import { defs, strictObject } from './schema-defs.js';
import type { Schema } from './schema-defs.js';

export const checkSchema: Schema = strictObject(
  {
    type: { enum: [...CHECK_TYPES], description: 'Check type.' },
    url: {
      type: 'string',
      description: 'Full URL (http/https checks), e.g. https://192.0.2.10:8443/healthz. Either url or host.',
    },
    host: { type: 'string', description: 'Name or IP literal to connect to. Either url or host.' },
    port: {
      type: 'integer',
      minimum: 1,
      maximum: 65535,
      description: 'Default 443 (https), 80 (http), 53 (dns).',
    },
    path: { type: 'string', description: 'Path and query, with host. Default "/".' },
    method: { type: 'string', pattern: '^[A-Za-z]+$', default: 'GET' },
    headers: {
      type: 'object',
      additionalProperties: { type: ['string', 'number', 'boolean'] },
      default: {},
    },
    hostHeader: { type: ['string', 'null'], description: 'Host header to send. Default host[:port].' },
    sni: { type: ['string', 'null'], description: 'TLS server name (https only). Default: derived.' },
    expectStatus: {
      type: 'array',
      minItems: 1,
      items: { type: ['integer', 'string'], minimum: 100, maximum: 599 },
      default: ['200-399'],
      description: 'Accepted status codes: 301, "200-299" or "2xx".',
    },
    body: strictObject(
      {
        contains: { type: 'string', minLength: 1 },
        regex: { type: 'string', minLength: 1 },
      },
      { minProperties: 1, maxProperties: 1, description: 'Either { contains } or { regex }.' },
    ),
    tls: strictObject({
      verify: { type: 'boolean', default: true },
      caFile: { type: ['string', 'null'], description: 'Relative to the config file directory.' },
      minCertDays: { type: ['integer', 'null'], minimum: 0, maximum: 3650 },
    }),
    maxBodyBytes: { type: 'integer', minimum: 1, maximum: 16_777_216, default: 65536 },
    timeout: { ...defs.duration, default: '2s' },
    interval: { ...defs.duration, default: '10s' },
    fall: { type: 'integer', minimum: 1, maximum: 100, default: 3 },
    rise: { type: 'integer', minimum: 1, maximum: 100, default: 2 },
    regions: { ...defs.regionList, description: 'Default: every region.' },
    quorum: { ...defs.quorum, description: 'Default: the top-level quorum.' },
    // ---- issue 14 (i14-checks): dns and composite checks ----
    name: { type: 'string', description: 'dns: the name to query.' },
    recordType: {
      type: 'string',
      enum: [...DNS_CHECK_RECORD_TYPES],
      default: 'A',
      description: 'dns: the query type.',
    },
    transport: {
      enum: ['udp', 'tcp'],
      default: 'udp',
      description: 'dns: udp (retried over TCP when truncated) or tcp only.',
    },
    expectRcode: {
      type: 'string',
      enum: [...DNS_RCODES],
      default: 'NOERROR',
      description: 'dns: response code.',
    },
    expectAnswers: strictObject(
      {
        exact: { type: 'array', items: { type: ['string', 'number'] } },
        contains: { type: 'array', items: { type: ['string', 'number'] }, minItems: 1 },
      },
      {
        minProperties: 1,
        maxProperties: 1,
        description: 'dns: { exact: [values] } (the answer set) or { contains: [values] }.',
      },
    ),
    children: {
      type: 'array',
      items: defs.id,
      minItems: 1,
      description: 'composite: ids of the checks it is calculated from.',
    },
    atLeast: {
      type: 'integer',
      minimum: 1,
      default: 1,
      description: 'composite: children up for it to be up.',
    },
    invert: { type: 'boolean', default: false, description: 'composite: swap up and down.' },
    // ---- end issue 14 (i14-checks) ----
  },
  { required: ['type'] },
);
