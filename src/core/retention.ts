/**
 * For one object: why it is alive (shortest retaining paths from GC roots), the cycles it is part of, and which
 * reference to break. Works on ordinals and typed arrays; builds objects only for what goes into the report.
 */
import { computeDistances, distancesWithout, FLAG_USER_REACHABLE, NO_DISTANCE, SYSTEM_DISTANCE } from './distances';
import type { HeapGraph } from './heapGraph';
import type { LocationIndex } from './locations';
import type { Cycle, FixKind, ReportNode, RetainingPath, RetentionReport, Step, Suggestion } from './report';
import { displayName, isUserEdgeFast, userEdgeKind, userEdgeTarget, type EdgeSemantics, type UserEdgeTables } from './semantics';
import { doubled } from './typedArrays';

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

/** A raw reference: edge ordinal plus its ends. */
interface RawStep { from: number; edge: number; to: number }

const BACK_REFERENCE_NAMES = /^(parent|parentNode|prev|previous|prevSibling|previousSibling|owner|container|host|back|up|outer|root|manager|context|ctx|self|creator|source|opener|_parent|_owner|_prev)$/i;
const LISTENER_CONTAINER = /^(_events|_eventsCount|listeners|_listeners|handlers|_handlers|callbacks|_callbacks|subscribers|observers|__listeners)$/;

export class RetentionQuery {
  private readonly g: HeapGraph;

  constructor(private readonly parts: AnalysisParts) {
    this.g = parts.graph;
  }

  report(target: number, options: ReportOptions = {}): RetentionReport {
    const maxPaths = options.maxPaths ?? 5;
    const maxCycles = options.maxCycles ?? 8;
    const maxCycleLength = options.maxCycleLength ?? 12;
    const { distances } = this.parts;
    const notes: string[] = [];

    const rawPaths = this.retainingPaths(target, maxPaths);
    const paths: RetainingPath[] = rawPaths.map((raw) => {
      const steps = this.readableSteps(raw);
      const rootNode = raw.length ? raw[0].from : target;
      const system = distances[rootNode] >= SYSTEM_DISTANCE && rootNode !== this.g.rootOrdinal;
      return { steps: steps.map((s) => s.step), root: displayName(this.g, rootNode), system, suggestion: this.suggest(raw, steps, 'path') };
    });

    const { cycles: rawCycles, componentSize, hidden } = this.cycles(target, maxCycles, maxCycleLength, options.includeInternalCycles ?? false);
    const cycles: Cycle[] = rawCycles.map((raw) => {
      const steps = this.readableSteps(raw);
      return { steps: steps.map((s) => s.step), suggestion: this.suggest(raw, steps, 'cycle') };
    });

    const heldOnlyBySystem = distances[target] !== NO_DISTANCE && distances[target] >= SYSTEM_DISTANCE;
    if (distances[target] === NO_DISTANCE) {
      notes.push('Nothing reachable from a GC root holds this object: it is garbage and goes at the next collection.');
    } else if (heldOnlyBySystem) {
      notes.push('Only engine or debugger handles hold this object (no path from the program\'s global object); it is not a leak in your code.');
    }
    if (hidden > 0 && !options.includeInternalCycles) {
      notes.push(`${hidden} more cycle${hidden === 1 ? '' : 's'} through engine internals (hidden classes, prototypes, constructors) ${hidden === 1 ? 'is' : 'are'} left out.`);
    }
    for (const closer of this.lastWeakClosers.slice(0, 3)) {
      const steps = this.readableSteps(closer).map((s) => s.step.label).join(' ');
      const holder = closer[closer.length - 1].from;
      notes.push(`A weak reference closes a cycle back to it (${steps}): ${displayName(this.g, holder)} @${this.g.nodeId[holder]} holds it weakly, so that cycle does not keep it alive.`);
    }
    if (rawCycles.length === 0 && componentSize <= 1) notes.push('The object is not part of any cycle of your own references.');

    const fix = this.cutEdgeFix(target, rawPaths[0], paths[0]);
    const object = this.reportNode(target) as RetentionReport['object'];
    const allocation = this.parts.locations.allocationStack(target);
    if (allocation.length) object.allocationStack = allocation;
    return {
      object,
      paths,
      cycles,
      fix,
      componentSize,
      hiddenCycles: options.includeInternalCycles ? 0 : hidden,
      heldOnlyBySystem,
      notes,
    };
  }

  reportNode(node: number): ReportNode & { selfSize: number; retainedSize: number; distance: number | null } {
    const g = this.g;
    const d = this.parts.distances[node];
    return {
      id: g.nodeId[node],
      type: g.typeName(node),
      name: g.name(node),
      location: this.parts.locations.locate(node),
      selfSize: g.nodeSelfSize[node],
      retainedSize: this.parts.retainedSize[node],
      distance: d === NO_DISTANCE ? null : d,
    };
  }

  // ---- Paths from the roots ----

  /**
   * V8 reports out-of-object properties and elements twice: as edges from the object and as slots of its backing
   * store (`(object properties)`, `(object elements)`, `system / PropertyArray`, a global's `system / PropertyCell`).
   * The store's copy is a shadow: not a second reference a user could break.
   */
  private isShadow(from: number): boolean {
    return this.parts.semantics.isShadowStore(from);
  }

  /** Does this reference count for reachability (DevTools' rules)? */
  private counts(from: number, edge: number): boolean {
    const type = this.g.edgeType[edge];
    if (type === this.g.edges.weak) return false;
    return type !== this.g.edges.shortcut || from === this.g.rootOrdinal;
  }

