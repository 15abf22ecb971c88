/**
 * The analysed heap: the graph, DevTools distances, dominators and retained sizes, and the queries the CLI, the
 * worker and the tests ask of it. Pure: no vscode, no sockets, no files.
 */
import { computeDistances, computeUserReachable, NO_DISTANCE } from './distances';
import { computeDominators } from './dominators';
import { HeapGraph } from './heapGraph';
import { moveOwnedSizes } from './shallowSizes';
import { LocationIndex } from './locations';
import { isRuntimeInternal } from '../shared/labels';
import { withDebuggerHolder, type ClassSummary, type HeapSummary, type ReportNode, type RetainerPage, type RetentionReport } from './report';
import { type ReportOptions, RetentionQuery } from './retention';
import { EdgeSemantics } from './semantics';
import type { HeapSnapshot } from './snapshotParser';

export class UnknownObjectError extends Error {
  constructor(readonly id: number) {
    super(`There is no object with heap id @${id} in this snapshot. Ids come from the same snapshot (DevTools shows them as @${id}); pick one with --class or the summary.`);
    this.name = 'UnknownObjectError';
  }
}

export interface AnalysisTimings {
  graphMs: number;
  distancesMs: number;
  dominatorsMs: number;
}

export class HeapAnalysis {
  readonly graph: HeapGraph;
  readonly distances: Uint32Array;
  readonly userReachable: Uint8Array;
  readonly dominator: Uint32Array;
  readonly retainedSize: Float64Array;
  readonly semantics: EdgeSemantics;
  readonly locations: LocationIndex;
  readonly timings: AnalysisTimings;
  private readonly query: RetentionQuery;

  private constructor(snapshot: HeapSnapshot) {
    let t = performance.now();
    this.graph = new HeapGraph(snapshot);
    let graphMs = performance.now() - t;
    // Dominators before distances: the dominator computation has the largest transient memory, and this way the
    // distances are not yet allocated while it runs; then the distances are measured in two of its spent arrays.
    // Shallow sizes as DevTools shows them (backing stores counted in their owner), before retained sizes add them
    // up; its scratch array becomes the dominator computation's first.
    t = performance.now();
    const scratch = new Uint32Array(this.graph.nodeCount);
    moveOwnedSizes(this.graph, scratch);
    graphMs += performance.now() - t;
    t = performance.now();
    this.userReachable = computeUserReachable(this.graph);
    let distancesMs = performance.now() - t;
    t = performance.now();
    const { dominator, retainedSize, spare } = computeDominators(this.graph, this.userReachable, scratch);
    this.dominator = dominator;
    this.retainedSize = retainedSize;
    const dominatorsMs = performance.now() - t;
    t = performance.now();
    this.distances = computeDistances(this.graph, -1, undefined, spare);
    distancesMs += performance.now() - t;
    this.timings = { graphMs, distancesMs, dominatorsMs };
    this.semantics = new EdgeSemantics(this.graph);
    this.locations = new LocationIndex(this.graph);
    this.query = new RetentionQuery({
      graph: this.graph,
      distances: this.distances,
      dominator: this.dominator,
      retainedSize: this.retainedSize,
      userReachable: this.userReachable,
      semantics: this.semantics,
      locations: this.locations,
    });
  }

  static fromSnapshot(snapshot: HeapSnapshot): HeapAnalysis {
    return new HeapAnalysis(snapshot);
  }

  get nodeCount(): number {
    return this.graph.nodeCount;
  }
  get edgeCount(): number {
    return this.graph.edgeCount;
  }
  get totalSize(): number {
    return this.retainedSize[this.graph.rootOrdinal];
  }

  hasObject(id: number): boolean {
    return this.graph.ordinalOfId(id) >= 0;
  }

  private ordinal(id: number): number {
    const o = this.graph.ordinalOfId(id);
    if (o < 0) throw new UnknownObjectError(id);
    return o;
  }

  report(id: number, options?: ReportOptions): RetentionReport {
    return withDebuggerHolder(this.query.report(this.ordinal(id), options));
  }

  node(id: number): ReportNode {
    return this.query.reportNode(this.ordinal(id));
  }

  /** The same, for a node ordinal a core query already holds (no search for its id). */
  nodeAt(ordinal: number): ReportNode {
    return this.query.reportNode(ordinal);
  }

  setScriptUrls(urls: Map<number, string>): void {
    this.locations.addScriptUrls(urls);
  }

  unresolvedScriptIds(): number[] {
    return this.locations.unresolvedScriptIds();
  }

  /** Instances whose constructor (node name) is `name`, largest retained size first. */
  findByClass(name: string, limit = 100): ReportNode[] {
    const g = this.graph;
    const index = g.strings.indexOf(name);
    if (index < 0) return [];
    // Keep only the `limit` largest while scanning: a class can have millions of instances.
    const top: number[] = [];
    const { object, array, native, closure } = g.types;
    for (let o = 0; o < g.nodeCount; o++) {
      if (g.nodeName[o] !== index) continue;
      const t = g.nodeType[o];
      if (t === object || t === array || t === native) insertTop(top, o, this.retainedSize, limit);
    }
    // A function name with no instances: the closures themselves.
    if (top.length === 0) for (let o = 0; o < g.nodeCount; o++) if (g.nodeName[o] === index && g.nodeType[o] === closure) insertTop(top, o, this.retainedSize, limit);
    return top.map((o) => this.query.reportNode(o));
  }

