/** Shapes shared by the Route 53 emulator's store, validation, XML layer and server. */

export interface EmuRecord {
  /** Stored form: lower-case, absolute (see names.ts). */
  name: string;
  type: string;
  /** 0 for alias record sets (they take the alias target's TTL and list none). */
  ttl: number;
  /** Empty for alias record sets. */
  values: string[];
  /** Routing-policy record sets only (weighted, failover, latency, geolocation, multivalue). */
  setIdentifier?: string;
  /** Routing-policy elements as sent: Weight, Failover, Region, MultiValueAnswer, GeoLocation, HealthCheckId. */
  policy?: Record<string, string>;
  alias?: { hostedZoneId: string; dnsName: string; evaluateTargetHealth: boolean };
}

export type ChangeAction = 'CREATE' | 'UPSERT' | 'DELETE';

export interface EmuChange {
  action: ChangeAction;
  record: EmuRecord;
}

export interface ChangeInfo {
  id: string;
  status: 'PENDING' | 'INSYNC';
  submittedAt: number;
  comment: string | null;
}

/** An API error as Route 53 reports it: HTTP status, error code, message; `type` is Sender or Receiver. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
  }
}

export const invalidInput = (message: string): ApiError => new ApiError(400, 'InvalidInput', message);
export const invalidBatch = (message: string): ApiError => new ApiError(400, 'InvalidChangeBatch', message);

/** The record types Route 53 accepts in a ResourceRecordSet. */
export const SUPPORTED_TYPES: ReadonlySet<string> = new Set([
  'A',
  'AAAA',
  'CAA',
  'CNAME',
  'DS',
  'HTTPS',
  'MX',
  'NAPTR',
  'NS',
  'PTR',
  'SOA',
  'SPF',
  'SRV',
  'SSHFP',
  'SVCB',
  'TLSA',
  'TXT',
]);
