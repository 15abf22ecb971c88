/**
 * Comparing snapshots of one process, per class, without holding two graphs: the earlier snapshots are digests
 * (snapshotDigest.ts), only the last one is analysed in full. For each class: count and shallow size in each
 * snapshot, the difference, the objects freed since the baseline, and the objects new since the baseline (a heap id
 * above the baseline's largest) that are still alive in the last, with the size they retain. Then the leak suspects
 * (suspects.ts). Pure: no vscode, no I/O.
 */
import type { HeapAnalysis } from './analysis';
import { classSlots, digestSnapshot, identityHash, NOT_COUNTED, type SnapshotDigest } from './snapshotDigest';
import type { ClassComparison, SnapshotComparison } from '../shared/comparisonReport';
import { findLeakSuspects } from './suspects';

export type { ClassComparison, ComparedSnapshot, SnapshotComparison } from '../shared/comparisonReport';

export type ComparisonErrorCode = 'different-process' | 'ids-reset' | 'no-ids' | 'order';

/** A comparison that cannot be made, with the sentence that says why and what to do. */
export class ComparisonError extends Error {
  constructor(readonly code: ComparisonErrorCode, message: string) {
    super(message);
    this.name = 'ComparisonError';
  }
}


export interface CompareOptions {
  /** Labels of the snapshots, in order (file names, "#3 Snapshot of app.js"). */
  labels: string[];
  classLimit?: number;
  maxGroups?: number;
  /** The last snapshot's digest when it is already made (the worker keeps one per snapshot). */
  lastDigest?: SnapshotDigest;
}

/**
 * Compares `earlier` (the baseline, or the baseline and the target) with `last`, analysed in full. Throws a
 * ComparisonError when the snapshots are not of one process with the same ids.
 */
