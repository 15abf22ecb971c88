/**
 * Dominator tree and retained sizes (Lengauer-Tarjan with path compression, iterative, on typed arrays).
 *
 * Which edges count follows Chrome DevTools (HeapSnapshot.ts: isEssentialEdge, buildPostOrderIndex):
 * - weak edges never count; shortcut edges count only from the synthetic root;
 * - an edge from an object the program cannot reach (held only by engine or debugger handles) into one it can is
 *   ignored, so a debugger's handle never changes who dominates the program's objects.
 * Nodes the root cannot reach at all (orphans) are treated as children of the root, as DevTools does, so every
 * node gets a dominator and a retained size.
 */
import { FLAG_USER_REACHABLE } from './distances';
import type { HeapGraph } from './heapGraph';

export interface DominatorResult {
  /** Ordinal of the immediate dominator; the root dominates itself. */
  dominator: Uint32Array;
  retainedSize: Float64Array;
}

export function computeDominators(graph: HeapGraph, flags: Uint8Array): DominatorResult {
  const { nodeCount: n, firstEdge, edgeType, edgeTarget, firstRetainer, retainingEdges, retainingNodes, nodeSelfSize } = graph;
  const root = graph.rootOrdinal;
  const weak = graph.edges.weak;
  const shortcut = graph.edges.shortcut;
  const counts = (from: number, edge: number, to: number): boolean => {
    const type = edgeType[edge];
    if (type === weak) return false;
    if (from === root) return true;
    if (type === shortcut) return false;
    return !((flags[to] & FLAG_USER_REACHABLE) && !(flags[from] & FLAG_USER_REACHABLE));
  };

  // 1. Depth-first preorder numbering from the root; orphans start new trees hanging off the root.
  const UNVISITED = 0xffffffff;
  const num = new Uint32Array(n).fill(UNVISITED); // ordinal -> preorder number
  const vertex = new Uint32Array(n); // preorder number -> ordinal
  const parent = new Uint32Array(n); // preorder number -> parent's preorder number
  const orphanStart = new Uint8Array(n); // preorder number -> 1 when the DFS was restarted there
  const stackNode = new Uint32Array(n);
  const stackEdge = new Uint32Array(n);
  let count = 0;
  const dfs = (start: number, parentNum: number) => {
    num[start] = count;
    vertex[count] = start;
    parent[count] = parentNum;
    count++;
    let top = 0;
    stackNode[0] = start;
    stackEdge[0] = firstEdge[start];
    while (top >= 0) {
      const v = stackNode[top];
      const end = firstEdge[v + 1];
      let e = stackEdge[top];
      let pushed = false;
      for (; e < end; e++) {
        const t = edgeTarget[e];
        if (num[t] !== UNVISITED || !counts(v, e, t)) continue;
        stackEdge[top] = e + 1;
        num[t] = count;
        vertex[count] = t;
        parent[count] = num[v];
        count++;
        top++;
        stackNode[top] = t;
        stackEdge[top] = firstEdge[t];
        pushed = true;
        break;
      }
      if (!pushed) top--;
    }
  };
  dfs(root, 0);
  for (let v = 0; v < n; v++) {
    if (num[v] !== UNVISITED) continue;
    orphanStart[count] = 1;
    dfs(v, 0);
  }

  // 2. Semidominators and implicit immediate dominators, in reverse preorder.
  const semi = new Uint32Array(n);
  const label = new Uint32Array(n);
  const ancestor = new Uint32Array(n).fill(UNVISITED);
  const idom = new Uint32Array(n);
  const bucketHead = stackNode; // reuse: the DFS stack is free now
  const bucketNext = stackEdge;
  bucketHead.fill(UNVISITED);
  for (let i = 0; i < n; i++) {
    semi[i] = i;
    label[i] = i;
  }
  const compressStack = new Uint32Array(n);
  const evaluate = (v: number): number => {
    if (ancestor[v] === UNVISITED) return v;
    // Path compression without recursion: collect the chain up to the forest root, then fold it top-down.
    let depth = 0;
    let x = v;
    while (ancestor[ancestor[x]] !== UNVISITED) {
      compressStack[depth++] = x;
      x = ancestor[x];
    }
    while (depth > 0) {
      const y = compressStack[--depth];
      const a = ancestor[y];
      if (semi[label[a]] < semi[label[y]]) label[y] = label[a];
      ancestor[y] = ancestor[a];
    }
    return label[v];
  };

  for (let w = count - 1; w >= 1; w--) {
    const node = vertex[w];
    let s = semi[w];
    for (let r = firstRetainer[node], end = firstRetainer[node + 1]; r < end; r++) {
      const from = retainingNodes[r];
      if (!counts(from, retainingEdges[r], node)) continue;
      const u = evaluate(num[from]);
      if (semi[u] < s) s = semi[u];
    }
    if (orphanStart[w]) s = 0;
    semi[w] = s;
    bucketNext[w] = bucketHead[s];
    bucketHead[s] = w;
    const p = parent[w];
    ancestor[w] = p;
    for (let v = bucketHead[p]; v !== UNVISITED; v = bucketNext[v]) {
      const u = evaluate(v);
      idom[v] = semi[u] < semi[v] ? u : p;
    }
    bucketHead[p] = UNVISITED;
  }
  for (let w = 1; w < count; w++) {
    if (idom[w] !== semi[w]) idom[w] = idom[idom[w]];
  }

  // 3. Back to ordinals, and retained sizes bottom-up (a dominator always precedes what it dominates).
  const dominator = new Uint32Array(n);
  const retainedSize = new Float64Array(n);
  dominator[root] = root;
  for (let w = 0; w < count; w++) retainedSize[vertex[w]] = nodeSelfSize[vertex[w]];
  for (let w = count - 1; w >= 1; w--) {
    const node = vertex[w];
    const dom = vertex[idom[w]];
    dominator[node] = dom;
    retainedSize[dom] += retainedSize[node];
  }
  return { dominator, retainedSize };
}
