/**
 * Dominator tree and retained sizes.
 *
 * Semi-NCA (Lengauer-Tarjan's semidominators with path compression, then immediate dominators by walking up the DFS
 * tree; Georgiadis et al.), iterative, on typed arrays. It needs predecessors, but only those numbered after the
 * node they point to (back and cross edges; the others are folded in by the DFS), so a compact list of just those is
 * built for the duration of the computation, in DFS-number space, and dropped afterwards.
 * (Cooper-Harvey-Kennedy's iterative algorithm, which DevTools uses, needs no such list when run forwards, but took
 * 8 passes on the benchmark's tree with sibling and parent links: 8x slower than this.)
 *
 * Which edges count follows DevTools (HeapSnapshot.ts: isEssentialEdge, buildPostOrderIndex):
 * - weak edges never count; shortcut edges count only from the synthetic root; a WeakMap's own edge to a value
 *   (`N / part of key (...) -> value (...) pair in WeakMap (table @T)` from table @T) does not count: the key's does;
 * - an edge from an object the program cannot reach (held only by engine or debugger handles) into one it can is
 *   ignored, so a debugger's handle never changes who dominates the program's objects.
 * Nodes the root cannot reach (orphans) hang off the root, as in DevTools, so every node has a dominator: one that
 * nothing holds by a counting edge through a virtual edge from the root (what it reaches is dominated as usual); any
 * other (a clique holding itself) directly, dominating nothing.
 */
import { FLAG_USER_REACHABLE } from './distances';
import type { HeapGraph } from './heapGraph';
import { doubled } from './typedArrays';

export interface DominatorResult {
  /** Ordinal of the immediate dominator; the root dominates itself. */
  dominator: Uint32Array;
  retainedSize: Float64Array;
  /**
   * Two arrays of n the computation is done with (their contents are garbage), for the caller's next job: on a large
   * heap, reusing them rather than allocating anew keeps the memory peak down, since V8 frees dead typed arrays only
   * at its next collection, which a loop over typed arrays seldom triggers.
   */
  spare: [Uint32Array, Uint32Array];
}

const NONE = 0xffffffff;

/** @param scratch an array of n whose contents do not matter, used instead of allocating one (see `spare`). */
export function computeDominators(graph: HeapGraph, flags: Uint8Array, scratch?: Uint32Array): DominatorResult {
  const { nodeCount: n, firstEdge, edgeType, edgeTarget, nodeSelfSize } = graph;
  const root = graph.rootOrdinal;
  const weak = graph.edges.weak;
  const shortcut = graph.edges.shortcut;

  // 1. Preorder DFS numbers from the root; each orphan starts a DFS tree of its own hanging off the root.
  //
  // A predecessor u of w numbered before w (tree and forward edges, and an orphan start's virtual edge from the root)
  // offers u itself as a semidominator candidate, so the DFS folds those into `semi` as it meets them. Only the
  // predecessors numbered after w (back and cross edges) need path evaluation later, so only those are counted here
  // and listed in step 2: on a heap that is about half of the edges, halving the list and the evaluations.
  //
  // Memory: `semi` and `label` are the two halves of the buffer that becomes `retainedSize`, `label` first holds the
  // predecessor lists' offsets (see `semidominators`), `num` becomes `ancestor` and then `idom`, and `parent` becomes
  // the result's `dominator`: the transient cost is `num`, `vertex`
  // and the back/cross predecessor list.
  const tables = weakMapTableEdges(graph);
  const num = (scratch ?? new Uint32Array(n)).fill(NONE); // ordinal -> DFS number
  const vertex = new Uint32Array(n); // DFS number -> ordinal
  const parent = new Uint32Array(n); // DFS number -> parent's DFS number
  const work = new ArrayBuffer(8 * n);
  const semi = new Uint32Array(work, 0, n); // DFS number -> semidominator's DFS number (candidates so far)
  const label = new Uint32Array(work, 4 * n, n);
  // DFS number -> back/cross predecessor count, then where its list starts; its label later.
  const predStart = label;
  const stack = { node: new Uint32Array(1024), edge: new Uint32Array(1024) };
  let count = depthFirst(root, 0, root, num, vertex, parent, semi, predStart, stack, flags, firstEdge, edgeType, edgeTarget, weak, shortcut, tables);
  // Orphans, as DevTools takes them (calculateDominatorsAndRetainedSizes): first each one that nothing holds by a
  // counting edge starts a DFS tree of its own; then what is still unnumbered (a clique holding itself) hangs off the
  // root one by one, with no DFS and none of its edges counted, so its dominator is the root and it dominates nothing.
  let lonely = n;
  if (count < n) {
    const held = new Uint8Array(n); // 1: an unnumbered object holds it by a counting edge
    for (let u = 0; u < n; u++) {
      if (num[u] !== NONE) continue;
      // The counting rule of the DFS (the root is numbered, so never `u`); a self edge does not hold either.
      const fromUser = (flags[u] & FLAG_USER_REACHABLE) !== 0;
      for (let e = firstEdge[u], end = firstEdge[u + 1]; e < end; e++) {
        const t = edgeTarget[e];
        const type = edgeType[e];
        if (t === u || type === weak || type === shortcut || (!fromUser && (flags[t] & FLAG_USER_REACHABLE) !== 0)) continue;
        if (!tables.skips(u, e)) held[t] = 1;
      }
    }
    for (let v = 0; v < n; v++) {
      if (num[v] === NONE && held[v] === 0) count = depthFirst(v, count, root, num, vertex, parent, semi, predStart, stack, flags, firstEdge, edgeType, edgeTarget, weak, shortcut, tables);
    }
    lonely = count;
    for (let v = 0; v < n; v++) {
      if (num[v] !== NONE) continue;
      num[v] = count;
      vertex[count] = v;
      parent[count] = 0;
      semi[count] = 0;
      count++;
    }
  }
  stack.node = stack.edge = new Uint32Array(0);

  // 2. The back and cross predecessors by DFS number (CSR): offsets are running ends, filled downwards to starts.
  // The list of w ends where the list of w + 1 starts (the last one at `total`).
  let total = 0;
  for (let w = 0; w < n; w++) predStart[w] = total += predStart[w];
  let preds = new Uint32Array(total);
  fillPredecessors(n, root, num, predStart, preds, flags, firstEdge, edgeType, edgeTarget, weak, shortcut, lonely, tables);

  // 3. Semidominators, with path compression over the DFS forest (iterative).
  const ancestor = num.fill(NONE); // DFS numbers by ordinal are no longer needed
  semidominators(n, parent, semi, label, ancestor, preds);
  // eslint-disable-next-line no-useless-assignment -- frees the predecessor lists for the GC before step 4 allocates
  preds = new Uint32Array(0);

  // 4. Immediate dominators: the nearest ancestor in the DFS tree not below the semidominator.
  const idom = ancestor; // reused: path compression is done
  idom[0] = 0;
  for (let w = 1; w < n; w++) {
    let d = parent[w];
    const s = semi[w];
    while (d > s) d = idom[d];
    idom[w] = d;
  }

  // 5. Back to ordinals, and retained sizes bottom-up (a dominator always has a smaller DFS number). `semi` and
  // `label` are done: their buffer holds the sizes, every entry written before it is read.
  const dominator = parent; // by ordinal from here on: DFS parents are no longer needed
  const retainedSize = new Float64Array(work);
  for (let w = 0; w < n; w++) retainedSize[vertex[w]] = nodeSelfSize[vertex[w]];
  for (let w = n - 1; w >= 1; w--) {
    const v = vertex[w];
    const d = vertex[idom[w]];
    dominator[v] = d;
    retainedSize[d] += retainedSize[v];
  }
  dominator[root] = root;
  return { dominator, retainedSize, spare: [vertex, idom] };
}