export function compareSnapshots(earlier: SnapshotDigest[], last: HeapAnalysis, options: CompareOptions): SnapshotComparison {
  if (earlier.length < 1 || earlier.length > 2) throw new Error('compareSnapshots takes a baseline and, optionally, a target.');
  const labels = options.labels;
  const lastClasses = classSlots(last.graph, last.distances);
  const lastDigest = options.lastDigest ?? digestSnapshot(last, lastClasses);
  const all = [...earlier, lastDigest];
  checkComparable(all, last, labels);
  const base = earlier[0];
  const g = last.graph;
  const { nodeId, nodeCount } = g;
  const { retainedSize, dominator } = last;

  // New objects of the last snapshot per class: retained size (not counting one inside another of its class) and
  // the largest few.
  const { slots, names } = lastClasses;
  const newRetained = new Map<number, { retained: number; top: number[] }>();
  for (let o = 1; o < nodeCount; o++) {
    if (nodeId[o] <= base.maxId || slots[o] === NOT_COUNTED) continue;
    const slot = slots[o];
    let entry = newRetained.get(slot);
    if (!entry) newRetained.set(slot, (entry = { retained: 0, top: [] }));
    let nested = false;
    for (let d = dominator[o], guard = 0; d !== g.rootOrdinal && guard < 64; d = dominator[d], guard++) {
      if (slots[d] === slot && nodeId[d] > base.maxId) {
        nested = true;
        break;
      }
    }
    if (!nested) entry.retained += retainedSize[o];
    insertTop(entry.top, o, retainedSize, 3);
  }
  const slotByName = new Map(names.map((n, i) => [n, i]));

  const classNames = new Set<string>();
  const perSnapshot = all.map((d) => new Map(d.classes.map((c) => [c.name, c])));
  for (const d of all) for (const c of d.classes) classNames.add(c.name);
  const classes: ClassComparison[] = [];
  for (const name of classNames) {
    const digests = perSnapshot.map((m) => m.get(name));
    const counts = digests.map((c) => c?.ids.length ?? 0);
    const sizes = digests.map((c) => c?.size ?? 0);
    const first = digests[0];
    const lastClass = digests[digests.length - 1];
    let newCount = 0;
    let newSize = 0;
    if (lastClass) {
      const at = firstAbove(lastClass.ids, base.maxId);
      newCount = lastClass.ids.length - at;
      for (let i = at; i < lastClass.ids.length; i++) newSize += lastClass.sizes[i];
    }
    const freedCount = first ? first.ids.length - sharedCount(first.ids, lastClass?.ids) : 0;
    if (newCount === 0 && freedCount === 0 && counts.every((c) => c === counts[0])) continue;
    const slot = slotByName.get(name);
    const entry = slot === undefined ? undefined : newRetained.get(slot);
    const top = entry?.top ?? [];
    const location = top.length ? last.locations.locate(top[0]) : null;
    classes.push({
      name,
      counts,
      sizes,
      countDelta: counts[counts.length - 1] - counts[0],
      sizeDelta: sizes[sizes.length - 1] - sizes[0],
      newCount,
      newSize,
      newRetainedSize: entry?.retained ?? 0,
      freedCount,
      newIds: top.map((o) => nodeId[o]),
      location,
      own: !!location && !!location.url && !/^node:|^internal[\\/]/.test(location.url),
    });
  }
  classes.sort((a, b) => Number(b.own) - Number(a.own) || b.newRetainedSize - a.newRetainedSize || b.sizeDelta - a.sizeDelta || a.name.localeCompare(b.name));

  const method = earlier.length === 2 ? 'three' : 'two';
  const suspects = findLeakSuspects(last, { baselineMaxId: base.maxId, target: earlier.length === 2 ? earlier[1] : null, maxGroups: options.maxGroups, classSlots: lastClasses });
  const notes: string[] = [];
  if (method === 'two') {
    notes.push('Two snapshots: every object made after the baseline and alive in the target is counted, including ones the program would free later; a third snapshot, taken after undoing the action, leaves those out.');
  }
  const { transient, systemOnly, warmUp } = suspects.leftOut;
  if (transient + systemOnly + warmUp > 0) {
    notes.push(`Not suspects: ${[
      transient ? `${transient} new object${transient === 1 ? '' : 's'} gone by the final snapshot or made after the target` : '',
      systemOnly ? `${systemOnly} held only by engine or debugger handles` : '',
      warmUp ? `${warmUp} engine warm-up (compiled code, feedback, shared function infos, hidden classes)` : '',
    ].filter(Boolean).join('; ')}.`);
  }
  return {
    snapshots: all.map((d, i) => ({ label: labels[i] ?? `snapshot ${i + 1}`, objectCount: d.objectCount, totalSize: d.totalSize, maxId: d.maxId })),
    method,
    classes: classes.slice(0, options.classLimit ?? 100),
    classCount: classes.length,
    suspects,
    notes,
  };
}

/**
 * Throws unless the snapshots come from one process, in the order taken, with the ids of one profiler session:
 * the same V8 format, ids that grow, and the sampled objects of each earlier snapshot still named by the same ids in
 * the last one.
 */
