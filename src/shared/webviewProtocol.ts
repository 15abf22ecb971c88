/**
 * Messages between the extension host and its two webviews: the retention tree panel (editor area) and the
 * Run and Debug sidebar view. Both pages start empty, say `ready`, and receive their data by postMessage.
 *
 * Messages from a webview are untrusted input: `parsePanelMessage` / `parseSidebarMessage` turn an unknown value into
 * a typed message or null, checking every field's type and range. The host acts only on what they return.
 */
import type { HeapSummary, RetainerPage, RetentionReport, SourceLocation } from './report';
import type { SnapshotComparison } from './comparisonReport';
import type { ObjectReport, SelectedObjectDto, SnapshotInfo } from './workerProtocol';

// ---------------------------------------------------------------------------------------------------------------
// The retention tree panel

export interface PanelModel {
  /** Increases with each object shown; lets the page keep its expansion state for the same model across reloads. */
  generation: number;
  snapshot: SnapshotInfo;
  object: SelectedObjectDto | null;
  report: RetentionReport;
  /** The debug session or inspector the snapshot came from ("app.js [4242]"), or the file name. */
  sourceLabel: string;
  /** Set when that session has ended: the sentence the panel shows above the (still readable) results. */
  sessionEnded: string | null;
  /** What "Back" returns to (the object shown before this one), when there is one. */
  back: string | null;
}

export type HostToPanel =
  | { type: 'show'; model: PanelModel }
  | { type: 'retainers'; requestId: number; ok: true; page: RetainerPage }
  | { type: 'retainers'; requestId: number; ok: false; error: string }
  | { type: 'sessionEnded'; message: string }
  | { type: 'status'; kind: 'busy' | 'error' | 'info'; message: string }
  | { type: 'clearStatus' };

/** One visible row as the page rendered it: what a user (or a test) reads. */
export interface RenderedRow {
  level: number;
  /** The row's whole text as shown. */
  text: string;
  /** Which section the row is in: 'object' | 'paths' | 'cycles' | 'fix' | 'notes'. */
  section: string;
  heapId: number | null;
  cycle: boolean;
  expanded: boolean | null;
  location: string | null;
}

export type PanelToHost =
  | { type: 'ready' }
  | { type: 'openLocation'; location: Pick<SourceLocation, 'url' | 'line' | 'column'> }
  | { type: 'loadRetainers'; requestId: number; snapshotId: number; heapId: number; offset: number }
  | { type: 'inspect'; snapshotId: number; heapId: number }
  | { type: 'back' }
  | { type: 'rendered'; generation: number; rows: RenderedRow[] };

// ---------------------------------------------------------------------------------------------------------------
// The sidebar view

export interface SidebarTarget {
  key: string;
  label: string;
  /** 'session' for a js-debug session, 'inspector' for a direct --inspect connection. */
  kind: 'session' | 'inspector';
  nodeVersion: string | null;
  warning: string | null;
  recording: boolean;
  ended: boolean;
}

export interface CaptureState {
  message: string;
  /** 0..1, or null while unknown. */
  fraction: number | null;
}

/** The guided leak hunt (baseline -> action -> target -> final -> suspects) on one program. */
export interface LeakHuntState {
  /** The program the baseline was taken of; null before any baseline. */
  program: { key: string; label: string; ended: boolean } | null;
  baseline: SnapshotInfo | null;
  target: SnapshotInfo | null;
  final: SnapshotInfo | null;
  /** Runs of `lastAction` done for the user since the baseline (runs done by hand are not counted). */
  actionRuns: number;
  lastAction: string | null;
}

export interface SidebarState {
  targets: SidebarTarget[];
  /** A non-Node debug session is active (explains why nothing can be attached). */
  otherSession: string | null;
  snapshots: SnapshotInfo[];
  selectedSnapshotId: number | null;
  summary: HeapSummary | null;
  summaryError: string | null;
  capture: CaptureState | null;
  hunt: LeakHuntState;
}