  /**
   * Several distinct shortest paths, shortest first: one per reference that holds the object directly, each
   * continued by a shortest path to that retainer that does not pass through the object.
   */
  retainingPaths(target: number, maxPaths: number): RawStep[][] {
    const g = this.g;
    const { distances } = this.parts;
    if (distances[target] === NO_DISTANCE || target === g.rootOrdinal || maxPaths <= 0) return [];
    const candidates: { path: RawStep[]; length: number; system: boolean }[] = [];
    const direct = this.rets(target).filter(({ from, edge }) => this.counts(from, edge) && distances[from] !== NO_DISTANCE && from !== target && !this.isShadow(from));
    const prefixes = this.shortestPathsTo(direct.map((r) => r.from), target, distances);
    // A holder whose every shortest way in runs through the object itself: measure the heap again without the
    // object (one pass, only when needed) and take the shortest way that avoids it.
    const blocked = prefixes.flatMap((p, i) => (p === null ? [i] : []));
    const holderDistance = direct.map(({ from }) => distances[from]);
    if (blocked.length > 0) {
      const without =
        distancesWithout(g, distances, target, g.nodeCount >>> 3) ?? computeDistances(g, target, blocked.map((i) => direct[i].from));
      const again = this.shortestPathsTo(blocked.map((i) => direct[i].from), target, without);
      blocked.forEach((i, k) => {
        prefixes[i] = again[k];
        holderDistance[i] = without[direct[i].from];
      });
    }
    direct.forEach(({ from, edge }, i) => {
      const prefix = prefixes[i];
      if (!prefix) return;
      prefix.push({ from, edge, to: target });
      // The synthetic root's own distance is SYSTEM_DISTANCE; what it links to directly is a user root or not by its own.
      const system = (from === g.rootOrdinal ? distances[target] : holderDistance[i]) >= SYSTEM_DISTANCE;
      candidates.push({ path: prefix, length: prefix.length, system });
    });
    candidates.sort((a, b) => Number(a.system) - Number(b.system) || a.length - b.length || this.pathScore(a.path) - this.pathScore(b.path));
    // Distinct: differing in the object that holds the target directly.
    const seen = new Set<number>();
    const out: RawStep[][] = [];
    for (const c of candidates) {
      const holder = c.path[c.path.length - 1].from;
      if (seen.has(holder)) continue;
      seen.add(holder);
      out.push(this.trimRoot(c.path));
      if (out.length >= maxPaths) break;
    }
    return out;
  }

  /**
   * Follows retainers down the distance gradient to a root, preferring the program's own references, for several
   * starting nodes at once: each round finds the retainers of every path's current node in one sweep.
   */
  private shortestPathsTo(starts: number[], avoid: number, distances: Uint32Array): (RawStep[] | null)[] {
    if (distances === this.parts.distances) return this.shortestPathsByParents(starts, avoid);
    const g = this.g;
    const steps: (RawStep[] | null)[] = starts.map(() => []);
    const current = starts.slice();
    for (let round = 0; round < 100_000; round++) {
      const open = current.map((c, i) => (c !== g.rootOrdinal && steps[i] ? i : -1)).filter((i) => i >= 0);
      if (open.length === 0) break;
      this.prefetch(open.map((i) => current[i]));
      for (const i of open) {
        const step = this.stepBack(current[i], avoid, distances);
        if (!step) {
          steps[i] = null;
          continue;
        }
        steps[i]!.push(step);
        current[i] = step.from;
      }
    }
    return steps.map((s) => (s ? s.reverse() : null));
  }

  /** Per object, the reference the walk down the distances steps back along (bestGradientEdges), made once. */
  private bestParent: ((node: number) => number) | null = null;

  /**
   * `shortestPathsTo` on the analysis' own distances without a sweep per step: each step follows the object's best
   * parent, found once for the whole heap. Only where that parent is `avoid` (an object one step farther than
   * `avoid`) does a step need the object's retainers, as the step-by-step walk reads them: those objects are
   * fetched together, one sweep per such round. The objects walked through get their retainers with the next sweep
   * anyone makes, as the step-by-step walk left them in the cache for the labels and fixes that read them.
   */
  private shortestPathsByParents(starts: number[], avoid: number): (RawStep[] | null)[] {
    const g = this.g;
    const root = g.rootOrdinal;
    const { distances } = this.parts;
    if (!this.bestParent) this.bestParent = bestGradientEdges(g, distances, NO_DISTANCE - 1, -1, this.parts.semantics.userEdgeTables());
    const parent = this.bestParent;
    const steps: (RawStep[] | null)[] = starts.map(() => []);
    const current = starts.slice();
    let paused = starts.map((_, i) => i);
    while (paused.length > 0) {
      const waiting: number[] = [];
      for (const i of paused) {
        let node = current[i];
        const path = steps[i]!;
        while (node !== root && path.length < 100_000) {
          if (this.pendingRetainers.length < 4096) this.pendingRetainers.push(node);
          const edge = parent(node);
          if (edge < 0) {
            steps[i] = null;
            break;
          }
          const from = g.edgeSource(edge);
          if (from === avoid) {
            waiting.push(i);
            break;
          }
          path.push({ from, edge, to: node });
          node = from;
        }
        current[i] = node;
      }
      if (waiting.length === 0) break;
      // The best parent is the object to avoid: the next best, from the retainers (one sweep for all of them).
      this.prefetch(waiting.map((i) => current[i]));
      paused = [];
      for (const i of waiting) {
        const step = this.stepBack(current[i], avoid, distances);
        if (!step) {
          steps[i] = null;
          continue;
        }
        steps[i]!.push(step);
        current[i] = step.from;
        paused.push(i);
      }
    }
    return steps.map((s) => (s ? s.reverse() : null));
  }

  /**
   * One step down the distance gradient from `node`, read from its retainers: among those other than `avoid` whose
   * reference counts and that are one step closer to a root (the synthetic root for objects at 1 or
   * SYSTEM_DISTANCE + 1), the first with the lowest `edgeScore`; null when there is none.
   */
  private stepBack(node: number, avoid: number, distances: Uint32Array): RawStep | null {
    const root = this.g.rootOrdinal;
    const d = distances[node];
    let best: RawStep | null = null;
    let bestScore = Infinity;
    for (const { from, edge } of this.rets(node)) {
      if (from === avoid || !this.counts(from, edge)) continue;
      const isStep = from === root ? d === 1 || d === SYSTEM_DISTANCE + 1 : distances[from] === d - 1;
      if (!isStep) continue;
      const score = this.edgeScore(from, edge, node);
      if (score < bestScore) {
        bestScore = score;
        best = { from, edge, to: node };
      }
    }
    return best;
  }

