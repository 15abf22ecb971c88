/**
 * The capture service over one CDP connection: heap snapshots streamed chunk by chunk into the engine's parser,
 * object selection from an expression, and allocation recording.
 *
 * Requests are serialised: two snapshots never interleave on one connection, because `addHeapSnapshotChunk` events
 * carry no request id. A cancelled capture returns at once; the target cannot stop V8 half-way, so the chunks still
 * coming are dropped and the next capture waits until the cancelled one has drained. The connection and the
 * debuggee stay healthy.
 */
import type Protocol from 'devtools-protocol';
import { SnapshotFormatError, SnapshotParser, type HeapSnapshot } from '../core/snapshotParser';
import type { CdpConnection } from './connect';
import { formatBytes } from '../shared/labels';
import { CaptureError } from './errors';

export type CapturePhase =
  /** Waiting for an earlier (possibly cancelled) capture on the same connection to finish. */
  | 'waiting'
  /** Evaluating the expression and giving the object a heap id. */
  | 'selecting'
  /** V8 is building the snapshot in the target (the target is frozen meanwhile). */
  | 'building'
  /** The snapshot is streaming to us and being parsed. */
  | 'streaming'
  /** Everything has arrived and is parsed. */
  | 'done';

export interface CaptureProgress {
  phase: CapturePhase;
  /** 0..1 within the phase when it can be known (V8's own counter while building, an estimate while streaming). */
  fraction: number | null;
  /** Bytes of the snapshot received so far. */
  bytes: number;
  /** A short sentence for a progress bar: "Building the snapshot in the target (42%)". */
  message: string;
}

export interface SnapshotOptions {
  onProgress?: (p: CaptureProgress) => void;
  signal?: AbortSignal;
  /** Sees every chunk before the parser does (to save the snapshot to a file as it streams). Must not keep them. */
  onChunk?: (chunk: string) => void;
  /** Record numeric values (V8's `captureNumericValue`); off by default, as in DevTools. */
  captureNumericValue?: boolean;
  /**
   * Ask V8 for its build progress (`reportHeapSnapshotProgress`), so the building phase has a percentage. Default
   * true. V8 counts the heap's live objects first to know the total, an extra pass; turn it off where no one
   * watches a progress bar.
   */
  buildProgress?: boolean;
  /**
   * Collect garbage first (`HeapProfiler.collectGarbage`), as before each snapshot of a comparison: what the program
   * no longer holds is gone, so only what it keeps is compared.
   */
  collectGarbage?: boolean;
}

export interface ObjectSelection {
  /** A JavaScript expression naming the object: `cache`, `this.widgets[3]`, `session`. */
  expression: string;
  /** When paused: the index of the call frame to evaluate in (0 = top). Ignored when `callFrameId` is given. */
  frame?: number;
  /** When paused: the CDP call frame id to evaluate in. */
  callFrameId?: string;
  /** Evaluate globally even when paused. */
  global?: boolean;
}

export interface SelectedObject {
  /** V8 heap object id (the `@123` in DevTools and the id in the snapshot). */
  heapId: number;
  expression: string;
  /** `Runtime.RemoteObject.type`: object or function. */
  type: string;
  /** Its class (`Widget`, `Map`, `Function`). */
  className: string;
  /** What DevTools prints for it (`Widget`, `Map(3)`, `ƒ onData(e)`). */
  description: string;
  /** Where it was evaluated: "frame 1 (handleRequest)" or "global scope". */
  scope: string;
  /**
   * How its heap id was found: it had one already ('known-id'), the snapshot gave it one and the expression was
   * evaluated again after it ('after-snapshot'), or tracking gave it one ('tracked').
   */
  via: 'known-id' | 'after-snapshot' | 'tracked';
}

export interface CaptureResult {
  snapshot: HeapSnapshot;
  /** Bytes of the snapshot document. */
  bytes: number;
  /** True when the snapshot carries allocation stacks (it ended an allocation recording). */
  hasAllocationStacks: boolean;
}

