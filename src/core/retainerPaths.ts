/**
 * Why an object is alive: shortest retaining paths from the GC roots, one per distinct direct holder, each continued
 * down the distance gradient to a root, preferring the program's own references.
 */
import { computeDistances, distancesWithout, NO_DISTANCE, SYSTEM_DISTANCE } from './distances';
import type { HeapGraph } from './heapGraph';
import type { RawStep, RetainerCache } from './retainers';
import { userEdgeKind, userEdgeTarget, type EdgeSemantics, type UserEdgeTables } from './semantics';

export interface PathParts {
  graph: HeapGraph;
  distances: Uint32Array;
  semantics: EdgeSemantics;
}

export class RetainerPaths {
  private readonly g: HeapGraph;

  constructor(private readonly parts: PathParts, private readonly retainers: RetainerCache) {
    this.g = parts.graph;
  }

  private rets(node: number) {
    return this.retainers.of(node);
  }

  private prefetch(nodes: Iterable<number>): void {
    this.retainers.prefetch(nodes);
  }


  /**
   * V8 reports out-of-object properties and elements twice: as edges from the object and as slots of its backing
   * store (`(object properties)`, `(object elements)`, `system / PropertyArray`, a global's `system / PropertyCell`).
   * The store's copy is a shadow: not a second reference a user could break.
   */
  isShadow(from: number): boolean {
    return this.parts.semantics.isShadowStore(from);
  }

  /** Does this reference count for reachability (DevTools' rules)? */
  counts(from: number, edge: number): boolean {
    const type = this.g.edgeType[edge];
    if (type === this.g.edges.weak) return false;
    return type !== this.g.edges.shortcut || from === this.g.rootOrdinal;
  }

  /**
   * Several distinct shortest paths, shortest first: one per reference that holds the object directly, each
   * continued by a shortest path to that retainer that does not pass through the object.
   */
  retainingPaths(target: number, maxPaths: number): RawStep[][] {
    const g = this.g;
    const { distances } = this.parts;
    if (distances[target] === NO_DISTANCE || target === g.rootOrdinal || maxPaths <= 0) return [];
    const candidates: { path: RawStep[]; length: number; system: boolean }[] = [];
    const direct = this.rets(target).filter(({ from, edge }) => this.counts(from, edge) && distances[from] !== NO_DISTANCE && from !== target && !this.isShadow(from));
    const prefixes = this.shortestPathsTo(direct.map((r) => r.from), target, distances);
    // A holder whose every shortest way in runs through the object itself: measure the heap again without the
    // object (one pass, only when needed) and take the shortest way that avoids it.
    const blocked = prefixes.flatMap((p, i) => (p === null ? [i] : []));
    const holderDistance = direct.map(({ from }) => distances[from]);
    if (blocked.length > 0) {
      const without =
        distancesWithout(g, distances, target, g.nodeCount >>> 3) ?? computeDistances(g, target, blocked.map((i) => direct[i].from));
      const again = this.shortestPathsTo(blocked.map((i) => direct[i].from), target, without);
      blocked.forEach((i, k) => {
        prefixes[i] = again[k];
        holderDistance[i] = without[direct[i].from];
      });
    }
    direct.forEach(({ from, edge }, i) => {
      const prefix = prefixes[i];
      if (!prefix) return;
      prefix.push({ from, edge, to: target });
      // The synthetic root's own distance is SYSTEM_DISTANCE; what it links to directly is a user root or not by its own.
      const system = (from === g.rootOrdinal ? distances[target] : holderDistance[i]) >= SYSTEM_DISTANCE;
      candidates.push({ path: prefix, length: prefix.length, system });
    });
    candidates.sort((a, b) => Number(a.system) - Number(b.system) || a.length - b.length || this.pathScore(a.path) - this.pathScore(b.path));
    // Distinct: differing in the object that holds the target directly.
    const seen = new Set<number>();
    const out: RawStep[][] = [];
    for (const c of candidates) {
      const holder = c.path[c.path.length - 1].from;
      if (seen.has(holder)) continue;
      seen.add(holder);
      out.push(this.trimRoot(c.path));
      if (out.length >= maxPaths) break;
    }
    return out;
  }

