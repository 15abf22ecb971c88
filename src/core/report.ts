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
 * Roots V8 names for the debugger's own handles (src/objects/visitors.h, ROOT_ID_LIST). Objects the inspector keeps
 * for a client (remote objects of an object group) sit under "(Global handles)" with everything else, so only these
 * are told apart.
 */
const DEBUGGER_ROOTS = new Set(['(Debugger)']);

/** The report's object is held by the debugger when every path to it starts at one of the debugger's roots. */
export function withDebuggerHolder(report: RetentionReport): RetentionReport {
  const o = report.object;
  if (o.heldBy === 'system' && report.paths.length > 0 && report.paths.every((p) => p.system && p.root !== undefined && DEBUGGER_ROOTS.has(p.root))) {
    o.heldBy = 'debugger';
  }
  return report;
}
