/**
 * Building the result objects (their types are in src/shared/report.ts, re-exported here): the parts of a DTO
 * that translate the analysis' internal encodings into what the result says.
 */
import type { HeldBy, RetentionReport } from '../shared/report';
import { NO_DISTANCE, SYSTEM_DISTANCE } from './distances';

export type * from '../shared/report';

/**
 * A node's distance as the result says it: the analysis measures objects held only by engine or debugger handles
 * from SYSTEM_DISTANCE on, so that they sort after the program's; no result carries that offset.
 */
export function distanceFields(measured: number): { distance: number | null; heldBy: HeldBy | null } {
  if (measured === NO_DISTANCE) return { distance: null, heldBy: null };
  if (measured >= SYSTEM_DISTANCE) return { distance: measured - SYSTEM_DISTANCE, heldBy: 'system' };
  return { distance: measured, heldBy: 'program' };
}

/**
 * Roots V8 names for the debugger's own handles (src/objects/visitors.h, ROOT_ID_LIST: `(Debugger)`; older builds
 * said `(Debug)`).
 */
const DEBUGGER_ROOTS = new Set(['(Debugger)', '(Debug)']);
/**
 * The inspector's own global handles (remote objects of the console and the Variables view, console messages) sit
 * under "(Global handles)" with everything else; V8 annotates their edges "DevTools console".
 */
const DEBUGGER_HANDLE = /DevTools|[Ii]nspector/;

/**
 * True when a path that starts outside the program (at `rootName`, through a first reference named `firstEdge`)
 * starts at one of the debugger's own handles: then the path's `heldBy` is 'debugger'.
 */
export function isDebuggerHandle(rootName: string, firstEdge: string | undefined): boolean {
  return DEBUGGER_ROOTS.has(rootName) || (firstEdge !== undefined && DEBUGGER_HANDLE.test(firstEdge));
}

/**
 * The report's object is held by the debugger when only the debugger's handles hold it (its paths are all in
 * `debuggerPaths`): `object.heldBy` says so, in the same terms as each path's `heldBy`.
 */
export function withDebuggerHolder(report: RetentionReport): RetentionReport {
  if (report.object.heldBy === 'system' && report.heldOnlyByDebugger) report.object.heldBy = 'debugger';
  return report;
}
