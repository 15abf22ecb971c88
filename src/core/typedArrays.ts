/** The typed arrays the core grows as it goes: stacks, queues, the parser's columns of unknown length. */
export type GrowableArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

/**
 * A copy of `a` in an array of the same kind twice as long (at least `atLeast`, at most `atMost`), for a stack or
 * column that is full. Growth is rare, so the generic constructor call costs nothing where it matters.
 */
export function doubled<T extends GrowableArray>(a: T, atLeast = 0, atMost = Infinity): T {
  const grown = new (a.constructor as new (length: number) => T)(Math.min(atMost, Math.max(atLeast, a.length * 2)));
  (grown).set(a);
  return grown;
}
