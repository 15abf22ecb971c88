/**
 * The cycles an object is part of: the shortest elementary cycles through it over the program's own references, the
 * size of its strongly connected component, and the cycles that exist only through engine machinery (counted).
 */
import type { HeapGraph } from './heapGraph';
import type { RawStep, RetainerCache } from './retainers';
import { isUserEdgeFast, userEdgeKind, userEdgeTarget, type EdgeSemantics, type UserEdgeTables } from './semantics';
import { doubled } from './typedArrays';

export interface CycleParts {
  graph: HeapGraph;
  semantics: EdgeSemantics;
}

export class CycleFinder {
  private readonly g: HeapGraph;

  constructor(private readonly parts: CycleParts, private readonly retainers: RetainerCache, private readonly counts: (from: number, edge: number) => boolean) {
    this.g = parts.graph;
  }

  private rets(node: number) {
    return this.retainers.of(node);
  }


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

  /** Weak references that close a cycle back to the object, from the last search. */
  lastWeakClosers: RawStep[][] = [];
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
