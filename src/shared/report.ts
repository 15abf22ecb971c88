/**
 * Plain, serialisable results that leave the core: the CLI prints them, the worker posts them to the
 * extension host, the extension posts them to the webview. Nothing here refers to the graph's typed arrays; types
 * only, so the webview and the extension can read them without the core. The core builds them (src/core/report.ts).
 *
 * Lines and columns are 1-based here (V8 stores them 0-based; the core converts once, at the edge).
 */

export interface SourceLocation {
  /** Script URL as V8 knows it (file:///..., node:internal/..., or a path), or '' when only the script id is known. */
  url: string;
  line: number;
  column: number;
  /** V8's script id, kept so a live session can resolve URLs the snapshot did not name. */
  scriptId?: number;
  /** How the location was found. */
  origin?: 'function' | 'constructor' | 'allocation' | 'source-map' | 'site';
}

export interface ReportNode {
  /** V8 heap object id (the `@123` in DevTools). */
  id: number;
  /** V8 node type: object, closure, array, string, hidden, code, synthetic, native, ... */
  type: string;
  /** Constructor or function name as DevTools shows it (`Widget`, `onData`, `system / Context`). */
  name: string;
  location: SourceLocation | null;
  selfSize?: number;
  retainedSize?: number;
  /**
   * References from the nearest root that holds it: from the program's roots (DevTools' distance) when `heldBy` is
   * 'program', else from the engine's or debugger's handles. Null when nothing holds it (collected at the next GC).
   */
  distance?: number | null;
  /** Who holds it: the program, only the engine's handles, only the debugger's; null when nothing does. */
  heldBy?: HeldBy | null;
  /** Where the object was allocated, innermost frame first (only when allocations were recorded). */
  allocationStack?: SourceLocation[];
}

export type HeldBy = 'program' | 'system' | 'debugger';

export interface ReportEdge {
  /** V8 edge type: context, element, property, internal, hidden, shortcut, weak. */
  type: string;
  name: string;
}

export interface Step {
  from: ReportNode;
  edge: ReportEdge;
  to: ReportNode;
  /** A readable rendering of the edge: "closure captures `widget`", ".parent", "[3]", "Map entry". */
  label?: string;
  /** Engine-internal nodes folded into this step (a closure's Context, an array's backing store). */
  via?: ReportNode[];
  /**
   * A run of the same link repeated (same reference, same classes: a FinalizationRegistry's WeakCell list, a listener
   * list's `.next`, a promise chain) shown as this one step, from the run's first `from` to its last `to`; these are
   * the steps it stands for, in order. The label reads "280 x WeakCell .next".
   */
  folded?: Step[];
}

export type FixKind = 'weak-ref' | 'weak-map' | 'remove-listener' | 'dispose' | 'delete-entry' | 'clear-timer';

/**
 * The reference a fix names, for tools that go on to find the line creating it: the holder, the reference, and per
 * kind the event and listener, the container and key, or the timer.
 */
export interface FixTarget {
  /**
   * Which kind of holder recognised it (src/core/holders.ts): 'event-emitter', 'event-target', 'timer', 'map-entry',
   * 'set-entry', 'weak-map', 'array-registry', 'object-registry', 'finalization-registry', 'promise-reaction', or for
   * the general rules 'back-reference', 'property', 'element', 'closure-variable'.
   */
  holder: string;
  /** The object that holds the reference: the emitter, the signal, the Map, the array, the registry object, the Timeout. */
  node: ReportNode;
  /** The reference itself (for listeners: the slot that holds the listener). */
  edge: ReportEdge;
  /** How the program names the holder (`task.emitter`, `scheduledJobs`, `Pusher.instances`), when something names it. */
  expression?: string;
  /** Listeners: the event name. */
  event?: string;
  /** Listeners: the function registered (a once() wrapper's inner function), with its location. Timers: the callback. */
  listener?: ReportNode;
  /** Entries and listeners: the container the reference sits in (the `_events` object, the Map, the array). */
  container?: ReportNode;
  /** Entries: the key or index, as source text (`"<Anonymous Job 1>"`, `2`). */
  key?: string;
  /** Timers: the Timeout object. */
  timer?: ReportNode;
  /** The code the fix suggests, alone (`emitter.off("close", onSocketClose)`). */
  code?: string;
}

