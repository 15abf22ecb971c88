/**
 * Instances per class across snapshots of one process (for `expectNoGrowth`), and the new instances' retaining
 * paths grouped by their shape.
 *
 * V8 gives heap ids in increasing order and keeps them across the snapshots of one process, so the instances that
 * are new since an earlier snapshot are those whose id is above that snapshot's largest.
 */
import type { HeapGraph } from './heapGraph';
import type { LocationIndex } from './locations';
import type { RetainingPath, SourceLocation } from './report';

export interface ClassCount {
  name: string;
  count: number;
  /** Where the class is constructed (from its first instance), when the snapshot tells. */
  location: SourceLocation | null;
  /** Constructed in the program's own scripts: not Node's internals, not a package under node_modules. */
  own: boolean;
}

export interface ClassCounts {
  classes: Map<string, ClassCount>;
  /** The largest heap id of a V8 object in the snapshot: objects above it are newer. */
  maxId: number;
}

/** Node's built-in modules and installed packages: not "the program's own classes". */
const NOT_OWN = /^node:|^internal[\\/]|[\\/]node_modules[\\/]/;

export function isOwnLocation(location: SourceLocation | null): boolean {
  return !!location && !!location.url && !NOT_OWN.test(location.url);
}

/**
 * Counts instances (V8 `object` nodes) per constructor name. With `names`, only those classes are counted, wherever
 * they are defined; without, only the program's own classes.
 */
export function countClassInstances(graph: HeapGraph, locations: LocationIndex, names?: ReadonlySet<string>): ClassCounts {
  const { object, native, synthetic } = graph.types;
  const byNameIndex = new Map<number, ClassCount | null>(); // null: a class that does not count
  let maxId = 0;
  for (let o = 0; o < graph.nodeCount; o++) {
    const type = graph.nodeType[o];
    // Embedder (native) nodes have ids made from addresses, not from V8's counter: they say nothing about age.
    if (type !== native && type !== synthetic && graph.nodeId[o] > maxId) maxId = graph.nodeId[o];
    if (type !== object) continue;
    const nameIndex = graph.nodeName[o];
    let entry = byNameIndex.get(nameIndex);
    if (entry === undefined) {
      const name = graph.strings[nameIndex];
      const location = locations.locate(o);
      const own = isOwnLocation(location);
      const counted = names ? names.has(name) : own && !name.startsWith('system /') && !/^[(<]/.test(name);
      entry = counted ? { name, count: 0, location, own } : null;
      byNameIndex.set(nameIndex, entry);
    }
    if (entry) entry.count++;
  }
  const classes = new Map<string, ClassCount>();
  for (const entry of byNameIndex.values()) {
    if (!entry) continue;
    const same = classes.get(entry.name);
    // Two classes of one name in different files: counted together, named by the first.
    if (same) same.count += entry.count;
    else classes.set(entry.name, entry);
  }
  return { classes, maxId };
}

export interface Growth {
  name: string;
  location: SourceLocation | null;
  /** Counts after the warm-up and after each window of `repeat` runs. */
  counts: number[];
}

/**
 * Classes that grew by at least `minGrowth` in every window (counts[i+1] - counts[i] for each i). A class absent
 * from a snapshot counts 0 there.
 */
export function growingClasses(windows: ClassCounts[], minGrowth: number): Growth[] {
  if (windows.length < 2) return [];
  const last = windows[windows.length - 1];
  const result: Growth[] = [];
  for (const [name, entry] of last.classes) {
    const counts = windows.map((w) => w.classes.get(name)?.count ?? 0);
    let grows = true;
    for (let i = 1; i < counts.length; i++) if (counts[i] - counts[i - 1] < minGrowth) grows = false;
    if (grows) result.push({ name, location: entry.location, counts });
  }
  return result.sort((a, b) => (b.counts[b.counts.length - 1] - b.counts[0]) - (a.counts[a.counts.length - 1] - a.counts[0]));
}

/** New instances of the named classes: ordinals with an id above `sinceMaxId`, at most `limit` per class. */
export function newInstances(graph: HeapGraph, names: ReadonlySet<string>, sinceMaxId: number, limit: number): Map<string, number[]> {
  const result = new Map<string, number[]>();
  const { object } = graph.types;
  for (let o = 0; o < graph.nodeCount; o++) {
    if (graph.nodeType[o] !== object || graph.nodeId[o] <= sinceMaxId) continue;
    const name = graph.strings[graph.nodeName[o]];
    if (!names.has(name)) continue;
    let list = result.get(name);
    if (!list) result.set(name, (list = []));
    if (list.length < limit) list.push(o);
  }
  return result;
}

/**
 * The shape of a retaining path, for grouping suspects: the root, then each step's reference and the class it
 * reaches, with element indices and heap ids left out ("global .registry -> Map / Map entry -> Listener").
 * A minimal grouping of our own; a shared suspects module can replace this function.
 */
export function pathSignature(path: RetainingPath): string {
  const parts = [path.root ?? (path.steps[0]?.from.name || '(root)')];
  for (const s of path.steps) {
    const label = (s.label ?? s.edge.name).replace(/\[\d+\]/g, '[n]').replace(/^\d+$/, '[n]').replace(/@\d+/g, '@');
    parts.push(`${label} -> ${s.to.name || `(${s.to.type})`}`);
  }
  return parts.join(' / ');
}

export interface SuspectGroup<T> {
  signature: string;
  members: T[];
}

/** Groups items by their path's signature, largest group first. */
export function groupBySignature<T>(items: readonly T[], signatureOf: (item: T) => string): SuspectGroup<T>[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const sig = signatureOf(item);
    let list = groups.get(sig);
    if (!list) groups.set(sig, (list = []));
    list.push(item);
  }
  return [...groups.entries()].map(([signature, members]) => ({ signature, members })).sort((a, b) => b.members.length - a.members.length);
}