export interface ObjectCaptureResult extends CaptureResult {
  object: SelectedObject;
}

let groupCounter = 0;

interface Lane {
  queue: Promise<void>;
  /** A snapshot command still running in the target after its capture was cancelled or failed. */
  draining: Promise<void> | null;
}

const lanes = new WeakMap<CdpConnection, Lane>();

export class CaptureService {
  /** Shared by every service on the same connection: chunks carry no request id, so one snapshot at a time. */
  private readonly lane: Lane;
  private pending = 0;
  private isRecording = false;
  private disposed = false;

  constructor(readonly connection: CdpConnection) {
    let lane = lanes.get(connection);
    if (!lane) lanes.set(connection, (lane = { queue: Promise.resolve(), draining: null }));
    this.lane = lane;
  }

  /** True while a capture runs or waits. */
  get busy(): boolean {
    return this.pending > 0;
  }

  /** True between `startRecording()` and `stopRecording()`. */
  get recording(): boolean {
    return this.isRecording;
  }

  /** Takes a heap snapshot, streaming it into the engine's parser. */
  takeSnapshot(options: SnapshotOptions = {}): Promise<CaptureResult> {
    return this.enqueue(options, async () => {
      if (options.collectGarbage) {
        options.onProgress?.({ phase: 'building', fraction: 0, bytes: 0, message: 'Collecting garbage in the target' });
        await this.connection.send('HeapProfiler.collectGarbage');
        if (options.signal?.aborted) throw cancelled();
      }
      return this.streamSnapshot('HeapProfiler.takeHeapSnapshot', snapshotParams(options), options);
    });
  }

  /**
   * Evaluates `selection.expression` (in the paused frame, or globally), gives the object a heap id without leaving a
   * handle of ours on it, and takes the snapshot that contains it.
   */
  captureObject(selection: ObjectSelection, options: SnapshotOptions = {}): Promise<ObjectCaptureResult> {
    return this.enqueue(options, async () => {
      const pre = await this.duringSelection(selection, () => this.preselect(selection, options));
      try {
        if (pre.kind === 'after-snapshot') {
          const result = await this.streamSnapshot('HeapProfiler.takeHeapSnapshot',
            snapshotParams(options), options);
          const marked = pre.mark ? markedObjectId(result.snapshot, pre.mark.token) : null;
          // The mark names the object in this snapshot whatever another client did to V8's ids meanwhile.
          const object = marked !== null
            ? selected(pre.expression, pre.result, pre.scope, marked, 'after-snapshot')
            : await this.duringSelection(selection, () => this.selectAfterSnapshot(selection), 'after the snapshot was received');
          return { ...result, object };
        }
        const { startedTracking } = pre;
        let { object } = pre;
        let result: CaptureResult;
        if (startedTracking) {
          // Stopping the tracking we started takes the snapshot (V8 always does) and leaves tracking off, as it was.
          result = await this.streamSnapshot('HeapProfiler.stopTrackingHeapObjects',
            snapshotParams(options), options);
        } else {
          result = await this.streamSnapshot('HeapProfiler.takeHeapSnapshot',
            snapshotParams(options), options);
        }
        // Another client that detaches clears V8's ids for the whole isolate, and the next snapshot numbers the heap
        // anew: the id read before the snapshot may then name another object in it. The mark does not.
        const marked = pre.mark ? markedObjectId(result.snapshot, pre.mark.token) : null;
        if (marked !== null && marked !== object.heapId) object = { ...object, heapId: marked };
        return { ...result, object };
      } finally {
        if (pre.mark && !this.connection.closed) {
          await this.connection.send('Runtime.releaseObjectGroup', { objectGroup: pre.mark.group }).catch(() => {});
        }
      }
    });
  }

