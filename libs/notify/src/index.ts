export { Notifier } from './notifier.js';
export type { NotifierMetrics, NotifierOptions } from './notifier.js';
export {
  verifyDelivery,
  signDelivery,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  DEFAULT_TOLERANCE_MS,
} from './signature.js';
export type { VerifyInput, VerifyResult } from './signature.js';
export { DeliveryDedupe } from './dedupe.js';
export type { DedupeOptions } from './dedupe.js';
export { MAX_RESPONSE_BYTES } from './attempt.js';
export { eventKind, dedupeKey } from './event-kinds.js';
export { renderBody, summarize } from './payload.js';
export type { Notification } from './payload.js';
export type { FetchLike } from './attempt.js';
export type { DeliveryOutcome } from './channel.js';
