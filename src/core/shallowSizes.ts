/**
 * Shallow sizes as Chrome DevTools shows them (front_end/entrypoints/heap_snapshot_worker/HeapSnapshot.ts,
 * JSHeapSnapshot.calculateShallowSizes): an object's exclusively owned backing stores (its property and element
 * arrays, a closure's internal arrays, an external string's data) count in the object's own shallow size, and read 0
 * themselves. A developer sees "this Map is 12 KB", not "this Map is 32 B and some (object elements) is 12 KB".
 *
 * The rule, as DevTools applies it:
 * - Only when the snapshot has user roots (a non-synthetic child of the synthetic root; Node's snapshots have the
 *   global object). A snapshot without them was taken with internals exposed and keeps V8's raw sizes.
 * - The owned kinds are `hidden` and `array` nodes and the native `system / ExternalStringData`; every other node
 *   owns itself.
 * - Ownership flows from each self-owning node over its strong (non-weak) edges into owned-kind nodes, and on through
 *   chains of them. A node reached from exactly one owner moves its size onto that owner, unless the owner is the
 *   synthetic root or another synthetic node; one reached from two owners keeps its size.
 *
 * Runs once, before dominators, so retained sizes add up the moved sizes as DevTools' do.
 */
import type { HeapGraph } from './heapGraph';
import { doubled } from './typedArrays';

const UNVISITED = 0xffffffff;
const SHARED = 0xfffffffe;

/**
 * Moves the shallow size of every exclusively owned backing store onto its owner, in `graph.nodeSelfSize` (in place).
 * Returns false, changing nothing, when the snapshot has no user roots.
 *
 * @param owners an array of n whose contents do not matter, used instead of allocating (garbage afterwards).
 */
export function moveOwnedSizes(graph: HeapGraph, owners: Uint32Array = new Uint32Array(graph.nodeCount)): boolean {
  const { nodeCount, firstEdge, edgeType, edgeTarget, nodeType, nodeName, nodeSelfSize, rootOrdinal } = graph;
  const { hidden, array, native, synthetic } = graph.types;
  const weak = graph.edges.weak;

  let userRoots = false;
  for (let e = firstEdge[rootOrdinal], end = firstEdge[rootOrdinal + 1]; e < end && !userRoots; e++) {
    userRoots = nodeType[edgeTarget[e]] !== synthetic;
  }
  if (!userRoots) return false;
  if (nodeCount >= SHARED) throw new Error(`A snapshot of ${nodeCount} objects is more than sizes can be attributed for.`);

  const externalStringData = graph.strings.indexOf('system / ExternalStringData');
  for (let o = 0; o < nodeCount; o++) {
    const t = nodeType[o];
    owners[o] = t === hidden || t === array || (t === native && nodeName[o] === externalStringData) ? UNVISITED : o;
  }
  // DevTools starts from a work list of every self-owning node; the order does not matter (ownership only moves
  // from unvisited to one owner to shared), so each is taken in turn here and only the owned nodes whose owner
  // changed wait on the stack: it stays small instead of holding n entries.
  let stack = new Uint32Array(1024);
  for (let start = 0; start < nodeCount; start++) {
    if (owners[start] !== start) continue;
    let top = 0;
    let o = start;
    for (;;) {
      const owner = owners[o];
      for (let e = firstEdge[o], end = firstEdge[o + 1]; e < end; e++) {
        const t = edgeTarget[e];
        // Most references lead to objects that own themselves: the node's type (a byte) rules them out before
        // its owner (four) is read.
        const tt = nodeType[t];
        if ((tt !== hidden && tt !== array && tt !== native) || edgeType[e] === weak) continue;
        const current = owners[t];
        if (current === t || current === owner || current === SHARED) continue;
        owners[t] = current === UNVISITED ? owner : SHARED;
        if (top === stack.length) stack = doubled(stack, 0, 2 * nodeCount);
        stack[top++] = t;
      }
      if (top === 0) break;
      o = stack[--top];
    }
  }
  for (let o = 0; o < nodeCount; o++) {
    const owner = owners[o];
    if (owner === o || owner === UNVISITED || owner === SHARED) continue;
    if (owner === rootOrdinal || nodeType[owner] === synthetic) continue;
    nodeSelfSize[owner] += nodeSelfSize[o];
    nodeSelfSize[o] = 0;
  }
  return true;
}
