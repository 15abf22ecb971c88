/**
 * The few globals the core may use: those every place it runs has (Node, worker threads, browsers). The core's
 * tsconfig has neither Node's types nor the DOM's, so anything else (Buffer, fs, sockets, document) does not compile.
 */
declare class TextEncoder {
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}
declare class TextDecoder {
  constructor(label?: string);
  decode(input?: Uint8Array): string;
}
declare const performance: { now(): number };