export type HostToSidebar = { type: 'state'; state: SidebarState };

export type SidebarCommand =
  | 'takeSnapshot'
  | 'attach'
  | 'openFile'
  | 'findRetainingCycles'
  | 'startRecording'
  | 'stopRecording'
  | 'cancelCapture'
  | 'startDebugging'
  | 'takeBaseline'
  | 'runAction'
  | 'takeTarget'
  | 'takeFinal'
  | 'showSuspects'
  | 'compareSnapshots';

export const SIDEBAR_COMMANDS: readonly SidebarCommand[] = [
  'takeSnapshot', 'attach', 'openFile', 'findRetainingCycles', 'startRecording', 'stopRecording', 'cancelCapture', 'startDebugging',
  'takeBaseline', 'runAction', 'takeTarget', 'takeFinal', 'showSuspects', 'compareSnapshots',
];

export type SidebarToHost =
  | { type: 'ready' }
  | { type: 'command'; command: SidebarCommand; target?: string }
  | { type: 'selectSnapshot'; snapshotId: number }
  | { type: 'inspect'; snapshotId: number; heapId: number }
  | { type: 'openClass'; snapshotId: number; name: string }
  | { type: 'releaseSnapshot'; snapshotId: number };

// ---------------------------------------------------------------------------------------------------------------
// The comparison panel: leak suspects and classes of 2 or 3 snapshots

export interface ComparisonModel {
  comparison: SnapshotComparison;
  /** The analysed snapshot the suspects' ids belong to (the last compared): their retention trees open from it. */
  lastSnapshotId: number;
}

export type HostToComparison =
  | { type: 'show'; model: ComparisonModel }
  | { type: 'status'; kind: 'busy' | 'error' | 'info'; message: string };

export type ComparisonToHost =
  | { type: 'ready' }
  | { type: 'inspect'; heapId: number }
  | { type: 'openLocation'; location: Pick<SourceLocation, 'url' | 'line' | 'column'> };

// ---------------------------------------------------------------------------------------------------------------
// The read-only editor of a .heapsnapshot file: its summary, and a way to compare it

export interface SnapshotFileModel {
  fileName: string;
  /** Set once the worker has read and analysed the file. */
  snapshot: SnapshotInfo | null;
  summary: HeapSummary | null;
  /** A sentence when the file could not be read, analysed or summarised. */
  error: string | null;
  /** Reading progress while the file is parsed. */
  progress: CaptureState | null;
}

export type HostToSnapshotFile = { type: 'show'; model: SnapshotFileModel };

export type SnapshotFileToHost =
  | { type: 'ready' }
  | { type: 'inspect'; heapId: number }
  | { type: 'openClass'; name: string }
  | { type: 'compare' }
  | { type: 'cancel' };

// ---------------------------------------------------------------------------------------------------------------
// Validation of what a webview sends

type Fields = Record<string, unknown>;

