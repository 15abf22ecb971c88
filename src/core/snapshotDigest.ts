/**
 * What a comparison keeps of an earlier snapshot, instead of its whole graph: per class, the heap ids of its live
 * objects (sorted) and their shallow sizes, as typed arrays (8 bytes an object, against ~50 for the analysed graph),
 * the largest id, and a small fingerprint that tells whether a later snapshot comes from the same process with the
 * same ids. Pure: no vscode, no I/O.
 */
import type { HeapAnalysis } from './analysis';
import { NO_DISTANCE } from './distances';
import type { HeapGraph } from './heapGraph';

/** One class's live objects in one snapshot. `ids` ascending; `sizes[i]` is the shallow size of `ids[i]`. */
export interface ClassDigest {
  name: string;
  ids: Uint32Array;
  sizes: Uint32Array;
  /** Sum of `sizes`. */
  size: number;
}

export interface SnapshotDigest {
  /** The largest heap id in the snapshot: an object with a larger id in a later snapshot was allocated after it. */
  maxId: number;
  nodeCount: number;
  /** Live objects counted in `classes` (reachable ones, the synthetic roots left out). */
  objectCount: number;
  totalSize: number;
  /** Objects that share their id with another (0 in a snapshot V8 wrote; many when a tool wrote no real ids). */
  duplicateIds: number;
  /** Ordered by name. */
  classes: ClassDigest[];
  fingerprint: ProcessFingerprint;
}

/**
 * Enough to tell "the same process, the same ids" from "another process" or "ids given out again": the snapshot
 * format (V8's meta), and a sample of objects spread over the heap, each as its id and a hash of its type and name.
 * In one process an id keeps naming the same object, so a later snapshot agrees on every sampled id it still holds
 * (measured: 100%); another run of the same program agrees on ~90% (ids follow heap addresses, which differ).
 */
export interface ProcessFingerprint {
  /** V8's node and edge field and type names, joined: another V8 means another process. */
  format: string;
  sampleIds: Uint32Array;
  sampleHashes: Uint32Array;
}

const SAMPLE_SIZE = 4096;

/** In `ClassSlots.slots`: a node the comparison does not count. */
export const NOT_COUNTED = 0xffffffff;

/** Every counted node's class, as an index into `names`; NOT_COUNTED for the others. */
export interface ClassSlots {
  slots: Uint32Array;
  names: string[];
}

/**
 * The class each node counts under, as DevTools' comparison groups them: objects by constructor name, functions under
 * "(closure)", strings under "(string)", engine internals under "(system)" or "(compiled code)". Counted: JavaScript
 * heap objects (V8 gives those odd ids, in allocation order; the embedder's C++ nodes, `Node / ...`, get even ids
 * that change from snapshot to snapshot), reachable, not the synthetic roots. One pass over tables, no call per node.
 */
export function classSlots(graph: HeapGraph, distances: Uint32Array): ClassSlots {
  const t = graph.types;
  const names: string[] = ['(closure)', '(string)', '(number)', '(compiled code)', '(system)', '(symbol)', '(bigint)', '(internal array)', '(anonymous)'];
  const [CLOSURE, STRING, NUMBER, CODE, SYSTEM, SYMBOL, BIGINT, INTERNAL_ARRAY, ANONYMOUS] = names.map((_, i) => i);
  const BY_NAME = -1;
  const SKIP = -2;
  // Per node type: a fixed class, SKIP, or BY_NAME (the constructor name, or `fallback` when it has none).
  const typeSlot = new Int32Array(graph.nodeTypeNames.length).fill(BY_NAME);
  const fallback = new Int32Array(graph.nodeTypeNames.length).fill(ANONYMOUS);
  const set = (code: number, slot: number) => { if (code >= 0) typeSlot[code] = slot; };
  set(t.closure, CLOSURE);
  for (const code of [t.string, t.concatString, t.slicedString]) set(code, STRING);
  set(t.number, NUMBER);
  set(t.code, CODE);
  set(t.hidden, SYSTEM);
  set(t.objectShape, SYSTEM);
  set(t.symbol, SYMBOL);
  set(t.bigint, BIGINT);
  set(t.synthetic, SKIP);
  if (t.array >= 0) fallback[t.array] = INTERNAL_ARRAY;
  const byName = new Int32Array(graph.strings.length).fill(-1);
  const { nodeCount, nodeType, nodeName, nodeId, strings } = graph;
  const slots = new Uint32Array(nodeCount);
  for (let o = 0; o < nodeCount; o++) {
    if ((nodeId[o] & 1) === 0 || distances[o] === NO_DISTANCE) {
      slots[o] = NOT_COUNTED;
      continue;
    }
    const type = nodeType[o];
    const fixed = typeSlot[type];
    if (fixed >= 0) {
      slots[o] = fixed;
      continue;
    }
    if (fixed === SKIP) {
      slots[o] = NOT_COUNTED;
      continue;
    }
    const name = nodeName[o];
    let slot = byName[name];
    if (slot < 0) {
      if (strings[name]) {
        // A constructor can be called "(closure)" as well; such a name keeps a slot of its own.
        slot = byName[name] = names.length;
        names.push(strings[name]);
      } else {
        slot = fallback[type];
      }
    }
    slots[o] = slot;
  }
  if (nodeCount > 0) slots[graph.rootOrdinal] = NOT_COUNTED;
  return { slots, names };
}

