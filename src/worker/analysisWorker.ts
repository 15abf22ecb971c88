/**
 * The analysis worker: a worker thread that owns the CDP connections, streams snapshots into the parser, runs the
 * analysis and answers the extension host's typed requests (src/shared/workerProtocol.ts). Parsing and analysing a
 * large heap takes seconds of CPU; here it never blocks the extension host.
 */
import { parentPort } from 'node:worker_threads';
import { basename } from 'node:path';
import { HeapAnalysis } from '../core/analysis';
import type { HeapSnapshot } from '../core/snapshotParser';
import { parseSnapshotFile } from '../node/snapshotFile';
import type { ReportNode } from '../core/report';
import { compareSnapshots, ComparisonError } from '../core/comparison';
import { digestSnapshot, type SnapshotDigest } from '../core/snapshotDigest';
import { runAction } from '../cdp/actionRunner';
import { CaptureService, type CaptureProgress } from '../cdp/capture';
import { connect, type CdpConnection } from '../cdp/connect';
import { CaptureError } from '../cdp/errors';
import { nameScripts, reportSelected } from '../cdp/liveReport';
import { liveSourceMapResolver } from '../cdp/liveScripts';
import { applySourceMaps, applySourceMapsToNodes, applySourceMapsToSummary, SourceMapResolver } from '../node/sourceMaps';
import { siteFinder } from '../cdp/scriptSources';
import type { ReferenceSiteFinder } from '../core/reportSites';
import type {
  HostToWorker, ObjectReport, SnapshotInfo, WorkerCalls, WorkerMethod, WorkerRequest, WorkerToHost,
} from '../shared/workerProtocol';

if (!parentPort) throw new Error('analysisWorker.js runs as a worker thread.');
const port = parentPort;

/** Analysed snapshots kept in memory; older ones are released (their entry stays, marked released). */
const KEEP_ANALYSES = 2;

interface Target {
  key: string;
  connection: CdpConnection;
  service: CaptureService;
  resolver: SourceMapResolver;
  closedByRequest: boolean;
  /** Which connection this is (V8 gives objects new ids when the profiler's session reconnects). */
  serial: number;
}

interface SnapshotEntry {
  info: SnapshotInfo;
  analysis: HeapAnalysis | null;
  resolver: SourceMapResolver;
  /** Finds the line that creates each fix's reference (scripts parsed once per snapshot). */
  sites: ReferenceSiteFinder;
  /** The live target it came from (script names and sources for later requests), while connected. */
  target: Target | null;
  /** The connection it was taken on (its target key and serial), for live snapshots. */
  session: { key: string; serial: number; description: string } | null;
  /** What a comparison needs of it, kept after its analysis is released (see keepForComparison). */
  digest: SnapshotDigest | null;
}

const targets = new Map<string, Target>();
const snapshots = new Map<number, SnapshotEntry>();
const running = new Map<number, AbortController>();
let nextSnapshotId = 1;
let nextConnectionSerial = 1;

function post(message: WorkerToHost): void {
  port.postMessage(message);
}

class RequestError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

port.on('message', (message: HostToWorker) => {
  if (message.type === 'cancel') {
    running.get(message.id)?.abort();
    return;
  }
  void handle(message);
});

async function handle(request: WorkerRequest): Promise<void> {
  const controller = new AbortController();
  running.set(request.id, controller);
  try {
    const result = await dispatch(request, controller.signal);
    post({ type: 'reply', id: request.id, ok: true, result });
  } catch (e) {
    post({ type: 'reply', id: request.id, ok: false, error: toWorkerError(e, controller.signal) });
  } finally {
    running.delete(request.id);
  }
}

function toWorkerError(e: unknown, signal: AbortSignal): { message: string; code?: string } {
  if (e instanceof CaptureError) return { message: e.message, code: e.code };
  if (e instanceof RequestError) return { message: e.message, code: e.code };
  if (signal.aborted) return { message: 'Cancelled; nothing was changed.', code: 'cancelled' };
  const message = e instanceof Error ? e.message : String(e);
  return { message: message || 'The analysis failed without a message.', code: 'internal' };
}

type Handler<M extends WorkerMethod> = (
  params: Extract<WorkerRequest, { type: M }>, signal: AbortSignal,
) => Promise<WorkerCalls[M]['result']>;