function isRecord(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-negative safe integer (heap ids, snapshot ids, offsets, request ids). */
function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isText(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length <= max;
}

function parseLocation(v: unknown): Pick<SourceLocation, 'url' | 'line' | 'column'> | null {
  if (!isRecord(v) || !isText(v.url, 4096) || !isIndex(v.line) || !isIndex(v.column)) return null;
  return { url: v.url, line: v.line, column: v.column };
}

function parseRows(v: unknown): RenderedRow[] | null {
  if (!Array.isArray(v) || v.length > 5000) return null;
  const rows: RenderedRow[] = [];
  for (const r of v) {
    if (!isRecord(r) || !isIndex(r.level) || !isText(r.text, 20_000) || !isText(r.section, 32)) return null;
    if (!(r.heapId === null || isIndex(r.heapId))) return null;
    if (typeof r.cycle !== 'boolean' || !(r.expanded === null || typeof r.expanded === 'boolean')) return null;
    if (!(r.location === null || isText(r.location, 4096))) return null;
    rows.push({ level: r.level, text: r.text, section: r.section, heapId: r.heapId, cycle: r.cycle, expanded: r.expanded, location: r.location });
  }
  return rows;
}

/** A typed panel message, or null when `v` is not one (wrong shape, wrong types, out of range). */
export function parsePanelMessage(v: unknown): PanelToHost | null {
  if (!isRecord(v) || typeof v.type !== 'string') return null;
  switch (v.type) {
    case 'ready':
      return { type: 'ready' };
    case 'back':
      return { type: 'back' };
    case 'openLocation': {
      const location = parseLocation(v.location);
      return location ? { type: 'openLocation', location } : null;
    }
    case 'loadRetainers':
      return isIndex(v.requestId) && isIndex(v.snapshotId) && isIndex(v.heapId) && isIndex(v.offset)
        ? { type: 'loadRetainers', requestId: v.requestId, snapshotId: v.snapshotId, heapId: v.heapId, offset: v.offset }
        : null;
    case 'inspect':
      return isIndex(v.snapshotId) && isIndex(v.heapId) ? { type: 'inspect', snapshotId: v.snapshotId, heapId: v.heapId } : null;
    case 'rendered': {
      const rows = parseRows(v.rows);
      return rows && isIndex(v.generation) ? { type: 'rendered', generation: v.generation, rows } : null;
    }
    default:
      return null;
  }
}

/** A typed sidebar message, or null when `v` is not one. */
export function parseSidebarMessage(v: unknown): SidebarToHost | null {
  if (!isRecord(v) || typeof v.type !== 'string') return null;
  switch (v.type) {
    case 'ready':
      return { type: 'ready' };
    case 'command': {
      const command = SIDEBAR_COMMANDS.find((c) => c === v.command);
      if (!command) return null;
      if (v.target !== undefined && !isText(v.target, 512)) return null;
      return v.target === undefined ? { type: 'command', command } : { type: 'command', command, target: v.target };
    }
    case 'selectSnapshot':
    case 'releaseSnapshot':
      return isIndex(v.snapshotId) ? { type: v.type, snapshotId: v.snapshotId } : null;
    case 'inspect':
      return isIndex(v.snapshotId) && isIndex(v.heapId) ? { type: 'inspect', snapshotId: v.snapshotId, heapId: v.heapId } : null;
    case 'openClass':
      return isIndex(v.snapshotId) && isText(v.name, 1024) ? { type: 'openClass', snapshotId: v.snapshotId, name: v.name } : null;
    default:
      return null;
  }
}

/** A typed comparison-panel message, or null when `v` is not one. */
export function parseComparisonMessage(v: unknown): ComparisonToHost | null {
  if (!isRecord(v) || typeof v.type !== 'string') return null;
  switch (v.type) {
    case 'ready':
      return { type: 'ready' };
    case 'inspect':
      return isIndex(v.heapId) ? { type: 'inspect', heapId: v.heapId } : null;
    case 'openLocation': {
      const location = parseLocation(v.location);
      return location ? { type: 'openLocation', location } : null;
    }
    default:
      return null;
  }
}

/** A typed message of the .heapsnapshot editor's page, or null when `v` is not one. */
export function parseSnapshotFileMessage(v: unknown): SnapshotFileToHost | null {
  if (!isRecord(v) || typeof v.type !== 'string') return null;
  switch (v.type) {
    case 'ready':
    case 'compare':
    case 'cancel':
      return { type: v.type };
    case 'inspect':
      return isIndex(v.heapId) ? { type: 'inspect', heapId: v.heapId } : null;
    case 'openClass':
      return isText(v.name, 1024) ? { type: 'openClass', name: v.name } : null;
    default:
      return null;
  }
}

export type { ObjectReport, HeapSummary, RetentionReport };