  /**
   * The heap id of the object an expression names, for a snapshot already taken on this connection (its ids stay
   * valid while the connection lives). No snapshot is taken: an object without an id was created after the last
   * snapshot, so it cannot be in it, and that is the sentence.
   */
  selectObject(selection: ObjectSelection, options: Pick<SnapshotOptions, 'signal' | 'onProgress'> = {}): Promise<SelectedObject> {
    return this.enqueue(options, async () => {
      const expression = this.checkExpression(selection, options);
      const objectGroup = `retention-explorer-${process.pid}-${++groupCounter}`;
      try {
        const ev = await this.evaluateObject(selection, expression, objectGroup, false);
        if (ev.sideEffects) throw new Error('unreachable: an evaluation without throwOnSideEffect reported side effects');
        const heapId = await this.heapIdOf(ev.result.objectId);
        if (heapId === 0) {
          throw new CaptureError('selection',
            `${quote(expression)} is not in the last snapshot taken on this connection (it is newer, no snapshot was taken, or another debugger client detached, which clears V8's ids); take a snapshot, then select it.`);
        }
        return selected(expression, ev.result, ev.scope, heapId, 'known-id');
      } finally {
        if (!this.connection.closed) await this.connection.send('Runtime.releaseObjectGroup', { objectGroup }).catch(() => {});
      }
    });
  }

  /** Starts recording allocation stacks; objects allocated from now on carry the stack that allocated them. */
  startRecording(options: Pick<SnapshotOptions, 'signal'> = {}): Promise<void> {
    return this.enqueue(options, async () => {
      if (this.isRecording) return;
      await this.connection.send('HeapProfiler.startTrackingHeapObjects', { trackAllocations: true });
      this.isRecording = true;
    });
  }

  /** Stops recording and takes the snapshot that carries the allocation stacks. */
  stopRecording(options: SnapshotOptions = {}): Promise<CaptureResult> {
    return this.enqueue(options, async () => {
      if (!this.isRecording) {
        throw new CaptureError('usage', 'No allocation recording is running; start one first.');
      }
      // Whatever happens to the snapshot, V8 has stopped tracking once this command runs.
      this.isRecording = false;
      return this.streamSnapshot('HeapProfiler.stopTrackingHeapObjects',
        snapshotParams(options), options);
    });
  }