const handlers: { [M in WorkerMethod]: Handler<M> } = {
  async connect(req, signal) {
    const existing = targets.get(req.target);
    if (existing && !existing.connection.closed) return targetInfo(existing);
    const connection = await connect(req.endpoint, { timeoutMs: req.timeoutMs });
    if (signal.aborted) {
      // The host gave up on this attach: keep no connection it does not know about.
      await connection.close();
      throw cancelledError();
    }
    const target: Target = {
      key: req.target,
      connection,
      service: new CaptureService(connection),
      resolver: liveSourceMapResolver(connection),
      closedByRequest: false,
      serial: nextConnectionSerial++,
    };
    targets.set(req.target, target);
    connection.onClose(() => {
      if (targets.get(req.target) === target) targets.delete(req.target);
      for (const s of snapshots.values()) if (s.target === target) s.target = null;
      post({ type: 'targetClosed', target: req.target, byRequest: target.closedByRequest });
    });
    return targetInfo(target);
  },

  async disconnect(req) {
    const target = targets.get(req.target);
    if (!target) return;
    target.closedByRequest = true;
    await target.service.dispose().catch(() => {});
    await target.connection.close();
  },

  async shutdown() {
    await Promise.all([...targets.values()].map(async (target) => {
      target.closedByRequest = true;
      await target.service.dispose().catch(() => {});
      await target.connection.close().catch(() => {});
    }));
  },

  async captureObject(req, signal) {
    const target = requireTarget(req.target);
    const progress = phaseProgress(req.id);
    const captured = await target.service.captureObject(
      { expression: req.selection.expression, frame: req.selection.frame, global: req.selection.global },
      { signal, onProgress: progress },
    );
    const entry = await analyse(req.id, captured.snapshot, captured.bytes, captured.hasAllocationStacks,
      req.label ?? `Snapshot of ${target.connection.description}`, target.key, target, signal);
    const { object } = captured;
    const report = await reportSelected(target.service, entry.analysis!, object, { resolver: entry.resolver, sites: entry.sites });
    await keep(entry, signal);
    return {
      snapshot: entry.info,
      object: { heapId: object.heapId, expression: object.expression, className: object.className, description: object.description, scope: object.scope },
      report,
    } satisfies ObjectReport;
  },

  async takeSnapshot(req, signal) {
    const target = requireTarget(req.target);
    const captured = await target.service.takeSnapshot({ signal, onProgress: phaseProgress(req.id), collectGarbage: req.forComparison });
    const entry = await analyse(req.id, captured.snapshot, captured.bytes, captured.hasAllocationStacks,
      req.label ?? `Snapshot of ${target.connection.description}`, target.key, target, signal);
    if (req.forComparison) makeComparable(entry);
    await keep(entry, signal);
    return entry.info;
  },

  // eslint-disable-next-line @typescript-eslint/require-await -- synchronous, but a handler answers with a promise
  async keepForComparison(req) {
    const entry = snapshots.get(req.snapshotId);
    if (!entry) throw new RequestError(`Snapshot ${req.snapshotId} is no longer open; take a new snapshot.`, 'unknown-snapshot');
    if (!entry.digest) {
      if (!entry.analysis) {
        throw new RequestError(`${entry.info.label} was released to save memory before it was kept for comparison; take a new snapshot.`, 'released');
      }
      makeComparable(entry);
    }
    return entry.info;
  },

  async compareSnapshots(req, signal) {
    const ids = req.snapshotIds;
    if (ids.length < 2 || ids.length > 3) throw new RequestError('Compare two snapshots (baseline, target) or three (baseline, target, final).', 'usage');
    if (new Set(ids).size !== ids.length) throw new RequestError('Pick different snapshots to compare.', 'usage');
    const entries = ids.map((id) => {
      const entry = snapshots.get(id);
      if (!entry) throw new RequestError(`Snapshot ${id} is no longer open; take a new snapshot.`, 'unknown-snapshot');
      return entry;
    });
    const last = entries[entries.length - 1];
    if (!last.analysis) {
      throw new RequestError(`${last.info.label} was released to save memory (only the last ${KEEP_ANALYSES} are kept whole); compare with the newest snapshot as the last one.`, 'released');
    }
    for (const entry of entries.slice(0, -1)) {
      if (entry.digest) continue;
      if (!entry.analysis) {
        throw new RequestError(`${entry.info.label} was released to save memory before it was kept for comparison; take it again (Find Leaks keeps its snapshots).`, 'released');
      }
      makeComparable(entry);
    }
    checkSessions(entries);
    post({ type: 'progress', id: req.id, phase: 'analysing', fraction: null, bytes: 0, message: 'Comparing the snapshots' });
    await refreshScriptNames(last);
    let comparison;
    try {
      comparison = compareSnapshots(entries.slice(0, -1).map((e) => e.digest!), last.analysis, {
        labels: entries.map((e) => e.info.label), maxGroups: req.maxGroups ?? 20, lastDigest: last.digest ?? undefined,
      });
    } catch (e) {
      if (e instanceof ComparisonError) throw new RequestError(e.message, e.code);
      throw e;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal.aborted) throw cancelledError();
    await applySourceMapsToNodes(comparison.suspects.groups.map((g) => g.representative), last.resolver);
    return { snapshotIds: ids, comparison };
  },

  async runAction(req, signal) {
    const target = requireTarget(req.target);
    return runAction(target.connection, req.expression, req.times, {
      signal,
      onProgress: (p) => post({ type: 'progress', id: req.id, phase: 'running', fraction: p.done / p.times, bytes: 0, message: p.message }),
    });
  },

  async startRecording(req, signal) {
    await requireTarget(req.target).service.startRecording({ signal });
  },

  async stopRecording(req, signal) {
    const target = requireTarget(req.target);
    const captured = await target.service.stopRecording({ signal, onProgress: phaseProgress(req.id) });
    const entry = await analyse(req.id, captured.snapshot, captured.bytes, captured.hasAllocationStacks,
      req.label ?? `Allocation recording of ${target.connection.description}`, target.key, target, signal);
    await keep(entry, signal);
    return entry.info;
  },

  async openFile(req, signal) {
    let lastPost = 0;
    const snapshot = await parseSnapshotFile(req.path, (bytes, total) => {
      const now = Date.now();
      if (now - lastPost < 100) return;
      lastPost = now;
      const f = total > 0 ? bytes / total : 0;
      post({ type: 'progress', id: req.id, phase: 'parsing', fraction: 0.85 * f, bytes,
        message: `Reading ${basename(req.path)} (${Math.floor(f * 100)}%)` });
    }, signal).catch((e: unknown) => {
      if (signal.aborted) throw new RequestError('Cancelled; nothing was opened.', 'cancelled');
      throw new RequestError(`${basename(req.path)} could not be read as a heap snapshot: ${(e as Error).message}`, 'snapshot');
    });
    const entry = await analyse(req.id, snapshot, snapshot.byteLength, snapshot.traceTree.count > 1, basename(req.path), req.path, null, signal);
    await keep(entry, signal);
    return entry.info;
  },

  async report(req) {
    const entry = requireSnapshot(req.snapshotId);
    const analysis = entry.analysis!;
    if (!analysis.hasObject(req.heapId)) {
      throw new RequestError(`There is no object @${req.heapId} in ${entry.info.label}.`, 'unknown-object');
    }
    await refreshScriptNames(entry);
    const report = analysis.report(req.heapId);
    await applySourceMaps(report, entry.resolver);
    await entry.sites.addTo(report);
    return { snapshot: entry.info, object: null, report };
  },

  async summary(req) {
    const entry = requireSnapshot(req.snapshotId);
    await refreshScriptNames(entry);
    const summary = entry.analysis!.summary();
    await applySourceMapsToSummary(summary, entry.resolver);
    return summary;
  },

  async retainers(req) {
    const entry = requireSnapshot(req.snapshotId);
    const analysis = entry.analysis!;
    if (!analysis.hasObject(req.heapId)) {
      throw new RequestError(`There is no object @${req.heapId} in ${entry.info.label}.`, 'unknown-object');
    }
    const limit = Math.max(1, Math.min(req.limit, 500));
    const page = analysis.retainers(req.heapId, req.offset, limit);
    await applySourceMapsToNodes(page.entries.map((e) => e.node), entry.resolver);
    return page;
  },

  async findByClass(req) {
    const entry = requireSnapshot(req.snapshotId);
    const found: ReportNode[] = entry.analysis!.findByClass(req.name, Math.max(1, Math.min(req.limit ?? 100, 1000)));
    await applySourceMapsToNodes(found, entry.resolver);
    return found;
  },

  releaseSnapshot(req) {
    snapshots.delete(req.snapshotId);
    return Promise.resolve();
  },
};

