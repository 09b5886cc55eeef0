export { Notifier } from './notifier.js';
export type { NotifierMetrics, NotifierOptions } from './notifier.js';
export { verifySignature, signBody, SIGNATURE_HEADER } from './signature.js';
export { eventKind, dedupeKey } from './event-kinds.js';
export { renderBody, summarize } from './payload.js';
export type { Notification } from './payload.js';
export type { FetchLike } from './attempt.js';
export type { DeliveryOutcome } from './channel.js';
