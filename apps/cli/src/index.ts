export { assemble, systemClock, systemRandom, type Assembled } from './assemble/assemble.js';
export { CloseStack } from './assemble/close-stack.js';
export type { AssembleOptions, RoleName } from './assemble/types.js';
