/**
 * A deep copy of plain data (objects, arrays, primitives), as structuredClone makes but several times
 * faster on the small objects the decider copies after every decision (issue 11: a change of 1,100
 * records spent about 80 ms in structuredClone at 110,000 records; 5 ms this way). Anything that is not
 * plain (a Map, a Date, a class instance) is handed to structuredClone, so the copy is never shallower.
 */
export function cloneData<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneData(value[i] as unknown);
    return out as T;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key in value) if (Object.hasOwn(value, key)) out[key] = cloneData(value[key] as unknown);
  return out as T;
}