  /**
   * Leaves the target as it was: stops a recording still running (V8 takes a snapshot to do so; it is dropped) and
   * waits for a cancelled snapshot to drain, unless `drain: false` (the caller is about to close the connection, and
   * V8's remaining chunks then go nowhere). Does not close the connection.
   */
  async dispose(options: { drain?: boolean } = {}): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const wasRecording = this.isRecording;
    this.isRecording = false;
    await this.lane.queue.catch(() => {});
    if (wasRecording && !this.connection.closed) {
      try { await this.stopTrackingQuietly(); } catch { /* the target may be gone */ }
    }
    if (this.lane.draining && options.drain !== false) await this.lane.draining;
  }

  // ---------------------------------------------------------------------------------------------------------------

  private enqueue<T>(options: Pick<SnapshotOptions, 'signal' | 'onProgress'>, job: () => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new CaptureError('usage', 'This capture service has been disposed.'));
    if (options.signal?.aborted) return Promise.reject(cancelled());
    this.pending++;
    const run = this.lane.queue.then(async () => {
      if (this.lane.draining) {
        options.onProgress?.({ phase: 'waiting', fraction: null, bytes: 0,
          message: 'Waiting for the target to finish the previous snapshot' });
        await abortable(this.lane.draining, options.signal);
      }
      if (options.signal?.aborted) throw cancelled();
      if (this.connection.closed) {
        throw new CaptureError('target-exited', this.connection.viaProxy
          ? `${this.connection.goneSentence}; start debugging again to capture.`
          : `${this.connection.goneSentence}; start it again with --inspect and attach to capture.`);
      }
      return job();
    }).finally(() => { this.pending--; });
    this.lane.queue = run.then(() => {}, () => {});
    return run;
  }

  /**
   * Evaluates the expression and checks that it gives an object. Side-effect-free expressions (property paths,
   * locals, Map lookups) are evaluated with `throwOnSideEffect`, so evaluating them twice is harmless; for others
   * `sideEffects` is true and nothing was evaluated.
   */
  private async evaluateObject(selection: ObjectSelection, expression: string, objectGroup: string, sideEffectFree: boolean): Promise<
    { sideEffects: true } | { sideEffects: false; result: Protocol.Runtime.RemoteObject & { objectId: string }; scope: string }
  > {
    const { result, exceptionDetails, scope } = await this.evaluate(selection, expression, objectGroup, sideEffectFree);
    if (exceptionDetails) {
      const what = exceptionDetails.exception?.description?.split('\n')[0] ?? exceptionDetails.text;
      if (sideEffectFree && /^EvalError: Possible side-effect/.test(what ?? '')) return { sideEffects: true };
      const hint = scope === 'global scope' && /ReferenceError/.test(what ?? '')
        ? ' It was evaluated in the global scope because the program is running; pause where the variable is in scope, or name a global.'
        : '';
      throw new CaptureError('selection', `${quote(expression)} threw ${what} (in ${scope}).${hint}`);
    }
    const kind = describeNonObject(result);
    if (kind || !result.objectId) {
      throw new CaptureError('selection',
        `${quote(expression)} is ${kind ?? 'not an object'} in ${scope}; retention is about objects, so name an object, array, function or collection.`);
    }
    return { sideEffects: false, result: result as Protocol.Runtime.RemoteObject & { objectId: string }, scope };
  }

  /**
   * Selection for a capture. The cheapest exact sequence is chosen:
   * - the object already has a heap id (a snapshot or tracking ran in this session): evaluate, read the id, release,
   *   snapshot;
   * - it has none and the expression is side-effect free: release, snapshot (which gives every object an id), then
   *   evaluate again and read the id. Paused, nothing changes in between; running, the expression is evaluated
   *   right after the snapshot instead of right before it. This spares V8 the two extra full GCs and heap walks of
   *   object tracking.
   * - it has none and the expression has side effects (it must run once): start tracking, read the id, release;
   *   the snapshot is taken by stopping the tracking.
   * In every case our handle is released before the snapshot, so it is never a retainer in it.
   */
  private async preselect(selection: ObjectSelection, options: Pick<SnapshotOptions, 'signal' | 'onProgress'>): Promise<
    | { kind: 'ready'; object: SelectedObject; startedTracking: boolean; mark: Mark | null }
    | { kind: 'after-snapshot'; mark: Mark | null; expression: string; result: Protocol.Runtime.RemoteObject; scope: string }
  > {
    const expression = this.checkExpression(selection, options);
    const conn = this.connection;
    const objectGroup = `retention-explorer-${process.pid}-${++groupCounter}`;
    let startedTracking = false;
    let mark: Mark | null = null;
    try {
      let ev = await this.evaluateObject(selection, expression, objectGroup, true);
      const sideEffectFree = !ev.sideEffects;
      if (ev.sideEffects) ev = await this.evaluateObject(selection, expression, objectGroup, false);
      if (ev.sideEffects) throw new Error('unreachable: an evaluation without throwOnSideEffect reported side effects');
      if (options.signal?.aborted) throw cancelled();
      let heapId = await this.heapIdOf(ev.result.objectId);
      if (heapId === 0 && !sideEffectFree) {
        await conn.send('HeapProfiler.startTrackingHeapObjects', { trackAllocations: false });
        startedTracking = true;
        heapId = await this.trackedHeapIdOf(ev.result.objectId, expression);
      }
      mark = await this.placeMark(ev.result.objectId);
      if (heapId === 0) return { kind: 'after-snapshot', mark, expression, result: ev.result, scope: ev.scope };
      return { kind: 'ready', startedTracking, mark, object: selected(expression, ev.result, ev.scope, heapId, startedTracking ? 'tracked' : 'known-id') };
    } catch (e) {
      if (startedTracking) await this.stopTrackingQuietly().catch(() => {});
      if (mark && !conn.closed) await conn.send('Runtime.releaseObjectGroup', { objectGroup: mark.group }).catch(() => {});
      throw e;
    } finally {
      if (!conn.closed) await conn.send('Runtime.releaseObjectGroup', { objectGroup }).catch(() => {});
    }
  }

  /** Says when the target went away during selection: "exited while `expr` was being evaluated". */
  private async duringSelection<T>(selection: ObjectSelection, work: () => Promise<T>, when = 'before any snapshot was taken'): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof CaptureError && e.code === 'target-exited' && !/ while (the snapshot|V8)/.test(e.message)) {
        const retry = this.connection.viaProxy ? 'Start the session again and retry.' : 'Start it again and retry.';
        throw new CaptureError('target-exited',
          `${this.connection.goneSentence} while ${quote(selection.expression.trim())} was being evaluated (${when}). ${retry}`,
          { method: e.method, cause: e });
      }
      throw e;
    }
  }

  /**
   * Marks the object so that the snapshot itself says which node it is: `{ [token]: new WeakRef(object) }`, held in an
   * object group of ours until the snapshot is parsed. A WeakRef does not keep the object alive, so the mark changes
   * nothing about its retention (an object only the evaluation held is still collected); in the snapshot, the
   * property named by the token leads to the WeakRef and its weak `target` edge to the object. Heap ids cannot do this
   * alone: V8 keeps one id table per isolate and clears it whenever any client detaches. Null when the target cannot
   * make one (no WeakRef); the ids are then all there is.
   */
  private async placeMark(objectId: string): Promise<Mark | null> {
    const group = `retention-explorer-${process.pid}-${++groupCounter}`;
    const token = `retention-explorer-mark-${process.pid}-${groupCounter}-${Math.random().toString(36).slice(2)}`;
    try {
      const r = await this.connection.send('Runtime.callFunctionOn', {
        objectId,
        functionDeclaration: 'function (key) { return { [key]: new WeakRef(this) }; }',
        arguments: [{ value: token }],
        objectGroup: group,
        silent: true,
        returnByValue: false,
      });
      if (r.exceptionDetails || !r.result.objectId) {
        await this.connection.send('Runtime.releaseObjectGroup', { objectGroup: group }).catch(() => {});
        return null;
      }
      return { token, group };
    } catch (e) {
      if (e instanceof CaptureError && e.code === 'target-exited') throw e;
      return null;
    }
  }

  /** After the snapshot: evaluate again (side-effect free) and read the id the snapshot gave the object. */
  private async selectAfterSnapshot(selection: ObjectSelection): Promise<SelectedObject> {
    const expression = selection.expression.trim();
    const conn = this.connection;
    const objectGroup = `retention-explorer-${process.pid}-${++groupCounter}`;
    try {
      const ev = await this.evaluateObject(selection, expression, objectGroup, true);
      if (ev.sideEffects) {
        throw new CaptureError('selection', `${quote(expression)} could not be evaluated again without side effects after the snapshot; retry.`);
      }
      const heapId = await this.heapIdOf(ev.result.objectId);
      if (heapId === 0) {
        throw new CaptureError('selection',
          `${quote(expression)} gives an object that was not in the heap when the snapshot was taken: it makes a new object ` +
          'each time it is evaluated, or the program replaced it meanwhile. Name an object the program keeps.');
      }
      return selected(expression, ev.result, ev.scope, heapId, 'after-snapshot');
    } finally {
      if (!conn.closed) await conn.send('Runtime.releaseObjectGroup', { objectGroup }).catch(() => {});
    }
  }

  private checkExpression(selection: ObjectSelection, options: Pick<SnapshotOptions, 'onProgress'>): string {
    const expression = selection.expression.trim();
    if (!expression) throw new CaptureError('selection', 'The expression is empty; name the object to examine, such as `cache` or `this.listeners[0]`.');
    options.onProgress?.({ phase: 'selecting', fraction: null, bytes: 0, message: `Evaluating ${quote(expression)}` });
    return expression;
  }

  /** The heap id once tracking runs; with tracking already running (not ours) new objects get ids at V8's next update. */
  private async trackedHeapIdOf(objectId: string, expression: string): Promise<number> {
    let heapId = await this.heapIdOf(objectId);
    for (let attempt = 0; heapId === 0 && attempt < 5; attempt++) {
      await delay(60);
      heapId = await this.heapIdOf(objectId);
    }
    if (heapId === 0) {
      throw new CaptureError('selection', `V8 gave ${quote(expression)} no heap id; take a snapshot first, then select it again.`,
        { method: 'HeapProfiler.getHeapObjectId' });
    }
    return heapId;
  }

  private async evaluate(selection: ObjectSelection, expression: string, objectGroup: string, throwOnSideEffect: boolean): Promise<{
    result: Protocol.Runtime.RemoteObject; exceptionDetails?: Protocol.Runtime.ExceptionDetails; scope: string;
  }> {
    const conn = this.connection;
    const paused = conn.paused;
    const common = { expression, objectGroup, silent: true, includeCommandLineAPI: false, returnByValue: false, generatePreview: false, throwOnSideEffect };
    let r: Protocol.Runtime.EvaluateResponse;
    let scope: string;
    if (!selection.global && (paused || selection.callFrameId)) {
      let callFrameId = selection.callFrameId;
      scope = 'the paused frame';
      if (!callFrameId) {
        const frames = paused!.callFrames;
        const index = selection.frame ?? 0;
        if (!Number.isInteger(index) || index < 0 || index >= frames.length) {
          throw new CaptureError('selection',
            `The program is paused with ${frames.length} call frame${frames.length === 1 ? '' : 's'}; there is no frame ${index} (0 is the top).`);
        }
        callFrameId = frames[index].callFrameId;
        scope = `frame ${index} (${frames[index].functionName || 'anonymous'})`;
      }
      r = await conn.send('Debugger.evaluateOnCallFrame', { callFrameId, ...common });
    } else {
      if (selection.frame !== undefined && selection.frame !== 0 && !selection.global) {
        throw new CaptureError('selection',
          `The program is running, so there is no frame ${selection.frame}; pause it (a breakpoint or a debugger statement) or evaluate globally.`);
      }
      r = await conn.send('Runtime.evaluate', { ...common, awaitPromise: false, userGesture: false });
      scope = 'global scope';
    }
    return { ...r, scope };
  }

  private async heapIdOf(objectId: string): Promise<number> {
    const r = await this.connection.send('HeapProfiler.getHeapObjectId', { objectId });
    const id = Number(r.heapSnapshotObjectId);
    return Number.isFinite(id) ? id : 0;
  }

  /** Stops heap object tracking; V8 takes a snapshot to do so, which is dropped. */
  private async stopTrackingQuietly(): Promise<void> {
    const drop = this.connection.on('HeapProfiler.addHeapSnapshotChunk', () => {});
    try {
      await this.connection.send('HeapProfiler.stopTrackingHeapObjects', { reportProgress: false });
    } finally {
      drop.dispose();
    }
  }

  /**
   * Runs a command that makes V8 emit a snapshot, feeding each chunk to the parser as it arrives (never joined).
   * On cancel or failure it returns at once and leaves the command draining; the queue waits for it.
   */
  private streamSnapshot(
    method: 'HeapProfiler.takeHeapSnapshot' | 'HeapProfiler.stopTrackingHeapObjects',
    params: Protocol.HeapProfiler.TakeHeapSnapshotRequest,
    options: SnapshotOptions,
  ): Promise<CaptureResult> {
    const conn = this.connection;
    const parser = new SnapshotParser();
    let failure: unknown = null;
    let stopped = false; // cancelled or failed: drop the rest
    let buildFraction = 0;
    let estimatedTotal = 0;
    let lastReport = 0;
    const report = (p: CaptureProgress, force = false) => {
      if (!options.onProgress) return;
      const now = Date.now();
      if (!force && now - lastReport < 100) return;
      lastReport = now;
      options.onProgress(p);
    };

    const offChunk = conn.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => {
      if (stopped) return;
      try {
        if (parser.bytesReceived === 0) estimatedTotal = estimateSnapshotBytes(chunk);
        options.onChunk?.(chunk);
      } catch (e) {
        // The caller's sink failed (a full disk while saving): stop, and say so in its own words.
        // A SaveError is already a whole sentence (it names the file and why).
        failure = new CaptureError('protocol', (e as Error)?.name === 'SaveError' ? (e as Error).message
          : `Saving the snapshot failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
        stopped = true;
        wake();
        return;
      }
      try {
        parser.write(chunk);
      } catch (e) {
        failure = e;
        stopped = true;
        wake();
        return;
      }
      const bytes = parser.bytesReceived;
      report({
        phase: 'streaming',
        fraction: estimatedTotal > 0 ? Math.min(0.99, bytes / estimatedTotal) : null,
        bytes,
        message: `Receiving the snapshot (${formatBytes(bytes)})`,
      });
    });
    const offProgress = conn.on('HeapProfiler.reportHeapSnapshotProgress', ({ done, total, finished }) => {
      if (stopped) return;
      buildFraction = total > 0 ? done / total : 0;
      report({
        phase: 'building',
        fraction: finished ? 1 : buildFraction,
        bytes: 0,
        message: `Building the snapshot in the target (${Math.floor((finished ? 1 : buildFraction) * 100)}%)`,
      }, !!finished);
    });

    let wake: () => void = () => {};
    const woken = new Promise<void>((resolve) => { wake = resolve; });
    const onAbort = () => { stopped = true; wake(); };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    report({ phase: 'building', fraction: 0, bytes: 0, message: 'Building the snapshot in the target (0%)' }, true);
    const command = conn.send(method, params);
    const settled = command.then(() => 'ok' as const, (e: unknown) => e);
    // Aborted before the command went out (after selection started tracking): let it run and drain.
    if (options.signal?.aborted) onAbort();

    const cleanup = () => { offChunk.dispose(); offProgress.dispose(); options.signal?.removeEventListener('abort', onAbort); };

    return Promise.race([settled, woken.then(() => 'stopped' as const)]).then((outcome) => {
      if (outcome !== 'ok' && outcome !== 'stopped') {
        cleanup();
        throw this.snapshotError(outcome, parser.bytesReceived, buildFraction);
      }
      if (outcome === 'stopped' || stopped) {
        // The target goes on producing this snapshot; drop its chunks until the command answers.
        this.lane.draining = settled.then(() => {}).finally(() => {
          cleanup();
          this.lane.draining = null;
        });
        if (failure) throw this.snapshotError(failure, parser.bytesReceived, buildFraction);
        throw cancelled(parser.bytesReceived);
      }
      cleanup();
      let snapshot: HeapSnapshot;
      try {
        snapshot = parser.end();
      } catch (e) {
        throw this.snapshotError(e, parser.bytesReceived, buildFraction);
      }
      report({ phase: 'done', fraction: 1, bytes: parser.bytesReceived, message: `Received ${formatBytes(parser.bytesReceived)}` }, true);
      return {
        snapshot,
        bytes: parser.bytesReceived,
        hasAllocationStacks: snapshot.traceTree.count > 1,
      };
    });
  }

  private snapshotError(e: unknown, bytes: number, buildFraction: number): CaptureError {
    if (e instanceof CaptureError && e.code === 'target-exited') {
      const when = bytes > 0
        ? `while the snapshot was being taken (${formatBytes(bytes)} received)`
        : `while V8 was building the snapshot (${buildFraction > 0 ? `${Math.floor(buildFraction * 100)}% done` : 'nothing received yet'})`;
      const retry = this.connection.viaProxy ? 'Start the session again and retry.' : 'Start it again and retry.';
      return new CaptureError('target-exited', `${this.connection.goneSentence} ${when}. ${retry}`, { method: e.method, cause: e });
    }
    if (e instanceof CaptureError) return e;
    if (e instanceof SnapshotFormatError) {
      if (bytes === 0) {
        return new CaptureError('snapshot', this.connection.viaProxy
          ? 'The snapshot arrived empty: the debug session forwarded no HeapProfiler.addHeapSnapshotChunk events. Reconnect and retry.'
          : 'The snapshot arrived empty: the target sent no HeapProfiler.addHeapSnapshotChunk events. Retry.', { cause: e });
      }
      return new CaptureError('snapshot', `The snapshot stream was malformed: ${e.message}`, { cause: e });
    }
    return new CaptureError('protocol', `Taking the snapshot failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
}

/** A mark placed on the selected object (see `placeMark`). */
interface Mark {
  token: string;
  group: string;
}

/**
 * The heap id of the object a mark points at in this snapshot, or null when the mark is not in it or its object was
 * collected. One pass over the edges for the property named by the token.
 */
export function markedObjectId(s: HeapSnapshot, token: string): number | null {
  const name = s.strings.indexOf(token);
  const targetName = s.strings.indexOf('target');
  const property = s.edgeTypeNames.indexOf('property');
  const weak = s.edgeTypeNames.indexOf('weak');
  if (name < 0 || targetName < 0 || property < 0 || weak < 0) return null;
  const { edgeType, edgeNameOrIndex, edgeTarget, firstEdge } = s;
  for (let e = 0; e < s.edgeCount; e++) {
    if (edgeNameOrIndex[e] !== name || edgeType[e] !== property) continue;
    const ref = edgeTarget[e];
    for (let f = firstEdge[ref]; f < firstEdge[ref + 1]; f++) {
      if (edgeType[f] === weak && edgeNameOrIndex[f] === targetName) return s.nodeId[edgeTarget[f]];
    }
    return null;
  }
  return null;
}

function cancelled(bytes?: number): CaptureError {
  return new CaptureError('cancelled', bytes
    ? `The capture was cancelled (${formatBytes(bytes)} received); the target is unchanged.`
    : 'The capture was cancelled; the target is unchanged.');
}

function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e instanceof Error ? e : new Error(String(e))); },
    );
  });
}

