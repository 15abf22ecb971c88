/**
 * Dominator tree and retained sizes.
 *
 * Semi-NCA (Lengauer-Tarjan's semidominators with path compression, then immediate dominators by walking up the DFS
 * tree; Georgiadis et al.), iterative, on typed arrays. It needs predecessors, so a compact predecessor list of the
 * edges that count is built for the duration of the computation, in DFS-number space, and dropped afterwards.
 * (Cooper-Harvey-Kennedy's iterative algorithm, which DevTools uses, needs no such list when run forwards, but took
 * 8 passes on the benchmark's tree with sibling and parent links: 8x slower than this.)
 *
 * Which edges count follows DevTools (HeapSnapshot.ts: isEssentialEdge, buildPostOrderIndex):
 * - weak edges never count; shortcut edges count only from the synthetic root;
 * - an edge from an object the program cannot reach (held only by engine or debugger handles) into one it can is
 *   ignored, so a debugger's handle never changes who dominates the program's objects.
 * Nodes the root cannot reach (orphans) hang off the root, as in DevTools, so every node has a dominator.
 */
import { FLAG_USER_REACHABLE } from './distances';
import type { HeapGraph } from './heapGraph';

export interface DominatorResult {
  /** Ordinal of the immediate dominator; the root dominates itself. */
  dominator: Uint32Array;
  retainedSize: Float64Array;
}

const NONE = 0xffffffff;

