/** Reading a `.heapsnapshot` file from disk into the core's streaming parser (Node only: the core reads no files). */
import { createReadStream, promises } from 'node:fs';
import { SnapshotFormatError, SnapshotParser, type HeapSnapshot } from '../core/snapshotParser';

/** Parses a `.heapsnapshot` file by streaming it; never reads it into one string. Every failure is a sentence. */
export async function parseSnapshotFile(
  path: string,
  onProgress?: (bytes: number, total: number) => void,
  signal?: AbortSignal,
): Promise<HeapSnapshot> {
  let total: number;
  let regular: boolean;
  try {
    const stat = await promises.stat(path);
    if (stat.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    total = stat.size;
    regular = stat.isFile();
  } catch (e) {
    throw new Error(readFailure(path, e), { cause: e });
  }
  const parser = new SnapshotParser(regular ? { totalBytes: total } : {});
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) {
      if (signal?.aborted) {
        stream.destroy();
        throw new Error('Cancelled.');
      }
      parser.write(chunk as Buffer);
      onProgress?.(parser.bytesReceived, total);
    }
  } catch (e) {
    stream.destroy();
    if (e instanceof SnapshotFormatError || (e as Error)?.message === 'Cancelled.') throw e;
    throw new Error(readFailure(path, e), { cause: e });
  }
  return parser.end();
}

/** The sentence for a file that cannot be read. */
function readFailure(path: string, e: unknown): string {
  switch ((e as NodeJS.ErrnoException)?.code) {
    case 'ENOENT': return `There is no file at ${path}.`;
    case 'EISDIR': return `${path} is a directory, not a .heapsnapshot file.`;
    case 'ENOTDIR': return `${path} is not a file: a part of its path is not a folder.`;
    case 'EACCES':
    case 'EPERM': return `You have no permission to read ${path}.`;
    case 'ENAMETOOLONG': return 'The file name is too long.';
    case 'EIO': return `The disk reported an input/output error while reading ${path}.`;
    default: return `Cannot read ${path} (${(e as NodeJS.ErrnoException)?.code ?? 'unknown error'}).`;
  }
}