  // ---- Retainers, found by sweeping the edges (no reverse index is kept) ----

  /**
   * Retainer lists already swept for, in two generations: when the current one fills up it becomes the older one and
   * the oldest is dropped, so a batch just fetched survives the next batch (clearing everything at once made a loop
   * over a big batch sweep again for every member).
   */
  private retainerCache = new Map<number, { from: number; edge: number }[]>();
  private olderRetainers = new Map<number, { from: number; edge: number }[]>();
  /** Objects whose retainers a walk skipped: added to the next sweep (they are often read soon after). */
  private pendingRetainers: number[] = [];

  private cachedRetainers(node: number): { from: number; edge: number }[] | undefined {
    return this.retainerCache.get(node) ?? this.olderRetainers.get(node);
  }

  /** Finds the retainers of all of `nodes` not yet known, in one sweep. */
  private prefetch(nodes: Iterable<number>): void {
    const missing = new Set<number>();
    for (const n of nodes) if (!this.cachedRetainers(n)) missing.add(n);
    if (missing.size === 0) return;
    for (const n of this.pendingRetainers) if (!this.cachedRetainers(n)) missing.add(n);
    this.pendingRetainers = [];
    if (this.retainerCache.size > 16_384) {
      this.olderRetainers = this.retainerCache;
      this.retainerCache = new Map();
    }
    for (const [n, list] of this.g.retainersOf(missing)) this.retainerCache.set(n, list);
  }

  private rets(node: number): { from: number; edge: number }[] {
    let list = this.cachedRetainers(node);
    if (!list) {
      this.prefetch([node]);
      list = this.retainerCache.get(node)!;
    }
    return list;
  }

  /** Lower is better: the program's own references before engine internals. */
  private edgeScore(from: number, edge: number, to: number): number {
    const g = this.g;
    if (this.parts.semantics.isUserEdge(edge, to)) return g.edgeType[edge] === g.edges.property || g.edgeType[edge] === g.edges.context ? 0 : 1;
    if (g.nodeType[from] === g.types.synthetic) return 2;
    return 3;
  }

  private pathScore(path: RawStep[]): number {
    let s = 0;
    for (const step of path) s += this.edgeScore(step.from, step.edge, step.to);
    return s;
  }

  /** Drops the synthetic root and `(GC roots)` steps: a path starts at the global object or a named root. */
  private trimRoot(path: RawStep[]): RawStep[] {
    let i = 0;
    while (i < path.length - 1 && (path[i].from === this.g.rootOrdinal || (this.g.isSynthetic(path[i].to) && this.g.isSynthetic(path[i].from)))) {
      if (!this.g.isSynthetic(path[i].to) && path[i].from === this.g.rootOrdinal) { i++; break; }
      i++;
    }
    return path.slice(i);
  }

  // ---- Cycles ----

  /**
   * Shortest elementary cycles through the object over the program's own references: a BFS from the object gives,
   * for each of its retainers that it can reach, the shortest way back round. Also measures the object's strongly
   * connected component and counts the cycles that exist only through engine machinery.
   */
  cycles(target: number, maxCycles: number, maxLength: number, includeInternal: boolean): { cycles: RawStep[][]; componentSize: number; hidden: number } {
    const g = this.g;
    const sem = this.parts.semantics;
    const userEdge = (from: number, edge: number, to: number) => this.counts(from, edge) && sem.isUserEdge(edge, to);
    const anyEdge = (from: number, edge: number) => this.counts(from, edge) && from !== g.rootOrdinal;

    const retainers = this.rets(target).map((r) => r.from);
    const user = this.bfsFrom(target, maxLength, true, retainers);
    const closing = new Map<number, RawStep[]>(); // retainer -> cycle
    for (const { from: rFrom, edge: rEdge } of this.rets(target)) {
      const from = rFrom;
      const edge = rEdge;
      if (!userEdge(from, edge, target) || closing.has(from)) continue;
      const path = user.pathTo(from);
      if (!path) continue;
      path.push({ from, edge, to: target });
      closing.set(from, path);
    }
    let cycles = [...closing.values()];

    // Weak references that close a cycle back to the object (a WeakRef to a parent): worth saying they do not count.
    const weakClosers: RawStep[][] = [];
    for (const { from, edge } of this.rets(target)) {
      if (g.edgeType[edge] !== g.edges.weak || from === target) continue;
      const path = user.pathTo(from);
      if (path) weakClosers.push([...path, { from, edge, to: target }]);
    }
    this.lastWeakClosers = weakClosers;

    let hidden = 0;
    const all = this.bfsFrom(target, maxLength, false, retainers.filter((r) => !closing.has(r)));
    const internal: RawStep[][] = [];
    for (const { from: rFrom, edge: rEdge } of this.rets(target)) {
      const from = rFrom;
      const edge = rEdge;
      if (closing.has(from) || !anyEdge(from, edge) || from === target) continue;
      const path = all.pathTo(from);
      if (!path) continue;
      hidden++;
      if (includeInternal) {
        path.push({ from, edge, to: target });
        internal.push(path);
      }
    }
    if (includeInternal) cycles = cycles.concat(internal);
    cycles.sort((a, b) => a.length - b.length);
    const componentSize = this.componentSize(target);
    return { cycles: cycles.slice(0, maxCycles), componentSize, hidden };
  }

  private lastWeakClosers: RawStep[][] = [];
  private bfsMarks: Uint32Array | null = null;
  private bfsEpoch = 0;

