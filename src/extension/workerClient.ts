/**
 * The extension host's side of the analysis worker: typed calls with progress and cancellation, and the worker's
 * notices about connections that closed. One worker for the extension's lifetime; restarted if it dies.
 */
import { Worker } from 'node:worker_threads';
import type { Disposable } from '../shared/disposables';
import type {
  HostToWorker, WorkerCalls, WorkerError, WorkerMethod, WorkerProgress, WorkerTargetClosed, WorkerToHost,
} from '../shared/workerProtocol';

export class WorkerCallError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'WorkerCallError';
  }
  get cancelled(): boolean {
    return this.code === 'cancelled';
  }
}

export interface CallOptions {
  onProgress?: (p: WorkerProgress) => void;
  /** Aborting sends `cancel` to the worker and rejects the call at once with a `cancelled` WorkerCallError. */
  signal?: AbortSignal;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (p: WorkerProgress) => void;
}

export class WorkerClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly closedListeners = new Set<(e: WorkerTargetClosed) => void>();
  private readonly exitListeners = new Set<(message: string) => void>();
  private disposed = false;

  constructor(private readonly scriptPath: string) {}

  /** Called when a connection the worker holds closes (the session ended, the target exited, or we detached). */
  onTargetClosed(listener: (e: WorkerTargetClosed) => void): Disposable {
    this.closedListeners.add(listener);
    return { dispose: () => this.closedListeners.delete(listener) };
  }

  /** Called when the worker stopped unexpectedly: its connections and snapshots are gone (a new worker starts on demand). */
  onWorkerExit(listener: (message: string) => void): Disposable {
    this.exitListeners.add(listener);
    return { dispose: () => this.exitListeners.delete(listener) };
  }

  call<M extends WorkerMethod>(type: M, params: WorkerCalls[M]['params'], options: CallOptions = {}): Promise<WorkerCalls[M]['result']> {
    if (this.disposed) return Promise.reject(new WorkerCallError('Retention Explorer is shutting down.', 'disposed'));
    if (options.signal?.aborted) return Promise.reject(new WorkerCallError('Cancelled; nothing was changed.', 'cancelled'));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // Cancel returns at once, even while the worker is inside a synchronous analysis that reads no message until it
      // ends: the call rejects now, and the worker, told to cancel, discards what it was making.
      const onAbort = () => {
        this.post({ type: 'cancel', id });
        const p = this.pending.get(id);
        if (!p) return;
        this.pending.delete(id);
        p.reject(new WorkerCallError('Cancelled; nothing was changed.', 'cancelled'));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (v) => { options.signal?.removeEventListener('abort', onAbort); resolve(v as WorkerCalls[M]['result']); },
        reject: (e) => { options.signal?.removeEventListener('abort', onAbort); reject(e); },
        onProgress: options.onProgress,
      });
      worker.postMessage({ type, id, ...params });
    });
  }

  /**
   * Detaches from every target in the debuggee (tracking stopped, object groups released) and then terminates the
   * worker; waits at most `timeoutMs`, so a target that no longer answers cannot hold up VS Code's shutdown.
   */
  async shutdown(timeoutMs = 3000): Promise<void> {
    if (this.worker && !this.disposed) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); });
      await Promise.race([this.call('shutdown', {}).catch(() => {}), deadline]);
      clearTimeout(timer);
    }
    this.dispose();
  }

  dispose(): void {
    this.disposed = true;
    const w = this.worker;
    this.worker = null;
    this.failAll({ message: 'Retention Explorer is shutting down.', code: 'disposed' });
    void w?.terminate();
  }

  private post(message: HostToWorker): void {
    this.worker?.postMessage(message);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.scriptPath, { stdout: false, stderr: false });
    worker.on('message', (m: WorkerToHost) => this.onMessage(m));
    worker.on('error', (e) => {
      console.error('[retention] analysis worker failed:', e);
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const message = code === 0
        ? 'The analysis worker stopped; run the command again.'
        : `The analysis worker stopped unexpectedly (exit code ${code}), possibly out of memory on a very large heap; run the command again.`;
      this.failAll({ message, code: 'worker-exited' });
      if (!this.disposed) for (const l of [...this.exitListeners]) l(message);
    });
    // The worker must not keep the extension host alive on shutdown.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private onMessage(m: WorkerToHost): void {
    switch (m.type) {
      case 'reply': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.result);
        else p.reject(new WorkerCallError(m.error.message, m.error.code));
        return;
      }
      case 'progress':
        this.pending.get(m.id)?.onProgress?.(m);
        return;
      case 'targetClosed':
        for (const l of [...this.closedListeners]) l(m);
        return;
    }
  }

  private failAll(error: WorkerError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(new WorkerCallError(error.message, error.code));
  }
}