/**
 * One DFS tree from `start` (numbered `count`, parent the root's number 0), iterative. Returns the next free number.
 * Plain function of its arrays, so the loop keeps them in registers.
 */
function depthFirst(
  start: number, count: number, root: number,
  num: Uint32Array, vertex: Uint32Array, parent: Uint32Array, semi: Uint32Array, backCount: Uint32Array,
  stack: { node: Uint32Array; edge: Uint32Array }, flags: Uint8Array,
  firstEdge: Uint32Array, edgeType: Uint8Array, edgeTarget: Uint32Array, weak: number, shortcut: number, tables: WeakMapTableEdges,
): number {
  let stackNode = stack.node;
  let stackEdge = stack.edge;
  const tableNode = tables.tableNode;
  num[start] = count;
  vertex[count] = start;
  parent[count] = 0;
  semi[count] = 0; // the root, or for an orphan the root's virtual edge
  count++;
  let top = 0;
  stackNode[0] = start;
  stackEdge[0] = firstEdge[start];
  while (top >= 0) {
    const v = stackNode[top];
    const nv = num[v];
    const end = firstEdge[v + 1];
    let e = stackEdge[top];
    const fromRoot = v === root;
    const fromUser = (flags[v] & FLAG_USER_REACHABLE) !== 0;
    const fromTable = tableNode.length !== 0 && tableNode[v] === 1;
    let t = 0;
    for (; e < end; e++) {
      // Whether the edge counts (the header's rules), inlined here and in fillPredecessors.
      const type = edgeType[e];
      if (type === weak) continue;
      t = edgeTarget[e];
      if (!fromRoot && (type === shortcut || (!fromUser && (flags[t] & FLAG_USER_REACHABLE) !== 0))) continue;
      if (fromTable && tables.skips(v, e)) continue;
      const nt = num[t];
      if (nt === NONE) break; // a tree edge
      if (nt > nv) {
        if (nv < semi[nt]) semi[nt] = nv; // a forward edge: v is an ancestor of t
      } else if (nt < nv && nt !== 0) {
        backCount[nt]++; // a back or cross edge (the root has no semidominator to find)
      }
    }
    if (e >= end) {
      top--;
      continue;
    }
    stackEdge[top] = e + 1;
    num[t] = count;
    vertex[count] = t;
    parent[count] = nv;
    semi[count] = nv;
    count++;
    if (++top === stackNode.length) {
      stack.node = stackNode = doubled(stackNode);
      stack.edge = stackEdge = doubled(stackEdge);
    }
    stackNode[top] = t;
    stackEdge[top] = firstEdge[t];
  }
  return count;
}