  /**
   * Follows retainers down the distance gradient to a root, preferring the program's own references, for several
   * starting nodes at once: each round finds the retainers of every path's current node in one sweep.
   */
  private shortestPathsTo(starts: number[], avoid: number, distances: Uint32Array): (RawStep[] | null)[] {
    if (distances === this.parts.distances) return this.shortestPathsByParents(starts, avoid);
    const g = this.g;
    const steps: (RawStep[] | null)[] = starts.map(() => []);
    const current = starts.slice();
    for (let round = 0; round < 100_000; round++) {
      const open = current.map((c, i) => (c !== g.rootOrdinal && steps[i] ? i : -1)).filter((i) => i >= 0);
      if (open.length === 0) break;
      this.prefetch(open.map((i) => current[i]));
      for (const i of open) {
        const step = this.stepBack(current[i], avoid, distances);
        if (!step) {
          steps[i] = null;
          continue;
        }
        steps[i]!.push(step);
        current[i] = step.from;
      }
    }
    return steps.map((s) => (s ? s.reverse() : null));
  }

  /** Per object, the reference the walk down the distances steps back along (bestGradientEdges), made once. */
  private bestParent: ((node: number) => number) | null = null;

  /**
   * `shortestPathsTo` on the analysis' own distances without a sweep per step: each step follows the object's best
   * parent, found once for the whole heap. Only where that parent is `avoid` (an object one step farther than
   * `avoid`) does a step need the object's retainers, as the step-by-step walk reads them: those objects are
   * fetched together, one sweep per such round. The objects walked through get their retainers with the next sweep
   * anyone makes, as the step-by-step walk left them in the cache for the labels and fixes that read them.
   */
  private shortestPathsByParents(starts: number[], avoid: number): (RawStep[] | null)[] {
    const g = this.g;
    const root = g.rootOrdinal;
    const { distances } = this.parts;
    if (!this.bestParent) this.bestParent = bestGradientEdges(g, distances, NO_DISTANCE - 1, -1, this.parts.semantics.userEdgeTables());
    const parent = this.bestParent;
    const steps: (RawStep[] | null)[] = starts.map(() => []);
    const current = starts.slice();
    let paused = starts.map((_, i) => i);
    while (paused.length > 0) {
      const waiting: number[] = [];
      for (const i of paused) {
        let node = current[i];
        const path = steps[i]!;
        while (node !== root && path.length < 100_000) {
          this.retainers.later(node);
          const edge = parent(node);
          if (edge < 0) {
            steps[i] = null;
            break;
          }
          const from = g.edgeSource(edge);
          if (from === avoid) {
            waiting.push(i);
            break;
          }
          path.push({ from, edge, to: node });
          node = from;
        }
        current[i] = node;
      }
      if (waiting.length === 0) break;
      // The best parent is the object to avoid: the next best, from the retainers (one sweep for all of them).
      this.prefetch(waiting.map((i) => current[i]));
      paused = [];
      for (const i of waiting) {
        const step = this.stepBack(current[i], avoid, distances);
        if (!step) {
          steps[i] = null;
          continue;
        }
        steps[i]!.push(step);
        current[i] = step.from;
        paused.push(i);
      }
    }
    return steps.map((s) => (s ? s.reverse() : null));
  }

  /**
   * One step down the distance gradient from `node`, read from its retainers: among those other than `avoid` whose
   * reference counts and that are one step closer to a root (the synthetic root for objects at 1 or
   * SYSTEM_DISTANCE + 1), the first with the lowest `edgeScore`; null when there is none.
   */
  private stepBack(node: number, avoid: number, distances: Uint32Array): RawStep | null {
    const root = this.g.rootOrdinal;
    const d = distances[node];
    let best: RawStep | null = null;
    let bestScore = Infinity;
    for (const { from, edge } of this.rets(node)) {
      if (from === avoid || !this.counts(from, edge)) continue;
      const isStep = from === root ? d === 1 || d === SYSTEM_DISTANCE + 1 : distances[from] === d - 1;
      if (!isStep) continue;
      const score = this.edgeScore(from, edge, node);
      if (score < bestScore) {
        bestScore = score;
        best = { from, edge, to: node };
      }
    }
    return best;
  }