  /** Largest retainers and classes by count and retained size (objects reachable from the program first). */
  summary(options: { limit?: number; classLimit?: number } = {}): HeapSummary {
    const limit = options.limit ?? 20;
    const classLimit = options.classLimit ?? 100;
    const g = this.graph;
    const { object, closure, array, regexp, native } = g.types;
    const CLOSURE_CLASS = -1;
    const counted = (t: number) => t === object || t === closure || t === array || t === regexp || t === native;

    // Classes: a class's retained size counts instances not dominated by another instance of the same class.
    const byName = new Map<number, { count: number; self: number; retained: number; top: number[] }>();
    const { dominator, retainedSize, distances } = this;
    for (let o = 1; o < g.nodeCount; o++) {
      const t = g.nodeType[o];
      if (!counted(t) || distances[o] === NO_DISTANCE) continue;
      // Functions group as DevTools does, under "(closure)", not with the class they construct.
      const nameIndex = t === closure ? CLOSURE_CLASS : g.nodeName[o];
      let entry = byName.get(nameIndex);
      if (!entry) byName.set(nameIndex, (entry = { count: 0, self: 0, retained: 0, top: [] }));
      entry.count++;
      entry.self += g.nodeSelfSize[o];
      let nested = false;
      for (let d = dominator[o], guard = 0; d !== g.rootOrdinal && guard < 64; d = dominator[d], guard++) {
        if ((nameIndex === CLOSURE_CLASS ? g.nodeType[d] === closure : g.nodeName[d] === nameIndex && g.nodeType[d] !== closure) && counted(g.nodeType[d])) {
          nested = true;
          break;
        }
      }
      if (!nested) entry.retained += retainedSize[o];
      insertTop(entry.top, o, retainedSize, 3);
    }
    // The program's own classes (constructed in its own scripts) come first: they are what a user recognises, and
    // Node's internals would otherwise crowd them out of the list.
    const classes: ClassSummary[] = [...byName.entries()]
      .map(([nameIndex, e]) => {
        const location = this.locations.locate(e.top[0]);
        const own = !!location && !!location.url && !isRuntimeInternal(location.url);
        return { name: nameIndex === CLOSURE_CLASS ? '(closure)' : g.strings[nameIndex] || '(anonymous)', count: e.count, selfSize: e.self, retainedSize: e.retained, topIds: e.top.map((o) => g.nodeId[o]), location, own };
      })
      .sort((a, b) => Number(b.own) - Number(a.own) || b.retainedSize - a.retainedSize || b.count - a.count)
      .slice(0, classLimit);

    const largest: number[] = [];
    for (let o = 1; o < g.nodeCount; o++) {
      if (!counted(g.nodeType[o]) || distances[o] === NO_DISTANCE) continue;
      insertTop(largest, o, retainedSize, limit);
    }
    return {
      nodeCount: g.nodeCount,
      edgeCount: g.edgeCount,
      totalSize: this.totalSize,
      largestRetainers: largest.map((o) => this.query.reportNode(o)),
      classes,
    };
  }

  /** One page of the objects that hold `id`, the program's own references first, then by distance. */
  retainers(id: number, offset: number, limit: number): RetainerPage {
    const g = this.graph;
    const node = this.ordinal(id);
    const rows: { edge: number; from: number; score: number }[] = [];
    for (const { from, edge } of g.retainersOf([node]).get(node)!) {
      if (from === g.rootOrdinal && g.edgeType[edge] !== g.edges.shortcut) continue;
      const weak = g.edgeType[edge] === g.edges.weak ? 1 : 0;
      const user = this.semantics.isUserEdge(edge, node) ? 0 : 1;
      const d = this.distances[from];
      rows.push({ edge, from, score: weak * 4e9 + user * 2e9 + (d === NO_DISTANCE ? 1e9 : Math.min(d, 1e9 - 1)) });
    }
    rows.sort((a, b) => a.score - b.score);
    const page = rows.slice(offset, offset + limit);
    return {
      id,
      offset,
      total: rows.length,
      entries: page.map(({ edge, from }) => {
        const [readable] = this.query.readableSteps([{ from, edge, to: node }]);
        return { edge: readable.step.edge, label: readable.step.label ?? g.edgeName(edge), node: this.query.reportNode(from) };
      }),
    };
  }
}

/** Keeps `top` as the `limit` ordinals with the largest `key`, descending. */
function insertTop(top: number[], o: number, key: Float64Array, limit: number): void {
  const v = key[o];
  if (top.length === limit && key[top[limit - 1]] >= v) return;
  let i = top.length;
  while (i > 0 && key[top[i - 1]] < v) i--;
  top.splice(i, 0, o);
  if (top.length > limit) top.pop();
}