  /** Breadth-first from `start`, bounded in depth; typed arrays, no object per visited node. */
  private bfsFrom(start: number, maxDepth: number, userOnly: boolean, wanted?: number[]) {
    const g = this.g;
    if (!this.bfsMarks) this.bfsMarks = new Uint32Array(g.nodeCount);
    const marks = this.bfsMarks;
    const epoch = (this.bfsEpoch += 2); // epoch + 1 marks the wanted nodes of this search
    const parentEdge = new Uint32Array(g.nodeCount);
    boundedBfs(g, marks, epoch, parentEdge, start, maxDepth, userOnly ? this.parts.semantics.userEdgeTables() : null, wanted ?? null);
    const valid = () => this.bfsEpoch === epoch;
    return {
      pathTo(node: number): RawStep[] | null {
        if (!valid()) throw new Error('A BFS result was read after a newer search replaced it.');
        if (marks[node] !== epoch || node === start) return null;
        const steps: RawStep[] = [];
        let n = node;
        while (n !== start) {
          const edge = parentEdge[n];
          const from = g.edgeSource(edge);
          steps.push({ from, edge, to: n });
          n = from;
        }
        return steps.reverse();
      },
    };
  }

  /**
   * Size of the strongly connected component over the program's own references: Tarjan's algorithm, iterative,
   * started at the object, so its component is whatever is left on the stack when the object finishes.
   */
  private componentSize(target: number): number {
    const g = this.g;
    return componentSizeOf(g.nodeCount, g.firstEdge, g.edgeTarget, g.edgeType, g.edgeNameOrIndex, g.nodeType, g.nodeName, this.parts.semantics.userEdgeTables(), target);
  }

  // ---- Readable steps ----

  /**
   * Folds engine storage into its owner: closure -context-> Context -context:x-> X reads "closure captures `x`";
   * array -elements-> (object elements) -[3]-> X reads "[3]"; Map -table-> (table) -entry-> X reads "Map entry".
   * Keeps, for every readable step, the raw references it stands for.
   */
  readableSteps(raw: RawStep[]): { step: Step; raw: RawStep[] }[] {
    const out: { step: Step; raw: RawStep[] }[] = [];
    const sem = this.parts.semantics;
    let i = 0;
    while (i < raw.length) {
      const group = [raw[i]];
      while (i + group.length < raw.length && sem.isHolder(group[group.length - 1].to, group[group.length - 1].edge)) {
        group.push(raw[i + group.length]);
      }
      i += group.length;
      const first = group[0];
      const last = group[group.length - 1];
      const via = group.slice(0, -1).map((s) => this.briefNode(s.to));
      const step: Step = {
        from: this.briefNode(first.from),
        edge: { type: this.g.edgeTypeName(last.edge), name: this.g.edgeName(last.edge) },
        to: this.briefNode(last.to),
        label: this.label(group),
      };
      if (via.length) step.via = via;
      out.push({ step, raw: group });
    }
    return out;
  }

  private briefNode(node: number): ReportNode {
    const d = this.parts.distances[node];
    return {
      id: this.g.nodeId[node],
      type: this.g.typeName(node),
      name: this.g.name(node),
      location: this.parts.locations.locate(node),
      selfSize: this.g.nodeSelfSize[node],
      retainedSize: this.parts.retainedSize[node],
      distance: d === NO_DISTANCE ? null : d,
    };
  }

  private label(group: RawStep[]): string {
    const g = this.g;
    const sem = this.parts.semantics;
    const first = group[0];
    const last = group[group.length - 1];
    const type = g.edgeType[last.edge];
    const name = g.edgeName(last.edge);
    const eph = sem.ephemeron(last.edge);
    if (eph) {
      return g.nodeId[last.from] === eph.keyId ? `${eph.kind} value kept by this key` : `${eph.kind} entry (alive while its key is)`;
    }
    if (g.nodeType[first.from] === g.types.closure && g.edgeNamed(first.edge, 'context') && type === g.edges.context) {
      return `closure captures \`${name}\``;
    }
    if (type === g.edges.context) return `variable \`${name}\``;
    if (sem.isEntryEdge(last.edge) && group.length > 1 && g.edgeNamed(group[group.length - 2].edge, 'table')) {
      return `${g.name(first.from) || 'Map'} entry`;
    }
    if (type === g.edges.element) return `[${name}]`;
    if (type === g.edges.property) return /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
    if (type === g.edges.shortcut) return `(root link ${name})`;
    if (type === g.edges.weak) return `weak ${name}`;
    if (type === g.edges.hidden) return `(hidden ${name})`;
    if (g.edgeNamed(last.edge, 'bound_this')) return 'bound `this`';
    if (g.edgeNamed(last.edge, 'value') && g.name(last.from) === 'system / PropertyCell') return `.${g.edgeName(first.edge)}`;
    return `(internal ${name})`;
  }

  // ---- Which reference to break ----

  private dominates(a: number, b: number): boolean {
    const { dominator } = this.parts;
    let n = b;
    for (let guard = 0; guard < 100_000; guard++) {
      if (n === a) return true;
      const d = dominator[n];
      if (d === n) return false;
      n = d;
    }
    return false;
  }

