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
import { doubled } from './typedArrays';

export const NO_DISTANCE = 0xffffffff;
export const SYSTEM_DISTANCE = 100_000_000;

/** Bit in `nodeFlags`: reachable from a user root through strong edges (DevTools' "page object"). */
export const FLAG_USER_REACHABLE = 1;

export function computeUserReachable(graph: HeapGraph): Uint8Array {
  const { nodeCount, firstEdge, edgeType, edgeTarget, rootOrdinal } = graph;
  const weak = graph.edges.weak;
  const shortcut = graph.edges.shortcut;
  const flags = new Uint8Array(nodeCount);
  // The stack holds the marked objects whose edges are still to be read: it grows as needed (usually far below n).
  let stack = new Uint32Array(1024);
  let top = 0;
  for (let e = firstEdge[rootOrdinal], end = firstEdge[rootOrdinal + 1]; e < end; e++) {
    if (edgeType[e] !== shortcut) continue;
    const t = edgeTarget[e];
    if (flags[t] & FLAG_USER_REACHABLE) continue;
    flags[t] |= FLAG_USER_REACHABLE;
    if (top === stack.length) stack = doubled(stack, 0, nodeCount);
    stack[top++] = t;
  }
  while (top > 0) {
    const n = stack[--top];
    for (let e = firstEdge[n], end = firstEdge[n + 1]; e < end; e++) {
      if (edgeType[e] === weak) continue;
      const t = edgeTarget[e];
      if (flags[t] & FLAG_USER_REACHABLE) continue;
      flags[t] |= FLAG_USER_REACHABLE;
      if (top === stack.length) stack = doubled(stack, 0, nodeCount);
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
 * @param reuse two arrays of n whose contents do not matter, used instead of allocating: the first becomes the
 *   result, the second is the queue.
 */
export function computeDistances(graph: HeapGraph, blocked = -1, wanted?: readonly number[], reuse?: [Uint32Array, Uint32Array]): Uint32Array {
  const { nodeCount, firstEdge, edgeType, edgeTarget, rootOrdinal } = graph;
  const distances = (reuse?.[0] ?? new Uint32Array(nodeCount)).fill(NO_DISTANCE);
  if (blocked >= 0) distances[blocked] = NO_DISTANCE - 1; // never entered; restored at the end
  const queue = reuse?.[1] ?? new Uint32Array(nodeCount);
  const { skip, special } = edgeFilter(graph);
  const nodeName = graph.nodeName;
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
 * define distance (they would make every function look one step from the global object). `special` marks, by string
 * index, the two node names whose edges `skip` may filter, so a hot loop calls it only for those nodes.
 */
function edgeFilter(graph: HeapGraph): { skip: (from: number, edge: number) => boolean; special: Uint8Array } {
  const nativeContext = graph.strings.indexOf('system / NativeContext');
  const sloppy = graph.strings.indexOf('sloppy_function_map');
  const descriptors = graph.strings.indexOf('(map descriptors)');
  const special = new Uint8Array(graph.strings.length);
  if (nativeContext >= 0) special[nativeContext] = 1;
  if (descriptors >= 0) special[descriptors] = 1;
  const { nodeName, nodeType, edgeNameOrIndex, edgeType } = graph;
  const hidden = graph.types.hidden;
  const array = graph.types.array;
  const element = graph.edges.element;
  const hiddenEdge = graph.edges.hidden;
  const skip = (from: number, edge: number): boolean => {
    const name = nodeName[from];
    if (name === nativeContext && nodeType[from] === hidden && sloppy >= 0 && edgeNameOrIndex[edge] === sloppy && edgeType[edge] !== element && edgeType[edge] !== hiddenEdge) return true;
    if (name === descriptors && nodeType[from] === array && (edgeType[edge] === element || edgeType[edge] === hiddenEdge)) {
      const index = edgeNameOrIndex[edge];
      return !(index < 2 || index % 3 !== 1);
    }
    return false;
  };
  return { skip, special };
}

/**
 * The distances `computeDistances(graph, blocked)` gives, derived from the full `distances` by repairing only what
 * the blocked object can change (Ramalingam-Reps style), or null when that would not be cheaper (the caller then
 * measures again). An object keeps its distance unless every one of its shortest ways in runs through `blocked`, and
 * such an object lies among the shortest-way descendants of `blocked`: that set (`below`) is collected first, and
 * whatever is left without a shortest way in gets its distance from its other holders (one sweep over the edges).
 * Exact everywhere (not only up to the holders a caller waits for). Transient memory: two arrays of n.
 */
export function distancesWithout(graph: HeapGraph, distances: Uint32Array, blocked: number, maxBelow: number): Uint32Array | null {
  const { nodeCount, firstEdge, edgeType, edgeTarget, rootOrdinal: root, nodeName } = graph;
  const weak = graph.edges.weak;
  const shortcut = graph.edges.shortcut;
  const top = distances[blocked];
  if (blocked === root || top === NO_DISTANCE || top >= NO_DISTANCE - 2) return null;
  // The root's own links seed the measure (user roots at 1, the root itself at SYSTEM_DISTANCE or 0): removing one
  // of them, or a heap where something links back to the root, is left to the full measure.
  for (let e = firstEdge[root], end = firstEdge[root + 1]; e < end; e++) if (edgeTarget[e] === blocked) return null;
  const { skip, special } = edgeFilter(graph);
  const counts = (from: number, e: number): boolean => {
    const type = edgeType[e];
    if (type === weak || (type === shortcut && from !== root)) return false;
    return special[nodeName[from]] === 0 || !skip(from, e);
  };

  // 1. `below`: the blocked object and everything one of whose shortest ways in runs through it, in distance order.
  // mark: 0 = elsewhere, 1 = below and undecided/kept, 2 = below and lost its shortest ways in, 3 = the blocked one.
  const mark = new Uint8Array(nodeCount);
  const below: number[] = [blocked];
  mark[blocked] = 3;
  for (let i = 0; i < below.length; i++) {
    const n = below[i];
    const next = distances[n] + 1;
    for (let e = firstEdge[n], end = firstEdge[n + 1]; e < end; e++) {
      const t = edgeTarget[e];
      if (mark[t] !== 0 || distances[t] !== next || !counts(n, e)) continue;
      if (t === root) return null;
      mark[t] = 1;
      below.push(t);
    }
    if (below.length > maxBelow) return null;
  }

  // 2. One sweep: for each object below, the best way in from outside (`bound`, a distance; outside objects keep
  // theirs). An edge into the root means the two-phase measure is not a plain shortest-path one: give up.
  const bound = new Uint32Array(nodeCount); // 0 = none yet, else distance + 1 (only read for objects below)
  mark[root] = 4; // never below (step 1 gives up first); marked only so that the sweep notices an edge into it
  const edgeCount = firstEdge[nodeCount];
  let from = 0;
  for (let e = 0; e < edgeCount; e++) {
    const t = edgeTarget[e];
    const m = mark[t];
    if (m === 0 || m === 3) continue;
    if (m === 4) return null;
    while (firstEdge[from + 1] <= e) from++; // the edges are sorted by source: a cursor finds it
    const mf = mark[from];
    const df = distances[from];
    if ((mf !== 0 && mf !== 4) || df === NO_DISTANCE || !counts(from, e)) continue;
    const b = df + 2;
    if (bound[t] === 0 || b < bound[t]) bound[t] = b;
  }
  mark[root] = 0;

  // 3. In distance order: an object below keeps its distance when one of its shortest ways in comes from outside or
  // from an object below that kept its own; the ones that keep theirs offer bounds to the others.
  const lost: number[] = [];
  for (let i = 1; i < below.length; i++) {
    const n = below[i];
    const d = distances[n];
    if (bound[n] !== d + 1) {
      mark[n] = 2;
      lost.push(n);
      continue;
    }
    for (let e = firstEdge[n], end = firstEdge[n + 1]; e < end; e++) {
      const t = edgeTarget[e];
      if (mark[t] !== 1 && mark[t] !== 2) continue;
      if (!counts(n, e)) continue;
      const b = d + 2;
      if (bound[t] === 0 || b < bound[t]) bound[t] = b;
    }
  }

  // 4. The lost ones: shortest paths seeded by their bounds (sorted), unit steps among themselves.
  const out = distances.slice();
  out[blocked] = NO_DISTANCE;
  for (const n of lost) out[n] = NO_DISTANCE;
  const seeds = lost.filter((n) => bound[n] !== 0).sort((a, b) => bound[a] - bound[b]);
  const queue: number[] = [];
  let head = 0;
  let s = 0;
  while (s < seeds.length || head < queue.length) {
    let n: number;
    let d: number;
    if (head < queue.length && (s >= seeds.length || out[queue[head]] <= bound[seeds[s]] - 1)) {
      n = queue[head++];
      d = out[n];
    } else {
      n = seeds[s++];
      d = bound[n] - 1;
      if (out[n] !== NO_DISTANCE && out[n] <= d) continue;
      out[n] = d;
    }
    const next = d + 1;
    for (let e = firstEdge[n], end = firstEdge[n + 1]; e < end; e++) {
      const t = edgeTarget[e];
      if (mark[t] !== 2 || out[t] !== NO_DISTANCE || !counts(n, e)) continue;
      out[t] = next;
      queue.push(t);
    }
  }
  return out;
}