function snapshotParams(options: SnapshotOptions): Protocol.HeapProfiler.TakeHeapSnapshotRequest {
  return { reportProgress: options.buildProgress !== false, captureNumericValue: !!options.captureNumericValue };
}

function selected(expression: string, result: Protocol.Runtime.RemoteObject, scope: string, heapId: number, via: SelectedObject['via']): SelectedObject {
  return {
    via,
    heapId,
    expression,
    type: result.type,
    className: result.className ?? (result.type === 'function' ? 'Function' : 'Object'),
    description: result.description ?? result.className ?? result.type,
    scope,
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function quote(expression: string): string {
  const short = expression.length > 60 ? `${expression.slice(0, 57)}...` : expression;
  return `\`${short}\``;
}

/** "undefined", "null", "a number (42)"... or null when the value is an object. */
function describeNonObject(r: Protocol.Runtime.RemoteObject): string | null {
  switch (r.type) {
    case 'undefined':
      return 'undefined';
    case 'object':
      return r.subtype === 'null' ? 'null' : null;
    case 'function':
      return null;
    case 'string': {
      const v = String(r.value ?? '');
      return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)})`;
    }
    case 'number':
    case 'boolean':
      return `a ${r.type} (${r.description ?? String(r.value)})`;
    case 'bigint':
      return `a bigint (${r.description ?? r.unserializableValue ?? ''})`;
    case 'symbol':
      return `a symbol (${r.description ?? ''})`;
    default:
      return `a ${String(r.type)}`;
  }
}

/**
 * An estimate of the document's size from its header (node and edge counts), so streaming can show a percentage.
 * Calibrated on Node 20-24 snapshots: ~26 bytes per node row, ~13 per edge row, plus strings and locations.
 */
export function estimateSnapshotBytes(firstChunk: string): number {
  const nodes = /"node_count"\s*:\s*(\d+)/.exec(firstChunk);
  const edges = /"edge_count"\s*:\s*(\d+)/.exec(firstChunk);
  if (!nodes || !edges) return 0;
  return Math.round((Number(nodes[1]) * 26 + Number(edges[1]) * 13) * 1.2);
}