  /** Classifies one raw reference as a fix, or null when it is not a reference a user would change. */
  private classify(step: RawStep, context: 'path' | 'cycle'): { kind: FixKind; fix: string; reason: string; rank: number } | null {
    const g = this.g;
    const sem = this.parts.semantics;
    const { from, edge, to } = step;
    const edgeName = g.edgeName(edge);
    const fromName = displayName(g, from);
    const toName = displayName(g, to);
    const type = g.edgeType[edge];
    const at = (n: number) => {
      const loc = this.parts.locations.locate(n);
      return loc ? ` (${shortUrl(loc.url)}:${loc.line})` : '';
    };

    // A listener: a closure held in an emitter's listener storage (directly on this step, or elsewhere).
    const store = g.nodeType[to] === g.types.closure ? this.listenerStoreOf(to, from, edge) : null;
    if (store) {
      const event = this.listenerEvent(store.from, store.edge);
      const emitter = this.listenerOwner(store.from);
      const emitterName = emitter >= 0 ? displayName(g, emitter) : 'the emitter';
      const emitterRef = emitter >= 0 ? this.referenceName(emitter) ?? 'emitter' : 'emitter';
      const fnName = g.name(to) || this.holderExpression(to) || 'listener';
      return {
        kind: 'remove-listener',
        rank: 0,
        fix: `Remove the listener when its owner is done (e.g. in dispose()): \`${emitterRef}.off(${event ? JSON.stringify(event) : 'event'}, ${fnName})\`, or register it with \`{ signal }\` from an AbortController and abort it.`,
        reason: `${toName}${at(to)} is registered as ${event ? `a '${event}'` : 'a'} listener on ${emitterName}${emitterRef !== 'emitter' ? ` \`${emitterRef}\`` : ''}; the emitter keeps the listener alive, and the listener keeps everything it captures alive.`,
      };
    }
    // A WeakMap/WeakSet value: alive while its key is.
    const eph = sem.ephemeron(edge);
    if (eph) {
      const keyRef = this.referenceName(this.g.ordinalOfId(eph.keyId)) ?? `the key ${eph.keyName} @${eph.keyId}`;
      return {
        kind: 'delete-entry',
        rank: 1,
        fix: `Release the key (${keyRef} = null) or delete the entry (\`${eph.kind === 'WeakSet' ? 'weakSet.delete(value)' : 'weakMap.delete(key)'}\`); the ${eph.kind} holds the value only for as long as its key is alive.`,
        reason: `${toName} is a ${eph.kind} value, and its key ${eph.keyName} @${eph.keyId} is still reachable, so the entry stays.`,
      };
    }
    // A Map/Set entry.
    const tableOwner = sem.isEntryEdge(edge) ? this.tableOwner(from) : -1;
    if (tableOwner >= 0) {
      const owner = tableOwner;
      const ownerName = owner >= 0 ? displayName(g, owner) : 'collection';
      const isSet = owner >= 0 && /Set$/.test(g.name(owner));
      const ref = this.referenceName(owner) ?? (isSet ? 'set' : 'map');
      return {
        kind: 'delete-entry',
        rank: 1,
        fix: isSet
          ? `Delete it from the ${ownerName} when you are done with it (\`${ref}.delete(value)\`), or use a WeakSet so the entry goes with the object.`
          : `Delete the entry when you are done with it (\`${ref}.delete(key)\`), or use a WeakMap keyed by the object that owns it, so the entry goes with its key.`,
        reason: `A long-lived ${ownerName}${ref !== 'map' && ref !== 'set' ? ` \`${ref}\`` : ''}${owner >= 0 ? at(owner) : ''} holds ${toName} as an entry; entries in a Map or Set live as long as the collection.`,
      };
    }
    // A back-reference (`parent`, `prev`, `owner`), or in a cycle any reference pointing to an object that dominates
    // or precedes its source on the way from the roots.
    const d = this.parts.distances;
    const named = type === g.edges.property || type === g.edges.context;
    const backName = BACK_REFERENCE_NAMES.test(edgeName);
    const owns = this.dominates(to, from);
    const precedes = d[to] !== NO_DISTANCE && d[from] !== NO_DISTANCE && d[to] < d[from];
    const mutual = this.references(to, from);
    if (named && (context === 'cycle' ? backName || owns || precedes : backName && mutual)) {
      const variable = type === g.edges.context;
      return {
        kind: 'weak-ref',
        rank: backName ? 2 : 3,
        fix: variable
          ? `Capture a WeakRef instead: \`const ${edgeName}Ref = new WeakRef(${edgeName})\` outside the closure and \`${edgeName}Ref.deref()\` inside it.`
          : `Make \`${edgeName}\` weak: \`this.${edgeName} = new WeakRef(${edgeName})\` and read it with \`this.${edgeName}.deref()\` (or keep it in a WeakMap keyed by the ${fromName}).`,
        reason: backName
          ? `\`${edgeName}\` on ${fromName}${at(from)} is a back-reference to ${toName}; while anything holds one ${fromName}, back-references keep the whole structure it belongs to alive.`
          : `\`${edgeName}\` on ${fromName}${at(from)} points back to ${toName}, which already ${owns ? 'owns (dominates)' : 'precedes'} it on the way from the roots; while anything holds one ${fromName}, this back-reference keeps the whole cycle alive.`,
      };
    }
    if (type === g.edges.property || type === g.edges.element || type === g.edges.context) {
      const captured = type === g.edges.context;
      return {
        kind: 'dispose',
        rank: 4,
        fix: captured
          ? `Stop the closure from capturing \`${edgeName}\` once it is no longer needed (set the variable to null in dispose()), or release the closure itself.`
          : type === g.edges.element
            ? `Remove ${toName} from the array when you are done with it (splice it out in a dispose() method).`
            : `Clear the reference when ${toName} is done with: \`${lowerFirst(fromName)}.${edgeName} = null\` in a dispose() method.`,
        reason: `${fromName}${at(from)} holds ${toName} through \`${edgeName}\`${context === 'path' ? ', and nothing else on this path can be cut closer to your code' : ''}.`,
      };
    }
    return null;
  }

  /** Best fix on a path or cycle: listeners, then collection entries, then back-references, then a plain reference. */
  private suggest(raw: RawStep[], steps: { step: Step; raw: RawStep[] }[], context: 'path' | 'cycle'): Suggestion | null {
    let best: (Suggestion & { rank: number }) | null = null;
    steps.forEach((s, index) => {
      for (const r of s.raw) {
        const c = this.classify(r, context);
        if (!c) continue;
        // Prefer the best rank; among equals, the reference closest to the object (the most specific).
        if (!best || c.rank < best.rank || (c.rank === best.rank && c.rank === 4)) {
          best = { step: index, kind: c.kind, fix: c.fix, reason: c.reason, rank: c.rank };
        }
      }
    });
    void raw;
    if (!best) return null;
    const { rank: _rank, ...suggestion } = best as Suggestion & { rank: number };
    return suggestion;
  }

  /**
   * The one reference whose removal frees the object: walking up the dominator chain, a dominator with exactly one
   * strong reference from outside what it dominates is cut by removing that reference. Picks the best of them.
   */
  private cutEdgeFix(target: number, rawPath: RawStep[] | undefined, path: RetainingPath | undefined): RetentionReport['fix'] {
    if (!rawPath || !path) return null;
    const g = this.g;
    const { dominator, userReachable } = this.parts;
    const steps = this.readableSteps(rawPath);
    const onPath = new Map<number, number>(); // edge ordinal -> readable step index
    steps.forEach((s, i) => s.raw.forEach((r) => onPath.set(r.edge, i)));
    let best: (Suggestion & { rank: number }) | null = null;
    const chain: number[] = [];
    for (let n = target; n !== g.rootOrdinal && chain.length < 10_000; n = dominator[n]) {
      chain.push(n);
      if (dominator[n] === n) break;
    }
    this.prefetch(chain);
    let node = target;
    for (let guard = 0; node !== g.rootOrdinal && guard < 10_000; guard++) {
      let single = -1;
      let singleFrom = -1;
      let count = 0;
      for (const { from: rFrom, edge: rEdge } of this.rets(node)) {
        if (count >= 2) break;
        const from = rFrom;
        const edge = rEdge;
        if (!this.counts(from, edge) || this.parts.distances[from] === NO_DISTANCE || this.isShadow(from) || this.dominates(node, from)) continue;
        // As for dominators: what only engine or debugger handles reach (a paused frame's locals) does not hold
        // an object the program reaches.
        if ((userReachable[node] & FLAG_USER_REACHABLE) !== 0 && (userReachable[from] & FLAG_USER_REACHABLE) === 0) continue;
        count++;
        single = edge;
        singleFrom = from;
      }
      if (count === 1 && onPath.has(single)) {
        const c = this.classify({ from: singleFrom, edge: single, to: node }, 'path');
        if (c && (!best || c.rank < best.rank)) best = { step: onPath.get(single)!, kind: c.kind, fix: c.fix, reason: c.reason, rank: c.rank };
      }
      const up = dominator[node];
      if (up === node) break;
      node = up;
    }
    // A WeakMap value is held by its key *and* its table together: releasing either frees it, though the snapshot
    // records two separate references. (As DevTools does, the key dominates the value, so the cut above may be the
    // key's own holder; the entry, nearer the object, is the better advice unless a listener or entry was found.)
    const last = rawPath[rawPath.length - 1];
    if ((!best || best.rank > 1) && last && this.parts.semantics.ephemeron(last.edge)) {
      const c = this.classify(last, 'path');
      if (c) return { step: steps.length - 1, kind: c.kind, fix: c.fix, reason: c.reason, path: 0 };
    }
    if (!best) return null;
    const { rank: _rank, ...suggestion } = best as Suggestion & { rank: number };
    return { ...suggestion, path: 0, reason: `${suggestion.reason} Every path from the roots runs through this reference, so removing it frees the object.` };
  }

  /** Where a closure is stored as a listener: this very reference, or another retainer of the closure. */
  private listenerStoreOf(closure: number, from: number, edge: number): { from: number; edge: number; sameStep: boolean } | null {
    if (this.isListenerStorage(from, edge)) return { from, edge, sameStep: true };
    const g = this.g;
    // What isListenerStorage reads for every holder of the closure, found in two sweeps rather than one per holder.
    // A listener closure is held by its emitter's storage and a few other places; a function held from hundreds
    // of places (a module's `require`) is no listener to remove, and scanning all its holders would cost a sweep.
    const holders = this.rets(closure).slice(0, 256);
    this.prefetch(holders.map((r) => r.from));
    this.prefetch(holders.filter((r) => g.name(r.from) === '(object elements)').map((r) => this.singleRetainer(r.from)).filter((a) => a >= 0));
    for (const { from: rFrom, edge: rEdge } of holders) {
      const f = rFrom;
      const e = rEdge;
      if (this.isListenerStorage(f, e)) return { from: f, edge: e, sameStep: false };
    }
    return null;
  }

  private isListenerStorage(from: number, edge: number): boolean {
    const g = this.g;
    const type = g.edgeType[edge];
    // emitter._events.data = fn
    if (type === g.edges.property && this.heldAs(from, LISTENER_CONTAINER)) return true;
    // emitter._events.data = [fn1, fn2]  (via the array's backing store, or directly)
    if (type === g.edges.element || type === g.edges.internal) {
      const array = g.name(from) === '(object elements)' ? this.singleRetainer(from) : from;
      if (array >= 0 && (this.heldAs(array, LISTENER_CONTAINER) || this.heldViaListenerProperty(array))) return true;
    }
    return false;
  }

  /** True when some retainer holds `node` through a property whose name matches. */
  private heldAs(node: number, names: RegExp): boolean {
    const g = this.g;
    for (const { from: rFrom, edge: rEdge } of this.rets(node)) {
      const e = rEdge;
      if (g.edgeType[e] === g.edges.property && names.test(g.edgeName(e))) return true;
    }
    return false;
  }

  private heldViaListenerProperty(array: number): boolean {
    const g = this.g;
    const holders = this.rets(array);
    this.prefetch(holders.map((r) => r.from));
    for (const { from: rFrom, edge: rEdge } of holders) {
      const holder = rFrom;
      if (g.edgeType[rEdge] === g.edges.property && this.heldAs(holder, LISTENER_CONTAINER)) return true;
    }
    return false;
  }

  private singleRetainer(node: number): number {
    const g = this.g;
    for (const { from: rFrom, edge: rEdge } of this.rets(node)) {
      if (g.edgeType[rEdge] !== g.edges.weak) return rFrom;
    }
    return -1;
  }

  /** The event name a listener is stored under. */
  private listenerEvent(from: number, edge: number): string | null {
    const g = this.g;
    if (g.edgeType[edge] === g.edges.property) return g.edgeName(edge);
    const array = g.name(from) === '(object elements)' ? this.singleRetainer(from) : from;
    for (const { from: rFrom, edge: rEdge } of this.rets(array)) {
      const e = rEdge;
      if (g.edgeType[e] === g.edges.property) return g.edgeName(e);
    }
    return null;
  }

  /** The emitter that owns a listener store: the object holding `_events`. */
  private listenerOwner(from: number): number {
    const g = this.g;
    let node = g.name(from) === '(object elements)' ? this.singleRetainer(from) : from;
    for (let hop = 0; hop < 3 && node >= 0; hop++) {
      for (const { from: rFrom, edge: rEdge } of this.rets(node)) {
        const e = rEdge;
        if (g.edgeType[e] === g.edges.property && LISTENER_CONTAINER.test(g.edgeName(e))) return rFrom;
      }
      node = this.singleRetainer(node);
    }
    return -1;
  }

  /** How the program names a function it also stores elsewhere: `treeNode.onTheme`. */
  private holderExpression(fn: number): string | null {
    const g = this.g;
    for (const { from, edge } of this.rets(fn)) {
      if (g.edgeType[edge] !== g.edges.property || this.isListenerStorage(from, edge) || this.isShadow(from)) continue;
      const name = g.edgeName(edge);
      if (/^[A-Za-z_$][\w$]*$/.test(name)) return `${lowerFirst(displayName(g, from))}.${name}`;
    }
    return null;
  }

  /** True when `a` holds `b` directly through one of the program's own references. */
  private references(a: number, b: number): boolean {
    const g = this.g;
    for (let e = g.firstEdge[a], end = g.firstEdge[a + 1]; e < end; e++) {
      if (g.edgeTarget[e] === b && this.parts.semantics.isUserEdge(e, b)) return true;
    }
    return false;
  }

  /** A name the program uses for an object: the property or variable that holds it (`bus`, `registry`). */
  private referenceName(node: number): string | null {
    const g = this.g;
    if (node < 0) return null;
    for (const { from: rFrom, edge: rEdge } of this.rets(node)) {
      const e = rEdge;
      const t = g.edgeType[e];
      if ((t === g.edges.property || t === g.edges.context) && this.parts.semantics.isUserEdge(e, node)) {
        const name = g.edgeName(e);
        if (/^[A-Za-z_$][\w$]*$/.test(name)) return name;
      }
    }
    return null;
  }

  private tableOwner(table: number): number {
    const g = this.g;
    for (const { from: rFrom, edge: rEdge } of this.rets(table)) {
      if (g.edgeNamed(rEdge, 'table')) return rFrom;
    }
    return -1;
  }
}