/**
 * The digest of an analysed snapshot. The ids go into one buffer per snapshot, class by class, in node order (V8
 * writes nodes roughly in id order: 96% of neighbours ascend), and only what is out of order is sorted
 * (sortPairsById). Transient memory: a class's out-of-order pairs, not a sort of the whole heap.
 */
export function digestSnapshot(analysis: HeapAnalysis, classes?: ClassSlots): SnapshotDigest {
  const g = analysis.graph;
  const { nodeCount, nodeId, nodeSelfSize } = g;
  const { slots, names } = classes ?? classSlots(g, analysis.distances);
  const classCount = names.length;
  const counts = new Uint32Array(classCount);
  let live = 0;
  let maxId = 0;
  for (let o = 0; o < nodeCount; o++) {
    const c = slots[o];
    if (c === NOT_COUNTED) continue;
    counts[c]++;
    live++;
    if (nodeId[o] > maxId) maxId = nodeId[o];
  }
  const offsets = new Uint32Array(classCount + 1);
  for (let c = 0; c < classCount; c++) offsets[c + 1] = offsets[c] + counts[c];
  const allIds = new Uint32Array(live);
  const allSizes = new Uint32Array(live);
  const fill = offsets.slice(0, classCount);
  const sums = new Float64Array(classCount);
  let totalSize = 0;
  // The fingerprint's sample: every k-th counted node, so it spreads over the heap (and so over the id range).
  const sampleCount = Math.min(SAMPLE_SIZE, live);
  const step = sampleCount > 0 ? live / sampleCount : 1;
  const sampleIds = new Uint32Array(sampleCount);
  const sampleHashes = new Uint32Array(sampleCount);
  let seen = 0;
  let nextSample = 0;
  let sampled = 0;
  for (let o = 0; o < nodeCount; o++) {
    const c = slots[o];
    if (c === NOT_COUNTED) continue;
    const at = fill[c]++;
    const size = nodeSelfSize[o];
    allIds[at] = nodeId[o];
    allSizes[at] = size;
    sums[c] += size;
    totalSize += size;
    if (seen++ >= nextSample && sampled < sampleCount) {
      sampleIds[sampled] = nodeId[o];
      sampleHashes[sampled++] = identityHash(g, o);
      nextSample = Math.floor(sampled * step);
    }
  }
  let duplicateIds = 0;
  const digestClasses: ClassDigest[] = [];
  for (let c = 0; c < classCount; c++) {
    if (counts[c] === 0) continue;
    const ids = allIds.subarray(offsets[c], offsets[c + 1]);
    const sizes = allSizes.subarray(offsets[c], offsets[c + 1]);
    sortPairsById(ids, sizes);
    for (let i = 1; i < ids.length; i++) if (ids[i] === ids[i - 1]) duplicateIds++;
    digestClasses.push({ name: names[c], ids, sizes, size: sums[c] });
  }
  digestClasses.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const format = [g.snapshot.meta.node_fields, g.nodeTypeNames, g.snapshot.meta.edge_fields, g.edgeTypeNames].map((a) => a.join(',')).join('|');
  return { maxId, nodeCount, objectCount: live, totalSize, duplicateIds, classes: digestClasses, fingerprint: { format, sampleIds, sampleHashes } };
}

/**
 * Orders `ids` ascending, `sizes` along with them. A class's ids come nearly in order (V8 writes nodes roughly in id
 * order), so the few that are out of place (below the largest id before them) are taken out, sorted on their own and
 * merged back: two passes over the class. When many are out of place, the whole class is sorted.
 */
