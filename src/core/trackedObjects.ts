/**
 * Finding the objects a test tracked, in a snapshot of the test's own process, without a strong handle on them.
 *
 * The testing API keeps, per tracked object, a WeakRef of its own class with one property: a marker string that
 * only the tool creates (`retention-explorer/testing#<run>#<n>`). In the snapshot that string is a node, its
 * holder is the tool's WeakRef, and the WeakRef's `target` is a **weak** edge to the object (present only while the
 * object is alive). The user's object itself is never touched, and the tool's bookkeeping never retains it.
 */
import type { HeapGraph } from './heapGraph';

export interface MarkedTarget {
  /** The ordinal of the tool's WeakRef that carries the marker. */
  weakRef: number;
  /** The ordinal of the object it points at, or -1 when the object is gone (the WeakRef was cleared). */
  target: number;
}

/**
 * For each marker, where the tool's WeakRef and its target are. Markers not found at all (the WeakRef itself was
 * dropped, which the tool never does while a check is pending) are absent from the map.
 */
export function findMarkedTargets(graph: HeapGraph, markers: readonly string[], markerProperty = 'marker'): Map<string, MarkedTarget> {
  const result = new Map<string, MarkedTarget>();
  if (markers.length === 0) return result;
  const wanted = new Set(markers);
  // String-table indices of the markers, then the string nodes with those names: one pass over each.
  const markerOfName = new Map<number, string>();
  graph.strings.forEach((s, i) => {
    if (wanted.has(s)) markerOfName.set(i, s);
  });
  if (markerOfName.size === 0) return result;
  const stringType = graph.types.string;
  const markerNodes: number[] = [];
  const markerOfNode = new Map<number, string>();
  for (let o = 0; o < graph.nodeCount; o++) {
    if (graph.nodeType[o] !== stringType) continue;
    const m = markerOfName.get(graph.nodeName[o]);
    if (m !== undefined) {
      markerNodes.push(o);
      markerOfNode.set(o, m);
    }
  }
  const holders = graph.retainersOf(markerNodes);
  for (const [node, retainers] of holders) {
    const marker = markerOfNode.get(node)!;
    for (const { from, edge } of retainers) {
      if (graph.edgeType[edge] !== graph.edges.property || !graph.edgeNamed(edge, markerProperty)) continue;
      let target = -1;
      for (let e = graph.firstEdge[from]; e < graph.firstEdge[from + 1]; e++) {
        if (graph.edgeType[e] === graph.edges.weak && graph.edgeNamed(e, 'target')) target = graph.edgeTarget[e];
      }
      result.set(marker, { weakRef: from, target });
      break;
    }
  }
  return result;
}

/** What a suspended async function or a closure keeps of its code's variables (not its place in a promise chain). */
const FRAME_EDGES = new Set(['parameters_and_registers', 'context', 'function', 'receiver']);

/**
 * Makes weak, in place, before the analysis runs, what `holders` keep of their variables: the checking code's own
 * suspended async functions and closures hold the test's callbacks (and through them the test's scope) only because
 * the check is running, so a path through them would explain the check, not the program. Their place in the chain
 * of awaiting promises stays: it is how the stack reaches the test that awaits the check.
 */
export function discountHolders(graph: HeapGraph, holders: Iterable<number>): number {
  const { firstEdge, edgeType } = graph;
  const weak = graph.edges.weak;
  let n = 0;
  for (const h of holders) {
    for (let e = firstEdge[h]; e < firstEdge[h + 1]; e++) {
      if (edgeType[e] === weak || edgeType[e] === graph.edges.element || edgeType[e] === graph.edges.hidden) continue;
      if (!FRAME_EDGES.has(graph.strings[graph.edgeNameOrIndex[e]])) continue;
      edgeType[e] = weak;
      n++;
    }
  }
  return n;
}

/** Async-function states, generators and closures whose code is at a location `isOurs` accepts. */
export function holdersAt(graph: HeapGraph, locate: (node: number) => { url: string } | null, isOurs: (url: string) => boolean): number[] {
  const { object, closure } = graph.types;
  const result: number[] = [];
  for (let o = 0; o < graph.nodeCount; o++) {
    const t = graph.nodeType[o];
    if (t !== closure && !(t === object && /^(?:Generator|AsyncGenerator|AsyncFunctionObject)$/.test(graph.strings[graph.nodeName[o]]))) continue;
    const loc = locate(o);
    if (loc?.url && isOurs(loc.url)) result.push(o);
  }
  return result;
}
