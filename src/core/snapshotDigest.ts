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

/**
 * The class a node counts under, as DevTools' comparison groups them: objects by constructor name, functions under
 * "(closure)", strings under "(string)", engine internals under "(system)" or "(compiled code)".
 */
export function classifier(graph: HeapGraph): { slotOf: (ordinal: number) => number; names: string[] } {
  const t = graph.types;
  const names: string[] = ['(closure)', '(string)', '(number)', '(compiled code)', '(system)', '(symbol)', '(bigint)', '(internal array)', '(anonymous)'];
  const [CLOSURE, STRING, NUMBER, CODE, SYSTEM, SYMBOL, BIGINT, INTERNAL_ARRAY, ANONYMOUS] = names.map((_, i) => i);
  // A slot per string used as a class name, made on first use.
  const byName = new Int32Array(graph.strings.length).fill(-1);
  const { nodeType, nodeName, strings } = graph;
  const named = (o: number, fallback: number): number => {
    const s = nodeName[o];
    if (!strings[s]) return fallback;
    let slot = byName[s];
    if (slot < 0) {
      // A constructor can be called "(closure)" as well; such a name keeps its own slot, after the fixed ones.
      slot = byName[s] = names.length;
      names.push(strings[s]);
    }
    return slot;
  };
  const slotOf = (o: number): number => {
    const type = nodeType[o];
    if (type === t.closure) return CLOSURE;
    if (type === t.string || type === t.concatString || type === t.slicedString) return STRING;
    if (type === t.number) return NUMBER;
    if (type === t.code) return CODE;
    if (type === t.hidden || type === t.objectShape || type === t.synthetic) return SYSTEM;
    if (type === t.symbol) return SYMBOL;
    if (type === t.bigint) return BIGINT;
    if (type === t.array) return named(o, INTERNAL_ARRAY);
    return named(o, ANONYMOUS);
  };
  return { slotOf, names };
}

/**
 * True for an object the comparison counts: a JavaScript heap object (V8 gives those odd ids, in allocation order;
 * the embedder's C++ nodes, `Node / ...`, get even ids that change from snapshot to snapshot), reachable, not one
 * of the synthetic roots.
 */
export function counted(graph: HeapGraph, distances: Uint32Array, o: number): boolean {
  return (graph.nodeId[o] & 1) === 1 && o !== graph.rootOrdinal && distances[o] !== NO_DISTANCE && graph.nodeType[o] !== graph.types.synthetic;
}

/** The digest of an analysed snapshot: one pass to classify, one radix sort by id, one pass to distribute. */
export function digestSnapshot(analysis: HeapAnalysis): SnapshotDigest {
  const g = analysis.graph;
  const { nodeCount, nodeId, nodeSelfSize } = g;
  const { slotOf, names } = classifier(g);
  let maxId = 0;
  // The counted ordinals, then sorted by id (ids are given out in allocation order, not in node order).
  const slots = new Uint32Array(nodeCount);
  let live = 0;
  const order = new Uint32Array(nodeCount);
  for (let o = 0; o < nodeCount; o++) {
    if (!counted(g, analysis.distances, o)) continue;
    slots[o] = slotOf(o);
    order[live++] = o;
    if (nodeId[o] > maxId) maxId = nodeId[o];
  }
  const sorted = sortOrdinalsById(order.subarray(0, live), nodeId, maxId);
  let duplicateIds = 0;
  for (let i = 1; i < live; i++) if (nodeId[sorted[i]] === nodeId[sorted[i - 1]]) duplicateIds++;
  const counts = new Uint32Array(names.length);
  for (let i = 0; i < live; i++) counts[slots[sorted[i]]]++;
  const classIds = names.map((_, s) => new Uint32Array(counts[s]));
  const classSizes = names.map((_, s) => new Uint32Array(counts[s]));
  const fill = new Uint32Array(names.length);
  const sums = new Float64Array(names.length);
  let totalSize = 0;
  for (let i = 0; i < live; i++) {
    const o = sorted[i];
    const s = slots[o];
    const at = fill[s]++;
    classIds[s][at] = nodeId[o];
    classSizes[s][at] = nodeSelfSize[o];
    sums[s] += nodeSelfSize[o];
    totalSize += nodeSelfSize[o];
  }
  const classes: ClassDigest[] = [];
  names.forEach((name, s) => {
    if (counts[s] === 0) return;
    classes.push({ name, ids: classIds[s], sizes: classSizes[s], size: sums[s] });
  });
  classes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { maxId, nodeCount, objectCount: live, totalSize, duplicateIds, classes, fingerprint: fingerprintOf(g, sorted) };
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
 * Ordinals ordered by their heap id: a stable LSD radix sort, 11 bits a pass, as many passes as the largest id
 * needs (three for ids below 2^33). A comparator sort over millions of ordinals takes seconds.
 */
export function sortOrdinalsById(ordinals: Uint32Array, nodeId: Uint32Array, maxId: number): Uint32Array {
  const count = ordinals.length;
  let from = Uint32Array.from(ordinals);
  let to = new Uint32Array(count);
  const buckets = new Uint32Array(2048);
  for (let shift = 0; shift === 0 || (shift < 32 && maxId >>> shift > 0); shift += 11) {
    buckets.fill(0);
    for (let i = 0; i < count; i++) buckets[(nodeId[from[i]] >>> shift) & 2047]++;
    for (let b = 0, sum = 0; b < 2048; b++) {
      const c = buckets[b];
      buckets[b] = sum;
      sum += c;
    }
    for (let i = 0; i < count; i++) {
      const o = from[i];
      to[buckets[(nodeId[o] >>> shift) & 2047]++] = o;
    }
    [from, to] = [to, from];
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
