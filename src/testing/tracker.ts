/**
 * The tool's bookkeeping: one WeakRef per tracked object, and nothing else that points at it. The WeakRef carries a
 * marker string only this module creates, which is how a snapshot finds the object (src/core/trackedObjects.ts).
 */

/** A WeakRef with a marker, a label and where `track` was called. Its one reference to the object is weak. */
export class TrackedRef extends WeakRef<object> {
  constructor(
    target: object,
    /** Unique in the process; the property the snapshot search looks for is named `marker`. */
    readonly marker: string,
    readonly label: string,
    /** `file:line` of the caller of track()/expectCollected(), when the stack tells. */
    readonly site: string | null,
    readonly className: string,
  ) {
    super(target);
  }
}

const runId = Math.random().toString(36).slice(2, 10);
let serial = 0;

/**
 * A fresh marker. Used as a property key once so V8 interns it: a snapshot names a flat (internalized) string by
 * its text, while a string built by concatenation could show only as "(concatenated string)".
 */
export function newMarker(): string {
  const text = `retention-explorer/testing#${runId}#${++serial}`;
  return Object.keys({ [text]: 0 })[0];
}

/** What the object is, for a sentence: "TreeNode", "Array(3)", "a function (onData)". */
export function describeObject(obj: object): string {
  if (typeof obj === 'function') return `function ${obj.name || '(anonymous)'}`;
  if (Array.isArray(obj)) return `Array(${obj.length})`;
  const proto = Object.getPrototypeOf(obj) as { constructor?: { name?: string } } | null;
  return proto === null ? 'Object (null prototype)' : proto.constructor?.name || 'Object';
}

/** A value that cannot be tracked, in words: "42 (a number)", "undefined". */
export function describePrimitive(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  // Only primitives come here (objects can be tracked), so String() shows the value itself.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : String(value);
  return `${shown} (a ${typeof value})`;
}

/** `file:line:column` of the first frame outside this library, from a stack captured at the API's entry. */
export function callSite(skip: (...args: never[]) => unknown): string | null {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 3;
    Error.captureStackTrace(holder, skip);
  } finally {
    Error.stackTraceLimit = limit;
  }
  const line = holder.stack?.split('\n')[1];
  if (!line) return null;
  const m = /\(?((?:file:\/\/)?[^()\s]+:\d+:\d+)\)?\s*$/.exec(line);
  return m ? m[1].replace(/^file:\/\//, '') : null;
}
