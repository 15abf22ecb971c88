/**
 * Plain, serialisable results of a snapshot comparison (comparison.ts, suspects.ts): the CLI prints them, the worker
 * posts them to the extension host, the host to the webview. Nothing here refers to the graph's typed arrays.
 */
import type { ReportNode, SourceLocation } from './report';

export interface ComparedSnapshot {
  label: string;
  /** Live objects counted (reachable; the synthetic roots left out). */
  objectCount: number;
  /** Their shallow sizes together. */
  totalSize: number;
  maxId: number;
}

export interface ClassComparison {
  name: string;
  /** Per snapshot, in the order compared. */
  counts: number[];
  /** Shallow bytes per snapshot. */
  sizes: number[];
  /** Last minus baseline. */
  countDelta: number;
  sizeDelta: number;
  /** Objects new since the baseline and alive in the last snapshot. */
  newCount: number;
  /** Shallow bytes of those. */
  newSize: number;
  /** Bytes they retain (an instance inside another new instance of the class counted once). */
  newRetainedSize: number;
  /** Objects of the baseline gone from the last snapshot. */
  freedCount: number;
  /** The largest new instances (retained), a way into the retention tree of the last snapshot. */
  newIds: number[];
  /** Where the class is constructed. */
  location: SourceLocation | null;
  /** Constructed in the program's own scripts (not Node's internals): listed first. */
  own: boolean;
}

export interface SnapshotComparison {
  snapshots: ComparedSnapshot[];
  /** 'two': baseline and target; 'three': baseline, target and final (suspects must be alive in the final one). */
  method: 'two' | 'three';
  /** Classes where something changed: own classes first, then by the retained size of their new objects. */
  classes: ClassComparison[];
  /** Classes that changed in all (more than `classes` when cut at classLimit). */
  classCount: number;
  suspects: LeakSuspects;
  notes: string[];
}

/** One step of a signature: the reference (`.cache`, `[]`, `Map entry`; '' from the root) and the class reached. */
export interface SignatureStep {
  edge: string;
  className: string;
}

export interface SuspectGroup {
  /** From a root to the suspects, repeated links folded. */
  signature: SignatureStep[];
  /** The suspects' class (the signature's last step). */
  className: string;
  /** Suspects in the group (each an outermost new object). */
  count: number;
  /** New objects in the group: the suspects and the new objects inside them. */
  objects: number;
  /** Bytes they retain together. */
  retainedSize: number;
  /** The one retaining the most: open its retention tree to see what to break. */
  representative: ReportNode;
  /** Up to 5 ids, largest retained first. */
  ids: number[];
}

export interface LeakSuspects {
  groups: SuspectGroup[];
  /** All groups found (more than `groups` when cut at maxGroups). */
  groupCount: number;
  /** Suspects in all groups, and the bytes they retain. */
  count: number;
  retainedSize: number;
  /** New objects that are not suspects, by reason. */
  leftOut: {
    /** Made after the baseline, gone by the final snapshot or made after the target (3-snapshot method). */
    transient: number;
    /** Held only by engine or debugger handles. */
    systemOnly: number;
    /** Engine machinery, or reached only through it. */
    warmUp: number;
    /** Groups of one small new object (see singleObjectBytes). */
    single: number;
  };
}
