/**
 * Messages between the extension host and the analysis worker (src/worker/analysisWorker.ts).
 *
 * Every request carries an `id`; the worker answers each with exactly one `reply` (ok with a result, or an error
 * sentence), and may send `progress` events for it before that. `cancel` is fire-and-forget. The worker also tells
 * the host when a connection it holds closes (`targetClosed`).
 *
 * The request/result pairs live in one map (`WorkerCalls`) so the client's `call()` is typed end to end.
 */
import type { SnapshotComparison } from './comparisonReport';
import type { HeapSummary, ReportNode, RetainerPage, RetentionReport } from './report';

/** Where the worker connects: js-debug's CDP proxy for a session, or a `node --inspect` address. */
export type WorkerEndpoint =
  | { kind: 'proxy'; host: string; port: number; path: string }
  | { kind: 'inspector'; address: string };

/** What the host tells the worker to select: an expression, in a paused frame (by index) or globally. */
export interface WorkerSelection {
  expression: string;
  /** Index of the paused call frame (0 = top); omitted: the top frame when paused, global when running. */
  frame?: number;
  /** Evaluate globally even when paused. */
  global?: boolean;
}

export interface TargetInfoDto {
  /** The key the host uses for this connection (a debug session id, or `inspector:HOST:PORT`). */
  target: string;
  description: string;
  nodeVersion: string | null;
  /** A sentence when the target's Node takes snapshots slowly. */
  warning: string | null;
  paused: boolean;
}

export interface SnapshotInfo {
  /** The worker's id for this analysed snapshot (1, 2, ...). */
  snapshotId: number;
  /** "Snapshot 2 of app.js [4242]", "leak.heapsnapshot". */
  label: string;
  /** Where it came from: a target key, or a file path. */
  source: string;
  bytes: number;
  /** Epoch milliseconds when it was taken or opened. */
  takenAt: number;
  nodeCount: number;
  edgeCount: number;
  totalSize: number;
  hasAllocationStacks: boolean;
  /** True when the worker keeps what a comparison needs of it (its digest), even after its analysis is released. */
  comparable?: boolean;
}

/** A comparison of 2 or 3 snapshots (by the worker's ids, in the order taken); suspects are in the last one. */
export interface ComparisonDto {
  snapshotIds: number[];
  comparison: SnapshotComparison;
}

export interface SelectedObjectDto {
  heapId: number;
  expression: string;
  className: string;
  description: string;
  /** Where it was evaluated: "frame 1 (handleRequest)", "global scope". */
  scope: string;
}

export interface ObjectReport {
  snapshot: SnapshotInfo;
  object: SelectedObjectDto | null;
  report: RetentionReport;
}

/** Each request type, its parameters and its result. */
export interface WorkerCalls {
  connect: { params: { target: string; endpoint: WorkerEndpoint; timeoutMs?: number }; result: TargetInfoDto };
  disconnect: { params: { target: string }; result: void };
  /** Detaches from every target (tracking stopped, object groups released) before the worker is terminated. */
  shutdown: { params: Record<string, never>; result: void };
  /** Selects by expression, captures, analyses and reports (the whole live flow). */
  captureObject: { params: { target: string; selection: WorkerSelection; label?: string }; result: ObjectReport };
  /**
   * `forComparison`: collect garbage first (`HeapProfiler.collectGarbage`) and keep the snapshot's comparison digest.
   * Cancelling leaves the snapshots taken before usable.
   */
  takeSnapshot: { params: { target: string; label?: string; forComparison?: boolean }; result: SnapshotInfo };
  /** Keeps a snapshot's comparison digest (a snapshot opened from a file, or taken without `forComparison`). */
  keepForComparison: { params: { snapshotId: number }; result: SnapshotInfo };
  /** Compares 2 or 3 snapshots: baseline, target[, final]. The last must still be analysed (one of the newest). */
  compareSnapshots: { params: { snapshotIds: number[]; maxGroups?: number }; result: ComparisonDto };
  /** Runs an expression in the debuggee `times` times (awaiting a promise it returns), with progress and cancel. */
  runAction: { params: { target: string; expression: string; times: number }; result: { runs: number } };
  startRecording: { params: { target: string }; result: void };
  stopRecording: { params: { target: string; label?: string }; result: SnapshotInfo };
  openFile: { params: { path: string }; result: SnapshotInfo };
  report: { params: { snapshotId: number; heapId: number }; result: ObjectReport };
  summary: { params: { snapshotId: number }; result: HeapSummary };
  retainers: { params: { snapshotId: number; heapId: number; offset: number; limit: number }; result: RetainerPage };
  findByClass: { params: { snapshotId: number; name: string; limit?: number }; result: ReportNode[] };
  releaseSnapshot: { params: { snapshotId: number }; result: void };
}

export type WorkerMethod = keyof WorkerCalls;

export type WorkerRequest = {
  [M in WorkerMethod]: { type: M; id: number } & WorkerCalls[M]['params'];
}[WorkerMethod];

export interface WorkerCancel {
  type: 'cancel';
  /** The id of the request to cancel. */
  id: number;
}

export type HostToWorker = WorkerRequest | WorkerCancel;

export interface WorkerError {
  message: string;
  /** CaptureError code when there is one ('cancelled', 'target-exited', 'selection', ...). */
  code?: string;
}

export type WorkerReply =
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: WorkerError };

export interface WorkerProgress {
  type: 'progress';
  id: number;
  /** 'waiting' | 'selecting' | 'building' | 'streaming' | 'parsing' | 'analysing' | 'running' (an action) | 'done' */
  phase: string;
  /** 0..1 over the whole request when known. */
  fraction: number | null;
  bytes: number;
  message: string;
}

export interface WorkerTargetClosed {
  type: 'targetClosed';
  target: string;
  /** True when the host asked for it (`disconnect`). */
  byRequest: boolean;
}

export type WorkerToHost = WorkerReply | WorkerProgress | WorkerTargetClosed;
