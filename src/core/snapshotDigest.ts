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

/** The digest of an analysed snapshot: one pass to classify, one radix sort by id, one pass to distribute. */
export function digestSnapshot(analysis: HeapAnalysis, classes?: ClassSlots): SnapshotDigest {
  const g = analysis.graph;
  const { nodeCount, nodeId, nodeSelfSize } = g;
  const { slots, names } = classes ?? classSlots(g, analysis.distances);
  let maxId = 0;
  // The counted ordinals, then sorted by id (ids are given out in allocation order, not in node order).
  let live = 0;
  const order = new Uint32Array(nodeCount);
  for (let o = 0; o < nodeCount; o++) {
    if (slots[o] === NOT_COUNTED) continue;
    order[live++] = o;
    if (nodeId[o] > maxId) maxId = nodeId[o];
  }
  const sorted = sortOrdinalsById(order.subarray(0, live), nodeId, maxId);
  let duplicateIds = 0;
  const counts = new Uint32Array(names.length);
  let previous = -1;
  for (let i = 0; i < live; i++) {
    const o = sorted[i];
    if (nodeId[o] === previous) duplicateIds++;
    previous = nodeId[o];
    counts[slots[o]]++;
  }
  // One buffer for all classes' ids (and one for their sizes), each class a view of its stretch: filling it is a
  // write to one typed array, not to one of thousands.
  const offsets = new Uint32Array(names.length + 1);
  for (let c = 0; c < names.length; c++) offsets[c + 1] = offsets[c] + counts[c];
  const allIds = new Uint32Array(live);
  const allSizes = new Uint32Array(live);
  const fill = offsets.slice(0, names.length);
  const sums = new Float64Array(names.length);
  let totalSize = 0;
  for (let i = 0; i < live; i++) {
    const o = sorted[i];
    const c = slots[o];
    const at = fill[c]++;
    const size = nodeSelfSize[o];
    allIds[at] = nodeId[o];
    allSizes[at] = size;
    sums[c] += size;
    totalSize += size;
  }
  const digestClasses: ClassDigest[] = [];
  names.forEach((name, c) => {
    if (counts[c] === 0) return;
    digestClasses.push({ name, ids: allIds.subarray(offsets[c], offsets[c + 1]), sizes: allSizes.subarray(offsets[c], offsets[c + 1]), size: sums[c] });
  });
  digestClasses.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { maxId, nodeCount, objectCount: live, totalSize, duplicateIds, classes: digestClasses, fingerprint: fingerprintOf(g, sorted) };
}

/** Bytes a digest holds (what keeping it costs). */
export function digestBytes(d: SnapshotDigest): number {
  let n = d.fingerprint.sampleIds.byteLength * 2;
  for (const c of d.classes) n += c.ids.byteLength + c.sizes.byteLength + 64 + c.name.length * 2;
  return n;
}

function fingerprintOf(g: HeapGraph, byId: Uint32Array): ProcessFingerprint {
  const format = [g.snapshot.meta.node_fields, g.nodeTypeNames, g.snapshot.meta.edge_fields, g.edgeTypeNames].map((a) => a.join(',')).join('|');
  // Spread over the id range, so that long-lived objects (low ids) and recent ones are both sampled.
  const n = Math.min(SAMPLE_SIZE, byId.length);
  const sampleIds = new Uint32Array(n);
  const sampleHashes = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const o = byId[Math.floor((i * byId.length) / n)];
    sampleIds[i] = g.nodeId[o];
    sampleHashes[i] = identityHash(g, o);
  }
  return { format, sampleIds, sampleHashes };
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

/**
 * Ordinals ordered by their heap id: a stable LSD radix sort of `id >>> 1` (JavaScript objects' ids are odd),
 * 16 bits a pass, as many passes as the largest id needs (two below 2^33). A comparator sort over millions of
 * ordinals takes seconds.
 */
export function sortOrdinalsById(ordinals: Uint32Array, nodeId: Uint32Array, maxId: number): Uint32Array {
  const count = ordinals.length;
  // The keys travel with the ordinals, so each pass reads both in order (not the ids at random).
  let keys = new Uint32Array(count);
  for (let i = 0; i < count; i++) keys[i] = nodeId[ordinals[i]] >>> 1;
  let from = Uint32Array.from(ordinals);
  let keysOut = new Uint32Array(count);
  let to = new Uint32Array(count);
  const buckets = new Uint32Array(65536);
  const maxKey = maxId >>> 1;
  for (let shift = 0; shift === 0 || (shift < 32 && maxKey >>> shift > 0); shift += 16) {
    buckets.fill(0);
    for (let i = 0; i < count; i++) buckets[(keys[i] >>> shift) & 65535]++;
    for (let b = 0, sum = 0; b < 65536; b++) {
      const c = buckets[b];
      buckets[b] = sum;
      sum += c;
    }
    for (let i = 0; i < count; i++) {
      const k = keys[i];
      const at = buckets[(k >>> shift) & 65535]++;
      keysOut[at] = k;
      to[at] = from[i];
    }
    [from, to] = [to, from];
    [keys, keysOut] = [keysOut, keys];
  }
  // Ids that differ only in their lowest bit (an even id beside an odd one) kept node order: order those too.
  for (let i = 1; i < count; i++) {
    if (keys[i] !== keys[i - 1]) continue;
    const o = from[i];
    const id = nodeId[o];
    let j = i - 1;
    while (j >= 0 && keys[j] === keys[i] && nodeId[from[j]] > id) {
      from[j + 1] = from[j];
      j--;
    }
    from[j + 1] = o;
  }
  return from;
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