/**
 * Size of the strongly connected component over the program's own references (`isUserEdge`; a user edge always
 * counts): Tarjan's algorithm in Pearce's one-array form, iterative, started at the object, so its component is
 * whatever is left waiting when the object finishes. A plain function of its arrays, the edge test inlined.
 */
function componentSizeOf(
  nodeCount: number, firstEdge: Uint32Array, edgeTarget: Uint32Array, edgeType: Uint8Array, edgeNameOrIndex: Uint32Array,
  nodeType: Uint8Array, nodeName: Uint32Array, tables: UserEdgeTables, target: number,
): number {
  const { edgeKind, nameBits, typeKind } = tables;
  // Pearce's variant of Tarjan ("A space-efficient algorithm for finding strongly connected components", 2016):
  // one array, rindex, is both the DFS index and the low link. 0 = unvisited, DONE = in a finished component, else
  // the lowest index reached so far; a node is the root of its component when that never went below its own index
  // (a byte per call frame, `callRoot`, as in Pearce's PEA_FIND_SCC2). Non-root nodes wait on `waiting` until their
  // root finishes. The stacks grow with the component.
  const DONE = 0xffffffff;
  const rindex = new Uint32Array(nodeCount);
  let waiting: Uint32Array = new Uint32Array(1024);
  let callNode: Uint32Array = new Uint32Array(1024);
  let callEdge: Uint32Array = new Uint32Array(1024);
  let callRoot = new Uint8Array(1024);
  let waitTop = 0;
  let callTop = 0;
  let counter = 1;
  // The half of the test that depends on the referenced object, once per object (a sequential pass), so the DFS
  // reads one byte per edge's target instead of its name, its type and two tables.
  const targetOk = new Uint8Array(nodeCount);
  for (let t = 0; t < nodeCount; t++) if (userEdgeTarget(nameBits, typeKind, nodeType[t], nodeName[t])) targetOk[t] = 1;
  const follow = (e: number, t: number): boolean => targetOk[t] === 1 && userEdgeKind(edgeKind, nameBits, edgeType[e], edgeNameOrIndex[e]);
  const enter = (t: number) => {
    const i = counter++;
    rindex[t] = i;
    if (callTop === callNode.length) {
      callNode = doubled(callNode);
      callEdge = doubled(callEdge);
      callRoot = doubled(callRoot);
    }
    callNode[callTop] = t;
    callEdge[callTop] = firstEdge[t];
    callRoot[callTop] = 1;
    callTop++;
  };
  enter(target);
  while (callTop > 0) {
    const top = callTop - 1;
    const v = callNode[top];
    const end = firstEdge[v + 1];
    let e = callEdge[top];
    let descended = false;
    for (; e < end; e++) {
      const t = edgeTarget[e];
      const rt = rindex[t];
      if (rt !== 0) {
        if (rt < rindex[v] && follow(e, t)) {
          rindex[v] = rt; // DONE is never below
          callRoot[top] = 0;
        }
        continue;
      }
      if (!follow(e, t)) continue;
      callEdge[top] = e + 1;
      enter(t);
      descended = true;
      break;
    }
    if (descended) continue;
    callTop--;
    const rv = rindex[v];
    if (callRoot[callTop] === 1) {
      // v is the root of its component: the nodes waiting since v are that component.
      if (v === target) return waitTop + 1; // the DFS started here: everything still waiting is the object's
      while (waitTop > 0 && rv <= rindex[waiting[waitTop - 1]]) rindex[waiting[--waitTop]] = DONE;
      rindex[v] = DONE;
    } else {
      if (waitTop === waiting.length) waiting = doubled(waiting);
      waiting[waitTop++] = v;
      const u = callNode[callTop - 1]; // v is not the root, so it is not the start: it has a caller
      if (rv < rindex[u]) {
        rindex[u] = rv;
        callRoot[callTop - 1] = 0;
      }
    }
  }
  return waitTop + 1;
}