  /** Lower is better: the program's own references before engine internals. */
  edgeScore(from: number, edge: number, to: number): number {
    const g = this.g;
    if (this.parts.semantics.isUserEdge(edge, to)) return g.edgeType[edge] === g.edges.property || g.edgeType[edge] === g.edges.context ? 0 : 1;
    if (g.nodeType[from] === g.types.synthetic) return 2;
    return 3;
  }

  private pathScore(path: RawStep[]): number {
    let s = 0;
    for (const step of path) s += this.edgeScore(step.from, step.edge, step.to);
    return s;
  }

  /** Drops the synthetic root and `(GC roots)` steps: a path starts at the global object or a named root. */
  private trimRoot(path: RawStep[]): RawStep[] {
    let i = 0;
    while (i < path.length - 1 && (path[i].from === this.g.rootOrdinal || (this.g.isSynthetic(path[i].to) && this.g.isSynthetic(path[i].from)))) {
      if (!this.g.isSynthetic(path[i].to) && path[i].from === this.g.rootOrdinal) { i++; break; }
      i++;
    }
    return path.slice(i);
  }

}

/**
 * For every object at distance `farthest` or closer, the reference `RetentionQuery.stepBack` picks (the same rule,
 * for the whole heap at once); -1 when there is none. One flat sweep over the edges; a byte per node marks the objects it looks at (dropped after the sweep).
 */
function bestGradientEdges(g: HeapGraph, distances: Uint32Array, farthest: number, avoid: number, tables: UserEdgeTables): (node: number) => number {
  const { nodeCount, firstEdge, edgeTarget, edgeType, edgeNameOrIndex, nodeType, nodeName } = g;
  const { edgeKind, nameBits, typeKind } = tables;
  const root = g.rootOrdinal;
  const weak = g.edges.weak;
  const shortcut = g.edges.shortcut;
  const property = g.edges.property;
  const context = g.edges.context;
  const synthetic = g.types.synthetic;
  // best: 0 = not looked at (farther than `farthest`, or unreachable), else 1 + the best score so far (5: none yet).
  const best = new Uint8Array(nodeCount);
  for (let v = 0; v < nodeCount; v++) if (distances[v] <= farthest) best[v] = 5;
  const bestEdge = new Uint32Array(nodeCount).fill(NO_EDGE);
  const edgeCount = firstEdge[nodeCount];
  let from = 0;
  for (let e = 0; e < edgeCount; e++) {
    const t = edgeTarget[e];
    const b = best[t];
    if (b <= 1) continue; // not looked at, or already the best score there is
    while (firstEdge[from + 1] <= e) from++;
    if (from === avoid) continue;
    const d = distances[t];
    const isRoot = from === root;
    if (isRoot ? d !== 1 && d !== SYSTEM_DISTANCE + 1 : distances[from] + 1 !== d) continue;
    const type = edgeType[e];
    if (type === weak || (type === shortcut && !isRoot)) continue;
    // edgeScore, on the tables.
    let score = nodeType[from] === synthetic ? 2 : 3;
    if (userEdgeKind(edgeKind, nameBits, type, edgeNameOrIndex[e]) && userEdgeTarget(nameBits, typeKind, nodeType[t], nodeName[t])) score = type === property || type === context ? 0 : 1;
    if (score + 1 < b) {
      best[t] = score + 1;
      bestEdge[t] = e;
    }
  }
  return (node) => (bestEdge[node] === NO_EDGE ? -1 : bestEdge[node]);
}

const NO_EDGE = 0xffffffff;
