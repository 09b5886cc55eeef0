/**
 * Freezes a plain-JSON value in place. Stored values are shared with every reader and subscriber without
 * copying, so a consumer that tries to mutate one fails loudly instead of corrupting the store.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