function dispatch(request: WorkerRequest, signal: AbortSignal): Promise<unknown> {
  const handler = handlers[request.type] as Handler<WorkerMethod> | undefined;
  if (!handler) return Promise.reject(new RequestError(`Unknown request ${String((request as { type: unknown }).type)}.`));
  return handler(request, signal);
}

function targetInfo(t: Target) {
  return {
    target: t.key,
    description: t.connection.description,
    nodeVersion: t.connection.target.nodeVersion,
    warning: t.connection.target.warning,
    paused: t.connection.paused !== null,
  };
}

function requireTarget(key: string): Target {
  const t = targets.get(key);
  if (!t || t.connection.closed) {
    throw new RequestError('Not connected to that program any more; start the debug session or attach again.', 'target-exited');
  }
  return t;
}

function requireSnapshot(id: number): SnapshotEntry {
  const entry = snapshots.get(id);
  if (!entry) throw new RequestError(`Snapshot ${id} is no longer open; take a new snapshot.`, 'unknown-snapshot');
  if (!entry.analysis) {
    throw new RequestError(`${entry.info.label} was released to save memory (only the last ${KEEP_ANALYSES} are kept); take a new snapshot.`, 'released');
  }
  return entry;
}

/** Capture progress mapped onto the whole request: building 0-45%, streaming 45-90%, analysing 90-100%. */
function phaseProgress(id: number): (p: CaptureProgress) => void {
  return (p) => {
    let fraction: number | null = null;
    if (p.phase === 'building') fraction = 0.45 * (p.fraction ?? 0);
    else if (p.phase === 'streaming') fraction = 0.45 + 0.45 * (p.fraction ?? 0);
    else if (p.phase === 'done') fraction = 0.9;
    post({ type: 'progress', id, phase: p.phase, fraction, bytes: p.bytes, message: p.message });
  };
}