export function sortPairsById(ids: Uint32Array, sizes: Uint32Array): void {
  const n = ids.length;
  let misplaced = 0;
  for (let i = 0, max = 0; i < n; i++) {
    const id = ids[i];
    if (id < max) misplaced++;
    else max = id;
  }
  if (misplaced === 0) return;
  if (misplaced > n / 4) {
    // A class whose first objects are recent ones (a tree's new nodes near its root) is far from in order.
    if (n >= 4096) radixSortPairs(ids, sizes);
    else sortPairsNatively(ids, sizes);
    return;
  }
  // Keep the ascending ones in place (compacted to the front), the others aside.
  const asideIds = new Uint32Array(misplaced);
  const asideSizes = new Uint32Array(misplaced);
  let kept = 0;
  let aside = 0;
  for (let i = 0, max = 0; i < n; i++) {
    const id = ids[i];
    if (id < max) {
      asideIds[aside] = id;
      asideSizes[aside++] = sizes[i];
    } else {
      max = id;
      ids[kept] = id;
      sizes[kept++] = sizes[i];
    }
  }
  sortPairsNatively(asideIds, asideSizes);
  // Merge from the back: the free space at the end is exactly what was set aside.
  let i = kept - 1;
  let j = misplaced - 1;
  for (let k = n - 1; j >= 0; k--) {
    if (i >= 0 && ids[i] > asideIds[j]) {
      ids[k] = ids[i];
      sizes[k] = sizes[i--];
    } else {
      ids[k] = asideIds[j];
      sizes[k] = asideSizes[j--];
    }
  }
}

/** A stable LSD radix sort of the pairs by `id >>> 1` (ids of JavaScript objects are odd), 16 bits a pass. */
function radixSortPairs(ids: Uint32Array, sizes: Uint32Array): void {
  const n = ids.length;
  let fromIds: Uint32Array = ids;
  let fromSizes: Uint32Array = sizes;
  let toIds: Uint32Array = new Uint32Array(n);
  let toSizes: Uint32Array = new Uint32Array(n);
  const buckets = new Uint32Array(65536);
  for (let shift = 1; shift <= 17; shift += 16) {
    buckets.fill(0);
    for (let i = 0; i < n; i++) buckets[(fromIds[i] >>> shift) & 65535]++;
    for (let b = 0, sum = 0; b < 65536; b++) {
      const c = buckets[b];
      buckets[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const id = fromIds[i];
      const at = buckets[(id >>> shift) & 65535]++;
      toIds[at] = id;
      toSizes[at] = fromSizes[i];
    }
    [fromIds, toIds] = [toIds, fromIds];
    [fromSizes, toSizes] = [toSizes, fromSizes];
  }
  // Two passes: the result is back in `ids` and `sizes`. An id's lowest bit (an even id beside an odd one) is not in
  // the key: order such neighbours too.
  for (let i = 1; i < n; i++) {
    if (ids[i] >= ids[i - 1]) continue;
    const id = ids[i];
    const size = sizes[i];
    let j = i - 1;
    while (j >= 0 && ids[j] > id) {
      ids[j + 1] = ids[j];
      sizes[j + 1] = sizes[j];
      j--;
    }
    ids[j + 1] = id;
    sizes[j + 1] = size;
  }
}

/**
 * Sorts the pairs as 64-bit integers (id in the high half, size in the low), written and read through a 32-bit
 * view: the engine's sort of a BigUint64Array compares them natively, with no call per comparison.
 */
function sortPairsNatively(ids: Uint32Array, sizes: Uint32Array): void {
  const n = ids.length;
  const pairs = new BigUint64Array(n);
  const halves = new Uint32Array(pairs.buffer);
  const low = LITTLE_ENDIAN ? 0 : 1;
  for (let i = 0; i < n; i++) {
    halves[2 * i + low] = sizes[i];
    halves[2 * i + 1 - low] = ids[i];
  }
  pairs.sort();
  for (let i = 0; i < n; i++) {
    sizes[i] = halves[2 * i + low];
    ids[i] = halves[2 * i + 1 - low];
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Bytes a digest holds (what keeping it costs). */
export function digestBytes(d: SnapshotDigest): number {
  let n = d.fingerprint.sampleIds.byteLength * 2;
  for (const c of d.classes) n += c.ids.byteLength + c.sizes.byteLength + 64 + c.name.length * 2;
  return n;
}

/** FNV-1a of a node's type and name (its first 200 characters): what stays the same for one object. */
export function identityHash(g: HeapGraph, o: number): number {
  let h = 0x811c9dc5 ^ g.nodeType[o];
  h = Math.imul(h, 0x01000193);
  const name = g.strings[g.nodeName[o]] ?? '';
  for (let i = 0, n = Math.min(name.length, 200); i < n; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Index of `id` in an ascending array, or -1. */
export function indexOfId(ids: Uint32Array, id: number): number {
  let lo = 0;
  let hi = ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = ids[mid];
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