export function checkComparable(all: SnapshotDigest[], last: HeapAnalysis, labels: string[]): void {
  const name = (i: number) => labels[i] ?? `snapshot ${i + 1}`;
  all.forEach((d, i) => {
    if (d.maxId === 0 || d.duplicateIds > d.objectCount / 100) {
      throw new ComparisonError('no-ids', `${name(i)} has no heap object ids (${d.maxId === 0 ? 'every id is 0' : `${d.duplicateIds} objects share an id`}), so objects cannot be matched across snapshots; take it with V8's heap profiler (DevTools, node --inspect, v8.writeHeapSnapshot).`);
    }
  });
  for (let i = 1; i < all.length; i++) {
    if (all[i].fingerprint.format !== all[0].fingerprint.format) {
      throw new ComparisonError('different-process', `${name(0)} and ${name(i)} were written by different versions of V8, so they come from different processes; compare snapshots taken from one running program.`);
    }
  }
  // Identity: does each earlier snapshot's sample still name the same objects in the last one? The sampled ids go
  // into an open-addressing table (a typed array), so the pass over the last snapshot's nodes costs a probe each.
  const g = last.graph;
  const sampled: { id: number; hash: number; from: number }[] = [];
  for (let i = 0; i < all.length - 1; i++) {
    const { sampleIds, sampleHashes } = all[i].fingerprint;
    for (let k = 0; k < sampleIds.length; k++) sampled.push({ id: sampleIds[k], hash: sampleHashes[k], from: i });
  }
  let size = 1024;
  while (size < sampled.length * 2) size *= 2;
  const tableIds = new Uint32Array(size); // 0 = empty (0 is never a sampled id: only odd ids are counted)
  const firstEntry = new Int32Array(size);
  const nextEntry = new Int32Array(sampled.length).fill(-1);
  const mask = size - 1;
  sampled.forEach(({ id }, k) => {
    let h = Math.imul(id, 0x9e3779b1) >>> 0 & mask;
    while (tableIds[h] !== 0 && tableIds[h] !== id) h = (h + 1) & mask;
    if (tableIds[h] === id) {
      nextEntry[k] = firstEntry[h];
    }
    tableIds[h] = id;
    firstEntry[h] = k;
  });
  const shared = new Uint32Array(all.length);
  const agreed = new Uint32Array(all.length);
  const { nodeId, nodeCount } = g;
  for (let o = 0; o < nodeCount; o++) {
    const id = nodeId[o];
    let h = Math.imul(id, 0x9e3779b1) >>> 0 & mask;
    while (tableIds[h] !== 0 && tableIds[h] !== id) h = (h + 1) & mask;
    if (tableIds[h] !== id || id === 0) continue;
    const hash = identityHash(g, o);
    for (let k = firstEntry[h]; k >= 0; k = nextEntry[k]) {
      shared[sampled[k].from]++;
      if (sampled[k].hash === hash) agreed[sampled[k].from]++;
    }
  }
  const lastIndex = all.length - 1;
  for (let i = 0; i < lastIndex; i++) {
    const sampled = all[i].fingerprint.sampleIds.length;
    const enough = Math.min(20, Math.ceil(sampled / 4));
    const agreement = shared[i] > 0 ? agreed[i] / shared[i] : 0;
    if (shared[i] < enough || agreement < MIN_AGREEMENT) {
      if (all[i].maxId > all[lastIndex].maxId && agreement >= MIN_AGREEMENT) {
        throw new ComparisonError('order', `${name(i)} was taken after ${name(lastIndex)} (its ids are larger); give the snapshots in the order they were taken.`);
      }
      throw new ComparisonError('different-process',
        `${name(i)} and ${name(lastIndex)} do not name the same objects by the same ids (${shared[i] === 0 ? 'no sampled object in common' : `${Math.round(agreement * 100)}% of ${shared[i]} sampled objects agree`}): ` +
        'they come from different processes, or the heap profiler\'s ids were reset in between (the debug session that took the first one disconnected). Take all the snapshots from one program, in one session.');
    }
  }
  for (let i = 1; i < all.length; i++) {
    if (all[i].maxId < all[i - 1].maxId) {
      throw new ComparisonError('order', `${name(i - 1)} was taken after ${name(i)} (its ids are larger); give the snapshots in the order they were taken.`);
    }
  }
}

/** In one process an id always names the same object; another run of the same program agrees on ~90%. */
const MIN_AGREEMENT = 0.98;

/** Index of the first id above `max` in ascending `ids`. */
function firstAbove(ids: Uint32Array, max: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid] <= max) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many ids two ascending arrays share (a merge). */
function sharedCount(a: Uint32Array, b: Uint32Array | undefined): number {
  if (!b) return 0;
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) { n++; i++; j++; } else if (a[i] < b[j]) i++;
    else j++;
  }
  return n;
}

function insertTop(top: number[], o: number, key: Float64Array, limit: number): void {
  const v = key[o];
  if (top.length === limit && key[top[limit - 1]] >= v) return;
  let i = top.length;
  while (i > 0 && key[top[i - 1]] < v) i--;
  top.splice(i, 0, o);
  if (top.length > limit) top.pop();
}
