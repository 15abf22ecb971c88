/**
 * For one object: why it is alive (shortest retaining paths from GC roots), the cycles it is part of, and which
 * reference to break. This module puts the report together; the work is in one module each:
 *   retainerPaths.ts  the paths from the roots
 *   cycles.ts         the cycles and the strongly connected component
 *   readableSteps.ts  how a path reads (engine storage folded into its owner, repeated links folded into one row)
 *   fixes.ts          the fix policy, over holders.ts (what Node and libraries keep references in, as data)
 * Works on ordinals and typed arrays; builds objects only for what goes into the report.
 */
import { CycleFinder } from './cycles';
import { NO_DISTANCE, SYSTEM_DISTANCE } from './distances';
import { FixPolicy } from './fixes';
import type { HeapGraph } from './heapGraph';
import type { LocationIndex } from './locations';
import { foldRepeats, StepReader, type ReadableStep } from './readableSteps';
import { distanceFields, isDebuggerHandle, type Cycle, type HeldBy, type RetainingPath, type RetentionReport, type Step, type Suggestion } from './report';
import { RetainerPaths } from './retainerPaths';
import { RetainerCache, type RawStep } from './retainers';
import { displayName, type EdgeSemantics } from './semantics';

export { shortUrl } from './fixes';

export interface ReportOptions {
  /** Distinct retaining paths to return (default 5). */
  maxPaths?: number;
  /** Cycles to return (default 8). */
  maxCycles?: number;
  /** Longest cycle searched for, in raw references (default 12). */
  maxCycleLength?: number;
  /** Also list cycles that run only through engine machinery (default false: they are counted, not listed). */
  includeInternalCycles?: boolean;
}

/** The parts of the analysis a query reads. */
export interface AnalysisParts {
  graph: HeapGraph;
  distances: Uint32Array;
  dominator: Uint32Array;
  retainedSize: Float64Array;
  /** FLAG_USER_REACHABLE per node (see distances.ts). */
  userReachable: Uint8Array;
  semantics: EdgeSemantics;
  locations: LocationIndex;
}

export class RetentionQuery {
  private readonly g: HeapGraph;
  private readonly retainers: RetainerCache;
  private readonly paths: RetainerPaths;
  private readonly cycleFinder: CycleFinder;
  private readonly reader: StepReader;
  private readonly fixes: FixPolicy;

  constructor(private readonly parts: AnalysisParts) {
    this.g = parts.graph;
    this.retainers = new RetainerCache(parts.graph);
    this.paths = new RetainerPaths(parts, this.retainers);
    const counts = (from: number, edge: number) => this.paths.counts(from, edge);
    this.cycleFinder = new CycleFinder(parts, this.retainers, counts);
    this.reader = new StepReader(parts);
    this.fixes = new FixPolicy(parts, this.retainers, this.reader, counts);
  }

  report(target: number, options: ReportOptions = {}): RetentionReport {
    const maxPaths = options.maxPaths ?? 5;
    const maxCycles = options.maxCycles ?? 8;
    const maxCycleLength = options.maxCycleLength ?? 12;
    const { distances } = this.parts;
    const notes: string[] = [];

    const rawPaths = this.retainingPaths(target, maxPaths);
    const { cycles: rawCycles, componentSize, hidden } = this.cycleFinder.cycles(target, maxCycles, maxCycleLength, options.includeInternalCycles ?? false);
    // What the fix policy reads (the holders of the objects on the paths and cycles), in one sweep.
    this.retainers.prefetch(new Set([...rawPaths, ...rawCycles].flatMap((raw) => raw.flatMap((r) => [r.from, r.to]))));
    const readablePaths = rawPaths.map((raw) => this.readableSteps(raw));
    const heldBy = rawPaths.map((raw) => this.heldBy(raw, target));
    const allPaths: RetainingPath[] = rawPaths.map((raw, i) => {
      const rootNode = raw.length ? raw[0].from : target;
      const system = heldBy[i] !== 'program';
      const folded = this.folded(readablePaths[i], this.fixes.suggest(readablePaths[i], 'path'));
      return { steps: folded.steps, root: displayName(this.g, rootNode), system, heldBy: heldBy[i], suggestion: folded.suggestion };
    });
    // The debugger's own handles hold the object only while it is inspected: shown apart, not as reasons.
    const paths = allPaths.filter((p) => p.heldBy !== 'debugger');
    const debuggerPaths = allPaths.filter((p) => p.heldBy === 'debugger');

    const cycles: Cycle[] = rawCycles.map((raw) => {
      const steps = this.readableSteps(raw);
      const folded = this.folded(steps, this.fixes.suggest(steps, 'cycle'));
      return { steps: folded.steps, suggestion: folded.suggestion };
    });

    const heldOnlyBySystem = distances[target] !== NO_DISTANCE && distances[target] >= SYSTEM_DISTANCE;
    const heldOnlyByDebugger = heldOnlyBySystem && paths.length === 0 && debuggerPaths.length > 0;
    if (distances[target] === NO_DISTANCE) {
      notes.push('Nothing reachable from a GC root holds this object: it is garbage and goes at the next collection.');
    } else if (heldOnlyByDebugger) {
      notes.push('Only the debugger holds this object (the console, the Variables view or this tool\'s own handles); it is released when you resume or clear the console, so it is not a leak in your code.');
    } else if (heldOnlyBySystem) {
      notes.push(this.systemNote(allPaths));
    }
    if (debuggerPaths.length > 0 && !heldOnlyByDebugger) {
      notes.push(`The debugger also holds it (${debuggerPaths.length} path${debuggerPaths.length === 1 ? '' : 's'}, shown apart): released when you resume.`);
    }
    if (hidden > 0 && !options.includeInternalCycles) {
      notes.push(`${hidden} more cycle${hidden === 1 ? '' : 's'} through engine internals (hidden classes, prototypes, constructors) ${hidden === 1 ? 'is' : 'are'} left out.`);
    }
    for (const closer of this.cycleFinder.lastWeakClosers.slice(0, 3)) {
      const steps = this.readableSteps(closer).map((s) => s.step.label).join(' ');
      const holder = closer[closer.length - 1].from;
      notes.push(`A weak reference closes a cycle back to it (${steps}): ${displayName(this.g, holder)} @${this.g.nodeId[holder]} holds it weakly, so that cycle does not keep it alive.`);
    }
    if (rawCycles.length === 0 && componentSize <= 1) notes.push('The object is not part of any cycle of your own references.');
    if (allPaths.some((p) => p.steps.some((s) => s.folded)) || cycles.some((c) => c.steps.some((s) => s.folded))) {
      notes.push('Runs of the same link repeated are folded into one step ("N x ..."); expand it to see each.');
    }

    const first = allPaths.findIndex((p) => p.heldBy !== 'debugger');
    const rawFix = first >= 0 ? this.fixes.cutEdgeFix(target, readablePaths[first], paths.indexOf(allPaths[first])) : null;
    const fix = rawFix ? { ...rawFix, step: foldRepeats(readablePaths[first].map((s) => s.step)).index[rawFix.step] } : null;
    const object = this.reportNode(target);
    const allocation = this.parts.locations.allocationStack(target);
    if (allocation.length) object.allocationStack = allocation;
    const report: RetentionReport = {
      object,
      paths,
      cycles,
      fix,
      componentSize,
      hiddenCycles: options.includeInternalCycles ? 0 : hidden,
      heldOnlyBySystem,
      heldOnlyByDebugger,
      notes,
    };
    if (debuggerPaths.length > 0) report.debuggerPaths = debuggerPaths;
    return report;
  }

