/**
 * Errors of the capture layer. Every one carries a sentence a user can act on as its message; `code` lets callers
 * (the CLI, the extension) react without parsing text, and `method` names the CDP method that failed when one did.
 */

export type CaptureErrorCode =
  /** Nothing listens at the address. */
  | 'refused'
  /** Something answers, but it is not a V8 inspector. */
  | 'not-inspector'
  /** The endpoint (usually js-debug's proxy) did not answer in time. */
  | 'timeout'
  /** The target process exited or the debug session ended. */
  | 'target-exited'
  /** The user cancelled. */
  | 'cancelled'
  /** The expression did not give an object (a primitive, undefined, an exception, a bad frame). */
  | 'selection'
  /** The protocol answered with an error. */
  | 'protocol'
  /** The snapshot stream was malformed. */
  | 'snapshot'
  /** Bad input from the caller (an unparsable address). */
  | 'usage';

export class CaptureError extends Error {
  readonly code: CaptureErrorCode;
  /** The CDP method that failed, when one did. */
  readonly method?: string;
  constructor(code: CaptureErrorCode, message: string, options?: { method?: string; cause?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'CaptureError';
    this.code = code;
    this.method = options?.method;
  }
}

export function isCancelled(e: unknown): boolean {
  return e instanceof CaptureError && e.code === 'cancelled';
}

