/**
 * Leak suspects: objects allocated after a baseline and still alive at the end, grouped by the signature of their
 * retaining path and ranked by the memory they hold.
 *
 * - "Allocated after the baseline": a heap id above the baseline's largest (V8 gives ids in allocation order, per
 *   profiler session). With a target digest (the 3-snapshot method, as memlab does), an object must also be in the
 *   target: objects made after the target are not what the action left behind, and ones made before it but gone by
 *   the final snapshot were transient.
 * - Never suspects: objects held only by engine or debugger handles (no path from the program's global object), and
 *   engine warm-up (engineWarmUp.ts): the object is engine machinery, or machinery dominates it (every way to it runs
 *   through compiled code, a shared function info, a feedback vector...), or it is a lazily made prototype.
 * - Only the outermost: an object dominated by another suspect is part of that one (its retained size counts there),
 *   so one leaked structure is one suspect, not one per object in it. Engine storage (backing stores, hash tables,
 *   closure scopes, heap numbers) belongs to its owner and is never a suspect of its own.
 * - The signature (LeakCanary's leak signature, memlab's trace clusters): the classes and reference names along the
 *   shortest path from the roots (the program's own references preferred, as in the retention tree), array indices
 *   as `[]`, engine storage folded into its owner, and repeated links folded (`.next -> Node` once for a whole chain,
 *   `.children -> Array [] -> Tree` once for a whole tree).
 *
 * Pure: no vscode, no I/O. Also used by src/testing's growth assertions.
 */
import type { HeapAnalysis } from './analysis';
import { NO_DISTANCE, SYSTEM_DISTANCE } from './distances';
import { WarmUpIndex } from './engineWarmUp';
import type { HeapGraph } from './heapGraph';
import type { LeakSuspects, SignatureStep, SuspectGroup } from '../shared/comparisonReport';
import { userEdgeKind, userEdgeTarget } from './semantics';
import { classSlots, indexOfId, NOT_COUNTED, type ClassSlots, type SnapshotDigest } from './snapshotDigest';

export type { LeakSuspects, SignatureStep, SuspectGroup } from '../shared/comparisonReport';

export interface SuspectOptions {
  /** The baseline's largest heap id: objects with a larger one were allocated after it. */
  baselineMaxId: number;
  /** The 3-snapshot method: the target's digest; an object counts only if the target holds it too. */
  target?: SnapshotDigest | null;
  /** Groups returned, largest first (default 20). */
  maxGroups?: number;
  /**
   * A group of one new object (no other new object in it) counts only from this many retained bytes (default
   * 64 KiB): a leak repeats with the action or grows, while one small object is usually a value the program
   * replaced (a status string, a timestamp).
   */
  singleObjectBytes?: number;
  /** The snapshot's classes when already known (classSlots), to spare a pass. */
  classSlots?: ClassSlots;
}