  reportNode(node: number): RetentionReport['object'] {
    const g = this.g;
    return {
      id: g.nodeId[node],
      type: g.typeName(node),
      name: g.name(node),
      location: this.parts.locations.locate(node),
      selfSize: g.nodeSelfSize[node],
      retainedSize: this.parts.retainedSize[node],
      ...distanceFields(this.parts.distances[node]),
    };
  }

  retainingPaths(target: number, maxPaths: number): RawStep[][] {
    return this.paths.retainingPaths(target, maxPaths);
  }

  cycles(target: number, maxCycles: number, maxLength: number, includeInternal: boolean): { cycles: RawStep[][]; componentSize: number; hidden: number } {
    return this.cycleFinder.cycles(target, maxCycles, maxLength, includeInternal);
  }

  readableSteps(raw: RawStep[]): ReadableStep[] {
    return this.reader.readableSteps(raw);
  }

  /** The steps with repeated links folded, and the suggestion's step renumbered to match. */
  private folded(steps: ReadableStep[], suggestion: Suggestion | null): { steps: Step[]; suggestion: Suggestion | null } {
    const folded = foldRepeats(steps.map((s) => s.step));
    return { steps: folded.steps, suggestion: suggestion ? { ...suggestion, step: folded.index[suggestion.step] } : null };
  }

  /** Who holds the start of a path: the program (a user root), the debugger's own handles, or the engine. */
  private heldBy(raw: RawStep[], target: number): HeldBy {
    const g = this.g;
    const { distances } = this.parts;
    const rootNode = raw.length ? raw[0].from : target;
    const system = raw.length === 0 ? distances[target] >= SYSTEM_DISTANCE : distances[rootNode] >= SYSTEM_DISTANCE && rootNode !== g.rootOrdinal;
    const direct = raw.length > 0 && rootNode === g.rootOrdinal && distances[raw[0].to] >= SYSTEM_DISTANCE;
    if (!system && !direct) return 'program';
    const first = raw[0];
    if (isDebuggerHandle(g.name(rootNode), first ? g.edgeName(first.edge) : undefined)) return 'debugger';
    return 'system';
  }

  /** Why an object no user root reaches is still alive, in words: what holds it can still be the program's leak. */
  private systemNote(paths: RetainingPath[]): string {
    const roots = new Set(paths.filter((p) => p.heldBy === 'system').map((p) => p.root ?? ''));
    const what: string[] = [];
    if (roots.has('(Stack roots)')) what.push('a function that is still running or suspended (its stack frame: top-level code that awaits, a loop, an async function waiting)');
    if (roots.has('(Global handles)')) what.push('a native handle (a socket, a server, a timer or another resource still open)');
    if (what.length === 0) what.push(`engine roots (${[...roots].join(', ') || 'system'})`);
    return `No path from the program's global object reaches it; it is held through ${what.join(' and ')}. That is still your program's reference while that runs or stays open: follow the path.`;
  }
}
