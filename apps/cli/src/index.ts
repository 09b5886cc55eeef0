export { assemble, type Assembled } from './assemble/assemble.js';
export { systemClock, systemRandom } from '@understudy/system';
export { CloseStack } from './assemble/close-stack.js';
export type { AssembleOptions, RoleName } from './assemble/types.js';