/** Suspects in one analysed snapshot (the target, or the final one of three). */
export function findLeakSuspects(analysis: HeapAnalysis, options: SuspectOptions): LeakSuspects {
  const g = analysis.graph;
  const { nodeCount, nodeId, nodeType } = g;
  const { distances, dominator, retainedSize } = analysis;
  const baseMax = options.baselineMaxId;
  const warm = new WarmUpIndex(g);
  const leftOut = { transient: 0, systemOnly: 0, warmUp: 0, single: 0 };

  // The target's ids by this snapshot's class slots (a class keeps its name from snapshot to snapshot).
  const { slots, names } = options.classSlots ?? classSlots(g, distances);
  const targetByName = options.target ? new Map(options.target.classes.map((c) => [c.name, c.ids])) : null;
  const targetBySlot = new Map<number, Uint32Array | null>();
  const inTarget = (o: number): boolean => {
    if (!targetByName) return true;
    const slot = slots[o];
    if (slot === NOT_COUNTED) return false;
    let ids = targetBySlot.get(slot);
    if (ids === undefined) targetBySlot.set(slot, (ids = targetByName.get(names[slot]) ?? null));
    return ids !== null && indexOfId(ids, nodeId[o]) >= 0;
  };

  // 1. Candidates: new, alive in the target too, held by the program, not engine-owned, not storage.
  const t = g.types;
  const candidateType = new Uint8Array(g.nodeTypeNames.length);
  for (const code of [t.object, t.closure, t.regexp, t.native, t.string, t.concatString, t.slicedString, t.symbol, t.bigint]) {
    if (code >= 0) candidateType[code] = 1;
  }
  const suspect = new Uint8Array(nodeCount);
  let candidates = 0;
  for (let o = 1; o < nodeCount; o++) {
    if (nodeId[o] <= baseMax || (nodeId[o] & 1) === 0) continue; // even ids: the embedder's nodes (snapshotDigest.ts)
    const d = distances[o];
    if (d === NO_DISTANCE) continue;
    if (!inTarget(o)) {
      leftOut.transient++;
      continue;
    }
    if (d >= SYSTEM_DISTANCE) {
      leftOut.systemOnly++;
      continue;
    }
    if (candidateType[nodeType[o]] === 0) continue; // storage, numbers, engine internals: part of their owner
    if (warm.isWarmUpNode(o)) {
      leftOut.warmUp++;
      continue;
    }
    suspect[o] = 1;
    candidates++;
  }
  if (candidates === 0) return { groups: [], groupCount: 0, count: 0, retainedSize: 0, leftOut };

  // 2. The outermost ones: no other suspect on their dominator chain; with the count of new objects inside each.
  const { outermost, inner } = outermostSuspects(suspect, dominator, g.rootOrdinal);
  const chain: number[] = [];

  // 3. Warm-up: an outermost suspect that engine machinery dominates (every way to it runs through compiled code, a
  // shared function info, a feedback vector...), or that is a prototype, constructor or the like itself. Dominators,
  // not the shortest path: a path through optimised code that embeds an object can be the shortest one, depending on
  // when V8 optimised (the program's own way to the object is then only as long or longer).
  const machinery = new Uint8Array(nodeCount); // 0 unknown, 1 dominated by machinery, 2 not
  machinery[g.rootOrdinal] = 2;
  const dominatedByMachinery = (start: number): boolean => {
    let o = start;
    while (machinery[o] === 0) {
      if (warm.isWarmUpNode(o)) {
        machinery[o] = 1;
        break;
      }
      chain.push(o);
      o = dominator[o];
    }
    const state = machinery[o];
    while (chain.length > 0) machinery[chain.pop()!] = state;
    return state === 1;
  };

  // 4. Signatures along the best way down from the roots, and groups.
  const kept: number[] = [];
  let farthest = 0;
  for (const o of outermost) {
    if (dominatedByMachinery(dominator[o])) {
      leftOut.warmUp++;
      continue;
    }
    kept.push(o);
    if (distances[o] > farthest) farthest = distances[o];
  }
  const parentEdge = kept.length > 0 ? bestParentEdges(analysis, warm, farthest) : new Uint32Array(0);
  const signatures = new Signatures(g, analysis, warm, parentEdge);
  const groups = new Map<number, { count: number; objects: number; retained: number; top: number[] }>();
  for (const o of kept) {
    const last = parentEdge[o];
    if (last !== NO_EDGE && warm.isWarmUpEdge(last, true)) {
      leftOut.warmUp++;
      continue;
    }
    const sig = signatures.of(o);
    if (sig < 0) continue; // no way from the roots (cannot happen for a reachable object)
    let group = groups.get(sig);
    if (!group) groups.set(sig, (group = { count: 0, objects: 0, retained: 0, top: [] }));
    group.count++;
    group.objects += inner.get(o) ?? 1;
    group.retained += retainedSize[o];
    insertTop(group.top, o, retainedSize, 5);
  }

  const singleBytes = options.singleObjectBytes ?? 64 * 1024;
  const ranked = [...groups.entries()].filter(([, group]) => {
    if (group.objects > 1 || group.retained >= singleBytes) return true;
    leftOut.single++;
    return false;
  });
  ranked.sort((a, b) => b[1].retained - a[1].retained || b[1].count - a[1].count);
  let count = 0;
  let retained = 0;
  for (const [, group] of ranked) {
    count += group.count;
    retained += group.retained;
  }
  const out: SuspectGroup[] = ranked.slice(0, options.maxGroups ?? 20).map(([sig, group]) => {
    const signature = signatures.steps(sig);
    return {
      signature,
      className: signature[signature.length - 1]?.className ?? '',
      count: group.count,
      objects: group.objects,
      retainedSize: group.retained,
      representative: analysis.nodeAt(group.top[0]),
      ids: group.top.map((o) => nodeId[o]),
    };
  });
  return { groups: out, groupCount: ranked.length, count, retainedSize: retained, leftOut };
}

/**
 * Suspects with no other suspect on their dominator chain, and for each the suspects inside it (itself included): a
 * leak grows, a replaced value is one object. `nearest[o]`: 2 + the closest suspect at or above o on its dominator
 * chain, 1 when there is none, 0 before it is known (each chain is walked once, then memoised; a fresh array is all
 * zeros, so nothing is filled). A function of its own, so that its array of the whole heap is garbage once it returns.
 */
