/**
 * Distances from the GC roots and the "reachable from user roots" flag, as Chrome DevTools defines them
 * (front_end/entrypoints/heap_snapshot_worker/HeapSnapshot.ts: calculateDistances, markPageOwnedNodes).
 *
 * - User roots are the non-synthetic children of the synthetic root (for Node: the global object, reached by a
 *   shortcut edge). They are at distance 1 and everything reachable from them is measured first.
 * - Then the rest is measured from the synthetic root, offset by SYSTEM_DISTANCE, so an object held only by engine
 *   or debugger handles (`(Handle scope)`, `(Global handles)`) reads as "system", not as "close to a root".
 * - Weak edges never count; shortcut edges count only from the synthetic root.
 */
import type { HeapGraph } from './heapGraph';

export const NO_DISTANCE = 0xffffffff;
export const SYSTEM_DISTANCE = 100_000_000;

/** Bit in `nodeFlags`: reachable from a user root through strong edges (DevTools' "page object"). */
export const FLAG_USER_REACHABLE = 1;

export function computeUserReachable(graph: HeapGraph): Uint8Array {
  const { nodeCount, firstEdge, edgeType, edgeTarget, rootOrdinal } = graph;
  const weak = graph.edges.weak;
  const shortcut = graph.edges.shortcut;
  const flags = new Uint8Array(nodeCount);
  const stack = new Uint32Array(nodeCount);
  let top = 0;
  for (let e = firstEdge[rootOrdinal], end = firstEdge[rootOrdinal + 1]; e < end; e++) {
    if (edgeType[e] !== shortcut) continue;
    const t = edgeTarget[e];
    if (flags[t] & FLAG_USER_REACHABLE) continue;
    flags[t] |= FLAG_USER_REACHABLE;
    stack[top++] = t;
  }
  while (top > 0) {
    const n = stack[--top];
    for (let e = firstEdge[n], end = firstEdge[n + 1]; e < end; e++) {
      if (edgeType[e] === weak) continue;
      const t = edgeTarget[e];
      if (flags[t] & FLAG_USER_REACHABLE) continue;
      flags[t] |= FLAG_USER_REACHABLE;
      stack[top++] = t;
    }
  }
  return flags;
}

/**
 * @param blocked an object treated as absent (its own distance stays NO_DISTANCE): used to find the shortest way to
 *   an object's holders that does not run through the object itself.
 * @param wanted when given, the measure stops as soon as all of these have a distance: every object closer than the
 *   last of them is then final, which is all a walk down the gradient from them reads. The rest stay NO_DISTANCE.
 */
export function computeDistances(graph: HeapGraph, blocked = -1, wanted?: readonly number[]): Uint32Array {
  const { nodeCount, firstEdge, edgeType, edgeTarget, rootOrdinal } = graph;
  const distances = new Uint32Array(nodeCount).fill(NO_DISTANCE);
  if (blocked >= 0) distances[blocked] = NO_DISTANCE - 1; // never entered; restored at the end
  const queue = new Uint32Array(nodeCount);
  const skip = edgeFilter(graph);
  const nodeName = graph.nodeName;
  const special = new Uint8Array(graph.strings.length);
  for (const name of ['system / NativeContext', '(map descriptors)']) {
    const index = graph.strings.indexOf(name);
    if (index >= 0) special[index] = 1;
  }
  // Early stop: `awaited` marks the wanted objects still without a distance; awaited[nodeCount] counts them.
  const awaited = wanted ? new Uint32Array(nodeCount + 1) : null;
  if (awaited) for (const w of wanted!) if (w !== blocked && awaited[w] === 0) { awaited[w] = 1; awaited[nodeCount]++; }
  const reached = (t: number): boolean => awaited !== null && awaited[t] === 1 && ((awaited[t] = 0), --awaited[nodeCount] === 0);

  let length = 0;
  let done = false;
  for (let e = firstEdge[rootOrdinal], end = firstEdge[rootOrdinal + 1]; e < end; e++) {
    const t = edgeTarget[e];
    if (graph.isSynthetic(t) || distances[t] !== NO_DISTANCE) continue;
    distances[t] = 1;
    queue[length++] = t;
    if (reached(t)) done = true;
  }
  const userRoots = length;
  const sweep = (initial: number) =>
    breadthFirst(queue, initial, distances, firstEdge, edgeType, edgeTarget, nodeName, special, graph.edges.weak, graph.edges.shortcut, rootOrdinal, skip, awaited);
  if (!done) done = sweep(length);
  if (!done) {
    distances[rootOrdinal] = userRoots > 0 ? SYSTEM_DISTANCE : 0;
    if (!reached(rootOrdinal)) {
      queue[0] = rootOrdinal;
      sweep(1);
    }
  }
  if (blocked >= 0) distances[blocked] = NO_DISTANCE;
  return distances;
}

/**
 * Breadth-first from the queue's first `initial` entries; true when the last awaited object got its distance.
 * A plain function of its arrays (no closure over them), so the loop keeps them in registers.
 */
function breadthFirst(
  queue: Uint32Array,
  initial: number,
  distances: Uint32Array,
  firstEdge: Uint32Array,
  edgeType: Uint8Array,
  edgeTarget: Uint32Array,
  nodeName: Uint32Array,
  special: Uint8Array,
  weak: number,
  shortcut: number,
  root: number,
  skip: (from: number, edge: number) => boolean,
  awaited: Uint32Array | null,
): boolean {
  let head = 0;
  let tail = initial;
  const counter = awaited === null ? 0 : awaited.length - 1;
  while (head < tail) {
    const n = queue[head++];
    const d = distances[n] + 1;
    const filtered = special[nodeName[n]] === 1; // only two kinds of node have edges DevTools filters
    const isRoot = n === root;
    for (let e = firstEdge[n], end = firstEdge[n + 1]; e < end; e++) {
      const t = edgeTarget[e];
      if (distances[t] !== NO_DISTANCE) continue;
      const type = edgeType[e];
      if (type === weak || (type === shortcut && !isRoot)) continue;
      if (filtered && skip(n, e)) continue;
      distances[t] = d;
      queue[tail++] = t;
      if (awaited !== null && awaited[t] === 1) {
        awaited[t] = 0;
        if (--awaited[counter] === 0) return true;
      }
    }
  }
  return false;
}

/**
 * DevTools' JS filter: a NativeContext's `sloppy_function_map` and the value slots of `(map descriptors)` do not
 * define distance (they would make every function look one step from the global object).
 */
function edgeFilter(graph: HeapGraph): (from: number, edge: number) => boolean {
  const nativeContext = graph.strings.indexOf('system / NativeContext');
  const sloppy = graph.strings.indexOf('sloppy_function_map');
  const descriptors = graph.strings.indexOf('(map descriptors)');
  const { nodeName, nodeType, edgeNameOrIndex, edgeType } = graph;
  const hidden = graph.types.hidden;
  const array = graph.types.array;
  const element = graph.edges.element;
  const hiddenEdge = graph.edges.hidden;
  return (from, edge) => {
    const name = nodeName[from];
    if (name === nativeContext && nodeType[from] === hidden && sloppy >= 0 && edgeNameOrIndex[edge] === sloppy && edgeType[edge] !== element && edgeType[edge] !== hiddenEdge) return true;
    if (name === descriptors && nodeType[from] === array && (edgeType[edge] === element || edgeType[edge] === hiddenEdge)) {
      const index = edgeNameOrIndex[edge];
      return !(index < 2 || index % 3 !== 1);
    }
    return false;
  };
}