export function computeDominators(graph: HeapGraph, flags: Uint8Array): DominatorResult {
  const { nodeCount: n, edgeCount, firstEdge, edgeType, edgeTarget, nodeSelfSize } = graph;
  const root = graph.rootOrdinal;
  const weak = graph.edges.weak;
  const shortcut = graph.edges.shortcut;
  const counts = (from: number, e: number, to: number): boolean => {
    const type = edgeType[e];
    if (type === weak) return false;
    if (from === root) return true;
    if (type === shortcut) return false;
    return !((flags[to] & FLAG_USER_REACHABLE) !== 0 && (flags[from] & FLAG_USER_REACHABLE) === 0);
  };

  // 1. Preorder DFS numbers from the root; each orphan starts a DFS tree of its own hanging off the root.
  // Memory: every array of n below is reused once its first job is done (num becomes `ancestor`, `label` first
  // serves as the fill cursor, `parent` becomes the result's `dominator`), so the transient cost is five arrays of n
  // plus the predecessor list.
  const num = new Uint32Array(n).fill(NONE); // ordinal -> DFS number
  const vertex = new Uint32Array(n); // DFS number -> ordinal
  const parent = new Uint32Array(n); // DFS number -> parent's DFS number
  // The DFS looks at every edge of every node exactly once, so it also counts each node's predecessors that count
  // (by ordinal, in `label`, which has no other job yet): no separate counting pass over the edges.
  const label = new Uint32Array(n);
  const userFlag = FLAG_USER_REACHABLE;
  let stackNode = new Uint32Array(1024);
  let stackEdge = new Uint32Array(1024);
  let count = 0;
  const dfs = (start: number) => {
    const numbers = num;
    const predCounts = label;
    numbers[start] = count;
    vertex[count] = start;
    parent[count] = 0;
    count++;
    let top = 0;
    stackNode[0] = start;
    stackEdge[0] = firstEdge[start];
    while (top >= 0) {
      const v = stackNode[top];
      const end = firstEdge[v + 1];
      let e = stackEdge[top];
      // counts(v, e, t), inlined: from the root every non-weak edge; from a node the program reaches, every edge but
      // weak and shortcut ones; from one it does not, those that do not lead into what the program reaches.
      const fromRoot = v === root;
      const fromUser = (flags[v] & userFlag) !== 0;
      let t = 0;
      for (; e < end; e++) {
        const type = edgeType[e];
        if (type === weak) continue;
        t = edgeTarget[e];
        if (!fromRoot && (type === shortcut || (!fromUser && (flags[t] & userFlag) !== 0))) continue;
        predCounts[t]++;
        if (numbers[t] === NONE) break;
      }
      if (e >= end) {
        top--;
        continue;
      }
      stackEdge[top] = e + 1;
      numbers[t] = count;
      vertex[count] = t;
      parent[count] = numbers[v];
      count++;
      if (++top === stackNode.length) {
        const grownNode = new Uint32Array(stackNode.length * 2);
        grownNode.set(stackNode);
        stackNode = grownNode;
        const grownEdge = new Uint32Array(stackEdge.length * 2);
        grownEdge.set(stackEdge);
        stackEdge = grownEdge;
      }
      stackNode[top] = t;
      stackEdge[top] = firstEdge[t];
    }
  };
  dfs(root);
  for (let v = 0; v < n; v++) if (num[v] === NONE) dfs(v); // orphans: parent 0 = the root
  stackNode = stackEdge = new Uint32Array(0);

  // 2. Predecessors that count, by DFS number (CSR). Orphan starts get the root as a virtual predecessor.
  const predFirst = new Uint32Array(n + 1);
  for (let v = 0; v < n; v++) predFirst[num[v] + 1] = label[v];
  let predCount = 0;
  for (let w = 0; w < n; w++) predCount += predFirst[w + 1];
  for (let w = 1; w < n; w++) if (parent[w] === 0 && vertex[w] !== root && !hasRootEdge(vertex[w])) { predFirst[w + 1]++; predCount++; }
  for (let w = 0; w < n; w++) predFirst[w + 1] += predFirst[w];
  const preds = new Uint32Array(predCount);
  const fill = label; // the fill cursor first, the labels after
  fill.set(predFirst.subarray(0, n));
  for (let from = 0, e = 0; from < n; from++) {
    const fromNumber = num[from];
    const end = firstEdge[from + 1];
    const fromRoot = from === root;
    const fromUser = (flags[from] & userFlag) !== 0;
    for (; e < end; e++) {
      const type = edgeType[e];
      if (type === weak) continue;
      const t = edgeTarget[e];
      if (!fromRoot && (type === shortcut || (!fromUser && (flags[t] & userFlag) !== 0))) continue;
      preds[fill[num[t]]++] = fromNumber;
    }
  }
  for (let w = 1; w < n; w++) if (parent[w] === 0 && vertex[w] !== root && !hasRootEdge(vertex[w])) preds[fill[w]++] = 0;
  void edgeCount;

  // 3. Semidominators, with path compression over the DFS forest (iterative).
  const semi = new Uint32Array(n);
  const ancestor = num.fill(NONE); // DFS numbers are no longer needed
  for (let w = 0; w < n; w++) semi[w] = label[w] = w;
  const compressPath: number[] = [];
  const evaluate = (v: number): number => {
    if (ancestor[v] === NONE) return v;
    let x = v;
    while (ancestor[ancestor[x]] !== NONE) {
      compressPath.push(x);
      x = ancestor[x];
    }
    while (compressPath.length) {
      const y = compressPath.pop()!;
      const a = ancestor[y];
      if (semi[label[a]] < semi[label[y]]) label[y] = label[a];
      ancestor[y] = ancestor[a];
    }
    return label[v];
  };
  for (let w = n - 1; w >= 1; w--) {
    let s = semi[w];
    for (let p = predFirst[w], end = predFirst[w + 1]; p < end; p++) {
      const u = evaluate(preds[p]);
      if (semi[u] < s) s = semi[u];
    }
    semi[w] = s;
    ancestor[w] = parent[w];
  }

  // 4. Immediate dominators: the nearest ancestor in the DFS tree not below the semidominator.
  const idom = ancestor; // reused: path compression is done
  idom[0] = 0;
  for (let w = 1; w < n; w++) {
    let d = parent[w];
    while (d > semi[w]) d = idom[d];
    idom[w] = d;
  }

  // 5. Back to ordinals, and retained sizes bottom-up (a dominator always has a smaller DFS number).
  const dominator = parent; // by ordinal from here on: DFS parents are no longer needed
  const retainedSize = new Float64Array(n);
  for (let w = 0; w < n; w++) retainedSize[vertex[w]] = nodeSelfSize[vertex[w]];
  for (let w = n - 1; w >= 1; w--) {
    const v = vertex[w];
    const d = vertex[idom[w]];
    dominator[v] = d;
    retainedSize[d] += retainedSize[v];
  }
  dominator[root] = root;
  return { dominator, retainedSize };

  /** True when the root itself has an edge that counts to `v` (then it is no orphan). */
  function hasRootEdge(v: number): boolean {
    for (let e = firstEdge[root], end = firstEdge[root + 1]; e < end; e++) if (edgeTarget[e] === v && counts(root, e, v)) return true;
    return false;
  }
}
