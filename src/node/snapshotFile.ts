/** Reading a `.heapsnapshot` file from disk into the core's streaming parser (Node only: the core reads no files). */
import { createReadStream, promises } from 'node:fs';
import { SnapshotParser, type HeapSnapshot } from '../core/snapshotParser';

/** Parses a `.heapsnapshot` file by streaming it; never reads it into one string. */
export async function parseSnapshotFile(
  path: string,
  onProgress?: (bytes: number, total: number) => void,
  signal?: AbortSignal,
): Promise<HeapSnapshot> {
  let total: number;
  try {
    const stat = await promises.stat(path);
    if (stat.isDirectory()) throw Object.assign(new Error(`${path} is a directory, not a .heapsnapshot file.`), { code: 'EISDIR' });
    total = stat.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new Error(`${path} is a directory, not a .heapsnapshot file.`, { cause: e });
    throw new Error(code === 'ENOENT' ? `There is no file at ${path}.` : `Cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  const parser = new SnapshotParser();
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  for await (const chunk of stream) {
    if (signal?.aborted) {
      stream.destroy();
      throw new Error('Cancelled.');
    }
    parser.write(chunk as Buffer);
    onProgress?.(parser.bytesReceived, total);
  }
  return parser.end();
}