/** Lists each back or cross edge u -> w under w, as the DFS counted them (same edges, same test). */
function fillPredecessors(
  n: number, root: number, num: Uint32Array, predEnd: Uint32Array, preds: Uint32Array, flags: Uint8Array,
  firstEdge: Uint32Array, edgeType: Uint8Array, edgeTarget: Uint32Array, weak: number, shortcut: number, lonely: number,
  tables: WeakMapTableEdges,
): void {
  const tableNode = tables.tableNode;
  for (let from = 0, e = 0; from < n; from++) {
    const nf = num[from];
    const end = firstEdge[from + 1];
    if (nf >= lonely) { // an orphan hung off the root alone: its edges do not count (nor did the DFS count them)
      e = end;
      continue;
    }
    const fromRoot = from === root;
    const fromUser = (flags[from] & FLAG_USER_REACHABLE) !== 0;
    const fromTable = tableNode.length !== 0 && tableNode[from] === 1;
    for (; e < end; e++) {
      const type = edgeType[e];
      if (type === weak) continue;
      const t = edgeTarget[e];
      if (!fromRoot && (type === shortcut || (!fromUser && (flags[t] & FLAG_USER_REACHABLE) !== 0))) continue;
      if (fromTable && tables.skips(from, e)) continue;
      const nt = num[t];
      if (nt < nf && nt !== 0) preds[--predEnd[nt]] = nf;
    }
  }
}

/**
 * Semidominators in reverse preorder: each listed predecessor u (numbered after w, so already linked into the
 * forest) offers the smallest semidominator on its forest path, found with path compression.
 *
 * `label` comes in holding where each node's predecessor list starts. A label is only read for nodes already
 * processed (linked into the forest), and a list start only for the node being processed, so each entry turns from
 * list start into label (the node itself) as its node is processed; the list's end is the start of the one before.
 */
function semidominators(n: number, parent: Uint32Array, semi: Uint32Array, label: Uint32Array, ancestor: Uint32Array, preds: Uint32Array): void {
  let path = new Uint32Array(256);
  let end = preds.length;
  label[0] = 0;
  for (let w = n - 1; w >= 1; w--) {
    let s = semi[w];
    const start = label[w];
    label[w] = w;
    for (let p = start; p < end; p++) {
      const v = preds[p];
      let u = v;
      if (ancestor[v] !== NONE) {
        // Compress the path from v up to the forest root's child, carrying the smallest semidominator's label down.
        let depth = 0;
        let x = v;
        while (ancestor[ancestor[x]] !== NONE) {
          if (depth === path.length) path = doubled(path);
          path[depth++] = x;
          x = ancestor[x];
        }
        while (depth > 0) {
          const y = path[--depth];
          const a = ancestor[y];
          if (semi[label[a]] < semi[label[y]]) label[y] = label[a];
          ancestor[y] = ancestor[a];
        }
        u = label[v];
      }
      if (semi[u] < s) s = semi[u];
    }
    semi[w] = s;
    ancestor[w] = parent[w];
    end = start;
  }
}

/** Which internal edges are a WeakMap table's own edge to a value (DevTools leaves them out of dominators). */
interface WeakMapTableEdges {
  /** By ordinal: 1 for a WeakMap table some ephemeron edge name names (empty when there is none), so the hot loops
   * test one byte per node, not each edge's name. */
  tableNode: Uint8Array;
  skips(from: number, edge: number): boolean;
}

const WEAK_MAP_EDGE = /^\d+ \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(\d+)\)$/;

function weakMapTableEdges(graph: HeapGraph): WeakMapTableEdges {
  // By string index: the table id an ephemeron edge name names. Few strings qualify; a cheap test rules out the rest.
  const tableOf = new Map<number, number>();
  const strings = graph.strings;
  for (let i = 0; i < strings.length; i++) {
    const s = strings[i];
    if (!s.includes(' pair in WeakMap (table @')) continue;
    const m = WEAK_MAP_EDGE.exec(s);
    if (m) tableOf.set(i, Number(m[1]));
  }
  const { edgeNameOrIndex, nodeId, edgeType } = graph;
  const internal = graph.edges.internal;
  const tableNode = new Uint8Array(tableOf.size > 0 ? graph.nodeCount : 0);
  if (tableOf.size > 0) {
    const ids = new Set(tableOf.values());
    for (let o = 0; o < graph.nodeCount; o++) if (ids.has(nodeId[o])) tableNode[o] = 1;
  }
  return {
    tableNode,
    skips: (from, edge) => edgeType[edge] === internal && tableOf.get(edgeNameOrIndex[edge]) === nodeId[from],
  };
}