export interface Suggestion {
  /** Index into the `steps` of the path or cycle it belongs to. */
  step: number;
  kind: FixKind;
  /** What to do, in words, naming the user's own objects. */
  fix: string;
  /** Why this edge. */
  reason: string;
  /** The reference named, in parts (see FixTarget). */
  target?: FixTarget;
  /**
   * The line that creates the reference (the `.on(`, `.set(`, `.push(`, `this.parent =`, `setInterval(` call or
   * assignment), source-mapped; absent when no script shows it (Node's own storage, a script that does not parse).
   */
  site?: SourceLocation;
  /** Every such line found, most likely first (`site` is the first). */
  sites?: SourceLocation[];
}

export interface RetainingPath {
  /** From a GC root (first `from`) to the object (last `to`). */
  steps: Step[];
  /** The root this path starts at, as DevTools names it (`global`, `(Global handles)`). */
  root?: string;
  /** True when the path starts at a system root rather than a user root (held only by engine or debugger handles). */
  system?: boolean;
  /**
   * Who holds the path's start, as ReportNode.heldBy says it for an object: the program (a user root), only the
   * engine's handles ('system': a stack frame, a native handle such as a socket or a suspended async function), or
   * the debugger's (the console, the Variables view, this tool's own handles).
   */
  heldBy?: HeldBy;
  suggestion?: Suggestion | null;
}

export interface Cycle {
  /** Starts and ends at the object. */
  steps: Step[];
  suggestion: Suggestion | null;
}

export interface RetentionReport {
  object: ReportNode & { selfSize: number; retainedSize: number; distance: number | null; heldBy: HeldBy | null };
  /** Shortest first; each ends at the object. */
  paths: RetainingPath[];
  cycles: Cycle[];
  /** The single reference whose removal frees the object, when there is one (a cut edge on every path from roots). */
  fix?: (Suggestion & { path: number }) | null;
  /** Size of the strongly connected component the object belongs to (user-level edges). */
  componentSize: number;
  /** Cycles left out because they run only through engine machinery (maps, prototypes, constructors, internals). */
  hiddenCycles: number;
  /** True when the object is held only by engine or debugger handles, not by anything the program reaches. */
  heldOnlyBySystem: boolean;
  /**
   * True when the only holders are the debugger's (console, Variables view, this tool): released when you resume.
   * Then `object.heldBy` is 'debugger'.
   */
  heldOnlyByDebugger?: boolean;
  /**
   * Paths that start at the debugger's own handles, shown apart: they hold the object only while you are paused or
   * inspecting it, and are not reasons it is alive.
   */
  debuggerPaths?: RetainingPath[];
  /** Sentences worth telling the user (why a list is short, what was folded). */
  notes: string[];
}

export interface ClassSummary {
  name: string;
  count: number;
  selfSize: number;
  retainedSize: number;
  /** Up to a few instance ids, largest retained first: a way into the tree. */
  topIds: number[];
  /** Where the class is constructed (its largest instance's constructor). */
  location?: SourceLocation | null;
  /** True when that is in the program's own scripts (not Node's internals); such classes are listed first. */
  own?: boolean;
}

export interface HeapSummary {
  nodeCount: number;
  edgeCount: number;
  totalSize: number;
  /** Largest objects by retained size (excluding the synthetic roots). */
  largestRetainers: ReportNode[];
  classes: ClassSummary[];
}

/** One retainer of a node, as the tree shows it when a user expands a row. */
export interface RetainerEntry {
  edge: ReportEdge;
  label: string;
  node: ReportNode;
}

export interface RetainerPage {
  id: number;
  offset: number;
  total: number;
  entries: RetainerEntry[];
}
