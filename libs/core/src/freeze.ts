/**
 * Freezes a plain-JSON value in place. Values shared between components without copying (a loaded config,
 * a stored zone state) are frozen so a consumer that tries to mutate one fails loudly.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