/**
 * For every object at distance `farthest` or closer, the reference `RetentionQuery.stepBack` picks (the same rule,
 * for the whole heap at once); -1 when there is none. One flat sweep over the edges; a byte per node marks the objects it looks at (dropped after the sweep).
 */
function bestGradientEdges(g: HeapGraph, distances: Uint32Array, farthest: number, avoid: number, tables: UserEdgeTables): (node: number) => number {
  const { nodeCount, firstEdge, edgeTarget, edgeType, edgeNameOrIndex, nodeType, nodeName } = g;
  const { edgeKind, nameBits, typeKind } = tables;
  const root = g.rootOrdinal;
  const weak = g.edges.weak;
  const shortcut = g.edges.shortcut;
  const property = g.edges.property;
  const context = g.edges.context;
  const synthetic = g.types.synthetic;
  // best: 0 = not looked at (farther than `farthest`, or unreachable), else 1 + the best score so far (5: none yet).
  const best = new Uint8Array(nodeCount);
  for (let v = 0; v < nodeCount; v++) if (distances[v] <= farthest) best[v] = 5;
  const bestEdge = new Uint32Array(nodeCount).fill(NO_EDGE);
  const edgeCount = firstEdge[nodeCount];
  let from = 0;
  for (let e = 0; e < edgeCount; e++) {
    const t = edgeTarget[e];
    const b = best[t];
    if (b <= 1) continue; // not looked at, or already the best score there is
    while (firstEdge[from + 1] <= e) from++;
    if (from === avoid) continue;
    const d = distances[t];
    const isRoot = from === root;
    if (isRoot ? d !== 1 && d !== SYSTEM_DISTANCE + 1 : distances[from] + 1 !== d) continue;
    const type = edgeType[e];
    if (type === weak || (type === shortcut && !isRoot)) continue;
    // edgeScore, on the tables.
    let score = nodeType[from] === synthetic ? 2 : 3;
    if (userEdgeKind(edgeKind, nameBits, type, edgeNameOrIndex[e]) && userEdgeTarget(nameBits, typeKind, nodeType[t], nodeName[t])) score = type === property || type === context ? 0 : 1;
    if (score + 1 < b) {
      best[t] = score + 1;
      bestEdge[t] = e;
    }
  }
  return (node) => (bestEdge[node] === NO_EDGE ? -1 : bestEdge[node]);
}

