export { DnsServer } from './server.js';
export type { BoundAddress, DnsServerOptions, SetZoneStateResult } from './server.js';
export type { QueryCount } from './query-counter.js';
export type { LatencySamples } from './latency-sampler.js';
export { queryUdp } from './query-udp.js';
export { buildSnapshot } from './snapshot.js';
export type { Snapshot } from './snapshot.js';
export { DEFAULT_UDP_PAYLOAD, rcodeName } from './constants.js';
export { DnsWorkerPool, defaultDnsWorkers } from './pool.js';
export type { DnsWorkerPoolOptions } from './pool.js';
export { runDnsWorker } from './pool-worker.js';
export { dnsServerOptions } from './config-options.js';
export type { ConfiguredDnsOptions } from './config-options.js';
export { DNS_LIMIT_DEFAULTS } from './server.js';
export type { AbuseCounts, RateLimitSettings } from './server.js';
export { zoneBaseFromConfig } from './zone-base.js';
export { checkGeoDatabase } from './geo-db.js'; // issue 14 part 3
export type { FailoverSlot, ZoneBase } from './zone-base.js';
export type { ApplyInfo } from './served-zones.js';
// --- zone transfer (issue 15) ---
export { NotifySender } from './notify-sender.js';
export type { NotifyEvent, NotifySenderOptions, NotifyTarget } from './notify-sender.js';
export type { TransferInfo, TransferSettings } from './transfer-server.js';
export type { TsigKey } from './tsig.js';
export { transferSettings } from './config-options.js';
export { SecondaryWatch, SecondarySerials } from './secondary-watch.js';
export type { SecondaryWatchOptions } from './secondary-watch.js';
export { querySoaSerial } from './soa-query.js';
