export { parseConfig } from './parse-config.js';
export type { ConfigOrigin, LoadedConfig, ParseOptions } from './parse-config.js';
export { loadConfig } from './load-config.js';
export { parseDuration, formatDuration } from './duration.js';
export { parseQuorum, formatQuorum } from './quorum.js';
export { configSchema } from './schema.js';
export { canonicalJson } from './hash.js';
export { parseListenAddress } from './listen-address.js';
