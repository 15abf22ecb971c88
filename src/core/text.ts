/**
 * Text from bytes, for the parser. Node's Buffer decodes short ASCII strings much faster than TextDecoder, and the
 * core runs in Node almost always, so it is used when present (found at run time: the core does not import Node).
 */
interface BufferLike {
  toString(encoding: 'latin1' | 'utf8'): string;
}
interface BufferStatics {
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): BufferLike;
}

const nodeBuffer = (globalThis as { Buffer?: BufferStatics }).Buffer;
const utf8 = new TextDecoder('utf-8');
// 'latin1' is windows-1252 in TextDecoder: the same as ISO-8859-1 below 0x80, the only bytes it is given here.
const ascii = new TextDecoder('latin1');

/** The bytes [start, end) of `bytes`, all below 0x80, as a string. */
export function asciiText(bytes: Uint8Array, start: number, end: number): string {
  if (nodeBuffer) return nodeBuffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
  return ascii.decode(bytes.subarray(start, end));
}

/** UTF-8 bytes as a string. */
export function utf8Text(bytes: Uint8Array): string {
  if (nodeBuffer) return nodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  return utf8.decode(bytes);
}

/** The parts joined into one array. */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