async function analyse(
  id: number, snapshot: HeapSnapshot, bytes: number, hasAllocationStacks: boolean, label: string, source: string,
  target: Target | null, signal: AbortSignal,
): Promise<SnapshotEntry> {
  if (signal.aborted) throw cancelledError();
  post({ type: 'progress', id, phase: 'analysing', fraction: 0.9, bytes, message: 'Analysing the heap (dominators, distances)' });
  const analysis = HeapAnalysis.fromSnapshot(snapshot);
  const snapshotId = nextSnapshotId++;
  const resolver = target ? target.resolver : new SourceMapResolver();
  const entry: SnapshotEntry = {
    info: {
      snapshotId,
      label: `#${snapshotId} ${label}`,
      source,
      bytes,
      takenAt: Date.now(),
      nodeCount: analysis.nodeCount,
      edgeCount: analysis.edgeCount,
      totalSize: analysis.totalSize,
      hasAllocationStacks,
    },
    analysis,
    resolver,
    sites: siteFinder(target ? target.connection : null, resolver),
    target,
    session: target ? { key: target.key, serial: target.serial, description: target.connection.description } : null,
    digest: null,
  };
  if (target) {
    const service = target.service;
    await nameScripts(service, analysis).catch(() => {});
  }
  post({ type: 'progress', id, phase: 'done', fraction: 1, bytes, message: 'Analysis done' });
  return entry;
}

/**
 * Stores an analysed snapshot once the request that made it is sure to be answered: a cancel the host sent while
 * the (synchronous) analysis ran is read first, and a cancelled snapshot is dropped without evicting the kept ones.
 */
async function keep(entry: SnapshotEntry, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal.aborted) throw cancelledError();
  snapshots.set(entry.info.snapshotId, entry);
  // Keep the newest analyses; an old snapshot's typed arrays are what make memory grow.
  const live = [...snapshots.values()].filter((s) => s.analysis);
  for (const old of live.slice(0, Math.max(0, live.length - KEEP_ANALYSES))) old.analysis = null;
}

/** Keeps what a comparison needs of an analysed snapshot (a few bytes per object), so its analysis can go. */
function makeComparable(entry: SnapshotEntry): void {
  if (!entry.analysis || entry.digest) return;
  entry.digest = digestSnapshot(entry.analysis);
  entry.info = { ...entry.info, comparable: true };
}

/**
 * Live snapshots compare only within one connection: V8 gives every object a new id when the session that enabled
 * the heap profiler goes away. Snapshots of files are checked by the comparison itself (their sampled ids).
 */
function checkSessions(entries: SnapshotEntry[]): void {
  const live = entries.filter((e) => e.session);
  for (let i = 1; i < live.length; i++) {
    const a = live[0].session!;
    const b = live[i].session!;
    if (a.key !== b.key) {
      throw new RequestError(`${live[0].info.label} and ${live[i].info.label} come from different programs (${a.description}, ${b.description}); compare snapshots of one program.`, 'different-process');
    }
    if (a.serial !== b.serial) {
      throw new RequestError(`The connection to ${a.description} was closed between ${live[0].info.label} and ${live[i].info.label}, and V8 gives objects new ids in a new session, so they cannot be compared; take a new baseline and keep the session attached.`, 'ids-reset');
    }
  }
}

function cancelledError(): RequestError {
  return new RequestError('Cancelled; nothing was changed.', 'cancelled');
}

/** Names scripts the snapshot left unnamed, while the session that took it is still connected. */
async function refreshScriptNames(entry: SnapshotEntry): Promise<void> {
  if (!entry.target || entry.target.connection.closed || !entry.analysis) return;
  if (entry.analysis.unresolvedScriptIds().length === 0) return;
  await nameScripts(entry.target.service, entry.analysis).catch(() => {});
}

process.on('unhandledRejection', (e) => {
  // A stray rejection must not take the worker down with every snapshot in it.
  console.error('[retention worker] unhandled rejection:', e);
});
