/**
 * The test's own V8 without flags (no `--expose-gc`, no `--inspect`): garbage collection through `node:inspector`'s
 * in-process session (`HeapProfiler.collectGarbage`), snapshots through `v8.getHeapSnapshot()` streamed chunk by
 * chunk into the engine's parser, so the document is never one string. A session lives for one check: it is
 * connected, used and disconnected with the profiler disabled again, so nothing stays behind between checks.
 */
import type { Session } from 'node:inspector';
import { SnapshotParser, type HeapSnapshot } from '../core/snapshotParser';

/** The sentence for a Node without an in-process inspector (built `--without-inspector`). */
export class HeapSessionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HeapSessionError';
  }
}

export class HeapSession {
  private readonly session: Session;
  private profilerEnabled = false;

  private constructor(session: Session) {
    this.session = session;
  }

  static open(): HeapSession {
    let inspector: typeof import('node:inspector');
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      inspector = require('node:inspector') as typeof import('node:inspector');
    } catch {
      throw new HeapSessionError('This Node has no inspector (it was built without it), so retention-explorer/testing cannot collect garbage or take a heap snapshot in this process. Use an official Node build.');
    }
    let session: Session;
    try {
      session = new inspector.Session();
      session.connect();
    } catch (e) {
      throw new HeapSessionError(`retention-explorer/testing could not open an inspector session in this process (${(e as Error).message}). Run the tests in a plain Node process or worker thread.`);
    }
    return new HeapSession(session);
  }

  /**
   * Sends one command. Most answer before `post` returns; some, like `collectGarbage`, are posted by V8 as a task
   * and answer later (it then collects with no JavaScript on the stack).
   */
  private call<T>(method: string, params?: object): Promise<T> {
    const stack = new Error().stack;
    return new Promise<T>((resolve, reject) => {
      this.session.post(method, params ?? {}, (err: Error | null, result?: unknown) => {
        if (!err) return resolve(result as T);
        const failure = new HeapSessionError(`${method} failed: ${err.message}`);
        failure.stack = `${failure.name}: ${failure.message}\n${stack?.split('\n').slice(1).join('\n') ?? ''}`;
        reject(failure);
      });
    });
  }

  private async enableProfiler(): Promise<void> {
    if (this.profilerEnabled) return;
    await this.call('HeapProfiler.enable');
    this.profilerEnabled = true;
  }

  /** A full, all-available-garbage collection (V8's LowMemoryNotification: weak references are cleared). */
  async collectGarbage(): Promise<void> {
    await this.enableProfiler();
    await this.call('HeapProfiler.collectGarbage');
  }

  /**
   * Takes a snapshot of this process's heap, parsed chunk by chunk as it streams. `v8.getHeapSnapshot()` rather than
   * the session's `takeHeapSnapshot`: the same snapshot without wrapping every chunk in a protocol message, about 20%
   * less CPU (the part above V8's own writing of the snapshot).
   */
  async takeSnapshot(): Promise<{ snapshot: HeapSnapshot; bytes: number }> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const v8 = require('node:v8') as typeof import('node:v8');
    const parser = new SnapshotParser();
    await new Promise<void>((resolve, reject) => {
      const stream = v8.getHeapSnapshot();
      stream.on('data', (chunk: Buffer) => {
        try {
          parser.write(chunk);
        } catch (e) {
          stream.destroy();
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
      stream.on('end', () => resolve());
      stream.on('error', reject);
    });
    const snapshot = parser.end();
    return { snapshot, bytes: parser.bytesReceived };
  }

  /** Profiler off, session disconnected: the process is as it was. */
  async close(): Promise<void> {
    try {
      if (this.profilerEnabled) await this.call('HeapProfiler.disable');
    } finally {
      this.profilerEnabled = false;
      this.session.disconnect();
    }
  }
}
