/**
 * The heap as a graph over node ordinals (0..nodeCount-1) and edge ordinals (0..edgeCount-1), on the parser's
 * typed-array columns. No object per node.
 *
 * There is deliberately no global reverse index (retainers): it would cost 8 bytes per edge, more than the edges
 * themselves, and only per-object queries need it. Those find retainers with one sequential sweep over the edges for
 * a whole set of objects at once (`retainersOf`), which takes milliseconds even on large heaps.
 */
import type { HeapSnapshot } from './snapshotParser';

/** Type codes resolved from `snapshot.meta` by name; -1 when a snapshot does not define one. */
export interface TypeCodes {
  hidden: number; array: number; string: number; object: number; code: number; closure: number; regexp: number;
  number: number; native: number; synthetic: number; concatString: number; slicedString: number; symbol: number;
  bigint: number; objectShape: number;
}
export interface EdgeCodes {
  context: number; element: number; property: number; internal: number; hidden: number; shortcut: number; weak: number;
}

export class HeapGraph {
  readonly nodeCount: number;
  readonly edgeCount: number;
  readonly nodeType: Uint8Array;
  readonly nodeName: Uint32Array;
  readonly nodeId: Uint32Array;
  readonly nodeSelfSize: Uint32Array;
  readonly firstEdge: Uint32Array;
  readonly edgeType: Uint8Array;
  readonly edgeNameOrIndex: Uint32Array;
  readonly edgeTarget: Uint32Array;
  readonly strings: string[];
  readonly nodeTypeNames: string[];
  readonly edgeTypeNames: string[];
  readonly types: TypeCodes;
  readonly edges: EdgeCodes;
  readonly rootOrdinal = 0;
  private readonly recentIds = new Map<number, number>();

  constructor(readonly snapshot: HeapSnapshot) {
    this.nodeCount = snapshot.nodeCount;
    this.edgeCount = snapshot.edgeCount;
    this.nodeType = snapshot.nodeType;
    this.nodeName = snapshot.nodeName;
    this.nodeId = snapshot.nodeId;
    this.nodeSelfSize = snapshot.nodeSelfSize;
    this.firstEdge = snapshot.firstEdge;
    this.edgeType = snapshot.edgeType;
    this.edgeNameOrIndex = snapshot.edgeNameOrIndex;
    this.edgeTarget = snapshot.edgeTarget;
    this.strings = snapshot.strings;
    this.nodeTypeNames = snapshot.nodeTypeNames;
    this.edgeTypeNames = snapshot.edgeTypeNames;
    const t = (n: string) => snapshot.nodeTypeNames.indexOf(n);
    this.types = {
      hidden: t('hidden'), array: t('array'), string: t('string'), object: t('object'), code: t('code'), closure: t('closure'),
      regexp: t('regexp'), number: t('number'), native: t('native'), synthetic: t('synthetic'),
      concatString: t('concatenated string'), slicedString: t('sliced string'), symbol: t('symbol'), bigint: t('bigint'),
      objectShape: t('object shape'),
    };
    const e = (n: string) => snapshot.edgeTypeNames.indexOf(n);
    this.edges = {
      context: e('context'), element: e('element'), property: e('property'), internal: e('internal'), hidden: e('hidden'),
      shortcut: e('shortcut'), weak: e('weak'),
    };
    if (this.nodeCount === 0) throw new Error('The snapshot holds no nodes.');

  }

  name(ordinal: number): string {
    return this.strings[this.nodeName[ordinal]];
  }

  typeName(ordinal: number): string {
    return this.nodeTypeNames[this.nodeType[ordinal]];
  }

  edgeTypeName(edge: number): string {
    return this.edgeTypeNames[this.edgeType[edge]];
  }

  /** Element and hidden edges carry an index; the others a string. */
  edgeName(edge: number): string {
    const type = this.edgeType[edge];
    const v = this.edgeNameOrIndex[edge];
    if (type === this.edges.element || type === this.edges.hidden) return String(v);
    return this.strings[v] ?? String(v);
  }

  /** True for named edges whose name is `name` (cheap: compares the string table entry). */
  edgeNamed(edge: number, name: string): boolean {
    const type = this.edgeType[edge];
    if (type === this.edges.element || type === this.edges.hidden) return false;
    return this.strings[this.edgeNameOrIndex[edge]] === name;
  }

  /** The source node of an edge (binary search over firstEdge; for the few edges that leave the core). */
  edgeSource(edge: number): number {
    let lo = 0;
    let hi = this.nodeCount - 1;
    const firstEdge = this.firstEdge;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (firstEdge[mid] <= edge) lo = mid;
      else hi = mid - 1;
    }
    // Nodes without edges share firstEdge with their successor: step forward to the one that owns the edge.
    while (firstEdge[lo + 1] <= edge) lo++;
    return lo;
  }

  /** A linear scan: lookups are rare (one per request), and an id index would cost ~50 bytes a node. */
  ordinalOfId(id: number): number {
    const cached = this.recentIds.get(id);
    if (cached !== undefined) return cached;
    const ids = this.nodeId;
    for (let i = 0, n = this.nodeCount; i < n; i++) {
      if (ids[i] === id) {
        if (this.recentIds.size > 1024) this.recentIds.clear();
        this.recentIds.set(id, i);
        return i;
      }
    }
    return -1;
  }

  /**
   * Every reference to any of `targets`, in one sweep over all edges: for each target, [from, edge] pairs.
   * Callers batch the nodes they need (a path's frontier, a dominator chain) so a query costs a few sweeps.
   */
  retainersOf(targets: Iterable<number>): Map<number, { from: number; edge: number }[]> {
    const result = new Map<number, { from: number; edge: number }[]>();
    // A byte per node, for this sweep only, so the random reads the sweep makes (one per edge) mostly stay in cache;
    // and one flat loop over the edges, the source found only on a hit (a cursor that only moves forward, as the
    // edges are sorted by source).
    const { firstEdge, edgeTarget, nodeCount } = this;
    const edgeCount = firstEdge[nodeCount];
    const marks = new Uint8Array(nodeCount);
    for (const t of targets) {
      marks[t] = 1;
      result.set(t, []);
    }
    let from = 0;
    for (let e = 0; e < edgeCount; e++) {
      const t = edgeTarget[e];
      if (marks[t] === 0) continue;
      while (firstEdge[from + 1] <= e) from++;
      result.get(t)!.push({ from, edge: e });
    }
    return result;
  }

  isSynthetic(ordinal: number): boolean {
    return this.nodeType[ordinal] === this.types.synthetic;
  }
}