function outermostSuspects(suspect: Uint8Array, dominator: Uint32Array, root: number): { outermost: number[]; inner: Map<number, number> } {
  const nodeCount = suspect.length;
  const nearest = new Uint32Array(nodeCount);
  nearest[root] = 1;
  const chain: number[] = [];
  const suspectAtOrAbove = (start: number): number => {
    let o = start;
    while (nearest[o] === 0) {
      if (suspect[o] === 1) {
        nearest[o] = o + 2;
        break;
      }
      chain.push(o);
      o = dominator[o];
    }
    const found = nearest[o];
    while (chain.length > 0) nearest[chain.pop()!] = found;
    return found === 1 ? NONE : found - 2;
  };
  const inner = new Map<number, number>();
  const outermost: number[] = [];
  for (let o = 1; o < nodeCount; o++) {
    if (suspect[o] !== 1) continue;
    const owner = suspectAtOrAbove(dominator[o]);
    if (owner === NONE) {
      outermost.push(o);
      inner.set(o, (inner.get(o) ?? 0) + 1);
    } else {
      let top = owner;
      for (let up = suspectAtOrAbove(dominator[top]); up !== NONE; up = suspectAtOrAbove(dominator[top])) top = up;
      inner.set(top, (inner.get(top) ?? 0) + 1);
    }
  }
  return { outermost, inner };
}

/** One line for a signature: "global .leaks -> Array [] -> Leak". */
export function signatureText(signature: SignatureStep[]): string {
  return signature.map((s, i) => (i === 0 || !s.edge ? s.className : `${s.edge} -> ${s.className}`)).join(' ');
}

/**
 * Per object, the reference a walk down the distances takes towards the roots (the same preference as the retention
 * tree's paths: the program's own property and closure references, then its other references, then the engine's;
 * engine machinery last), for the objects the program reaches at most `farthest` references from its roots. One
 * pass over the edges of the objects closer than that, source by source (the others cannot be on a suspect's way).
 */
function bestParentEdges(analysis: HeapAnalysis, warm: WarmUpIndex, farthest: number): Uint32Array {
  const g = analysis.graph;
  const { nodeCount, firstEdge, edgeTarget, edgeType, edgeNameOrIndex, nodeType, nodeName } = g;
  const { edgeKind, nameBits, typeKind } = analysis.semantics.userEdgeTables();
  const distances = analysis.distances;
  const root = g.rootOrdinal;
  const { weak, shortcut, property, context } = g.edges;
  const best = new Uint8Array(nodeCount); // 1 + the best score so far; 0 none yet
  const bestEdge = new Uint32Array(nodeCount).fill(NO_EDGE);
  // The root's own references: to the user roots (the global object) at distance 1.
  for (let e = firstEdge[root], end = firstEdge[root + 1]; e < end; e++) {
    const to = edgeTarget[e];
    if (distances[to] !== 1 || edgeType[e] === weak || bestEdge[to] !== NO_EDGE) continue;
    best[to] = 1;
    bestEdge[to] = e;
  }
  for (let from = 0; from < nodeCount; from++) {
    const df = distances[from];
    if (from === root || df >= farthest) continue; // NO_DISTANCE and the system part are farther than any suspect
    const next = df + 1;
    let fromMachinery = -1; // -1 not yet known, else 0/1 (only asked when an edge could win)
    for (let e = firstEdge[from], end = firstEdge[from + 1]; e < end; e++) {
      const to = edgeTarget[e];
      const b = best[to];
      if (b === 1 || distances[to] !== next) continue;
      const type = edgeType[e];
      if (type === weak || type === shortcut) continue;
      let score = 3;
      if (userEdgeKind(edgeKind, nameBits, type, edgeNameOrIndex[e]) && userEdgeTarget(nameBits, typeKind, nodeType[to], nodeName[to])) {
        score = type === property || type === context ? 0 : 1;
      }
      if (b !== 0 && score + 1 >= b) continue;
      // Engine machinery (a feedback vector's slots, a code object's embedded objects) only when nothing else is as close.
      if (fromMachinery < 0) fromMachinery = warm.isWarmUpNode(from) ? 1 : 0;
      if (fromMachinery === 1) {
        score = 4;
        if (b !== 0 && score + 1 >= b) continue;
      }
      best[to] = score + 1;
      bestEdge[to] = e;
    }
  }
  return bestEdge;
}

const NO_EDGE = 0xffffffff;

/**
 * Signatures as a trie: a signature is its parent signature plus one token (reference + class). Each node's
 * signature is memoised, so a thousand suspects under one array cost one walk.
 */
class Signatures {
  /** Signature per node walked (only the nodes on suspects' paths: a map, not an array of the whole heap). */
  private readonly memo = new Map<number, number>();
  private readonly parent: number[] = [-1];
  private readonly token: number[] = [-1];
  private readonly tokens: SignatureStep[] = [];
  private readonly tokenIds = new Map<string, number>();
  private readonly children = new Map<string, number>();