const NO_EDGE = 0xffffffff;

function lowerFirst(s: string): string {
  return s ? s[0].toLowerCase() + s.slice(1) : s;
}

export function shortUrl(url: string): string {
  if (!url) return '(unknown script)';
  const clean = url.replace(/^file:\/\//, '');
  const parts = clean.split(/[\\/]/);
  return parts.slice(-2).join('/');
}

/**
 * Breadth-first from `start` over the references that count (DevTools' rules; the synthetic root's own edges never,
 * since a cycle through the root is no cycle), only the program's own when `tables` is given, at most `maxDepth - 1`
 * levels deep; stops once every `wanted` node is reached. Visited nodes get `marks[n] = epoch` and the edge that
 * reached them in `parentEdge`. A plain function of typed arrays: no closure or Set operation per edge.
 */
function boundedBfs(
  g: HeapGraph, marks: Uint32Array, epoch: number, parentEdge: Uint32Array, start: number, maxDepth: number,
  tables: UserEdgeTables | null, wanted: number[] | null,
): void {
  const { firstEdge, edgeTarget, edgeType, edgeNameOrIndex, nodeType, nodeName } = g;
  const weak = g.edges.weak;
  const shortcut = g.edges.shortcut;
  const root = g.rootOrdinal;
  // Wanted nodes are marked with epoch + 1 until reached (marks of this search are `epoch` once visited).
  let remaining = -1;
  if (wanted) {
    remaining = 0;
    for (const w of wanted) if (w !== start && marks[w] !== epoch + 1) { marks[w] = epoch + 1; remaining++; }
    if (remaining === 0) return;
  }
  marks[start] = epoch;
  let queue = new Uint32Array(1024);
  queue[0] = start;
  let head = 0;
  let tail = 1;
  for (let depth = 1; depth < maxDepth && head < tail; depth++) {
    const levelEnd = tail;
    for (; head < levelEnd; head++) {
      const n = queue[head];
      if (n === root) continue;
      for (let e = firstEdge[n], end = firstEdge[n + 1]; e < end; e++) {
        const t = edgeTarget[e];
        const mark = marks[t];
        if (mark === epoch) continue;
        const type = edgeType[e];
        if (type === weak || type === shortcut) continue;
        if (tables !== null && !isUserEdgeFast(tables, edgeType, edgeNameOrIndex, nodeType, nodeName, e, t)) continue;
        marks[t] = epoch;
        parentEdge[t] = e;
        if (tail === queue.length) queue = doubled(queue);
        queue[tail++] = t;
        if (mark === epoch + 1 && --remaining === 0) return;
      }
    }
  }
}