  constructor(
    private readonly g: HeapGraph,
    private readonly analysis: HeapAnalysis,
    private readonly warm: WarmUpIndex,
    private readonly parentEdge: Uint32Array,
  ) {
    this.memo.set(g.rootOrdinal, 0);
  }

  /** The signature of object `o` (an index for `steps`), or -1 when it has no way from the roots. */
  of(o: number): number {
    return this.resolve(o);
  }

  steps(sig: number): SignatureStep[] {
    const out: SignatureStep[] = [];
    for (let s = sig; s > 0; s = this.parent[s]) out.push(this.tokens[this.token[s]]);
    return out.reverse();
  }

  private resolve(start: number): number {
    const memo = this.memo;
    const stack: number[] = [];
    let o = start;
    while (!memo.has(o)) {
      stack.push(o);
      const e = this.parentEdge[o];
      if (e === NO_EDGE) {
        memo.set(o, NO_WAY);
        stack.pop();
        break;
      }
      o = this.sourceOf(e);
    }
    let sig = memo.get(o)!;
    while (stack.length > 0) {
      const n = stack.pop()!;
      sig = sig === NO_WAY ? NO_WAY : this.extend(sig, n, this.parentEdge[n]);
      memo.set(n, sig);
    }
    return sig === NO_WAY ? -1 : sig;
  }

  /** The edge's source: a binary search over firstEdge (only for the few nodes on suspects' paths). */
  private sourceOf(edge: number): number {
    return this.g.edgeSource(edge);
  }

  private extend(sig: number, node: number, edge: number): number {
    const g = this.g;
    const sem = this.analysis.semantics;
    if (g.isSynthetic(node)) return sig; // (GC roots) and its groups: the signature starts at what they hold
    const warm = this.warm.isWarmUpNode(node) || this.warm.isWarmUpEdge(edge, false);
    // Engine storage of the owner's data (closure scopes, backing stores, hash tables) folds into the owner.
    if (!warm && sem.isHolder(node, edge)) return sig;
    const step: SignatureStep = { edge: this.edgeLabel(edge), className: this.className(node) };
    const key = `${step.edge}\u0000${step.className}`;
    let token = this.tokenIds.get(key);
    if (token === undefined) {
      token = this.tokens.length;
      this.tokens.push(step);
      this.tokenIds.set(key, token);
    }
    // Repeated links: when the new token makes the last k tokens repeat the k before them, drop the repeat.
    for (let k = 1; k <= 3; k++) {
      if (this.repeats(sig, token, k)) return this.ancestor(sig, k - 1);
    }
    const childKey = `${sig},${token}`;
    let child = this.children.get(childKey);
    if (child === undefined) {
      child = this.parent.length;
      this.parent.push(sig);
      this.token.push(token);
      this.children.set(childKey, child);
    }
    return child;
  }

  /** Does `sig` + `token` end in the same k tokens twice? */
  private repeats(sig: number, token: number, k: number): boolean {
    const seq: number[] = [token];
    for (let s = sig; s > 0 && seq.length < 2 * k; s = this.parent[s]) seq.push(this.token[s]);
    if (seq.length < 2 * k) return false;
    for (let i = 0; i < k; i++) if (seq[i] !== seq[i + k]) return false;
    return true;
  }

  private ancestor(sig: number, k: number): number {
    let s = sig;
    for (let i = 0; i < k; i++) s = this.parent[s];
    return s;
  }

  private edgeLabel(edge: number): string {
    const g = this.g;
    const type = g.edgeType[edge];
    const e = g.edges;
    if (type === e.shortcut) return '';
    if (type === e.element || type === e.hidden) return '[]';
    const sem = this.analysis.semantics;
    if (sem.ephemeron(edge)) return 'WeakMap value';
    if (sem.isEntryEdge(edge)) return 'entry';
    if (type === e.context) return `closure var ${g.edgeName(edge)}`;
    return `.${g.edgeName(edge)}`;
  }

  private className(node: number): string {
    const g = this.g;
    const t = g.types;
    const type = g.nodeType[node];
    if (type === t.closure) return `${g.name(node) || '(anonymous)'}()`;
    if (type === t.string || type === t.concatString || type === t.slicedString) return '(string)';
    if (type === t.array) return g.name(node) || '(internal array)';
    return g.name(node) || `(${g.typeName(node)})`;
  }
}

const NO_WAY = -1;
const NONE = -1;

/** Keeps `top` as the `limit` ordinals with the largest `key`, descending. */
function insertTop(top: number[], o: number, key: Float64Array, limit: number): void {
  const v = key[o];
  if (top.length === limit && key[top[limit - 1]] >= v) return;
  let i = top.length;
  while (i > 0 && key[top[i - 1]] < v) i--;
  top.splice(i, 0, o);
  if (top.length > limit) top.pop();
}
