/**
 * Who holds an object, found by sweeping the edges (no reverse index is kept: it would cost 8 bytes per edge). One
 * cache per query, shared by the path search, the cycle search, the readable steps and the fix policy.
 */
import type { HeapGraph } from './heapGraph';

export interface Retainer { from: number; edge: number }

/** A raw reference: edge ordinal plus its ends. */
export interface RawStep { from: number; edge: number; to: number }

export class RetainerCache {
  /**
   * Retainer lists already swept for, in two generations: when the current one fills up it becomes the older one and
   * the oldest is dropped, so a batch just fetched survives the next batch (clearing everything at once made a loop
   * over a big batch sweep again for every member).
   */
  private current = new Map<number, Retainer[]>();
  private older = new Map<number, Retainer[]>();
  /** Objects whose retainers a walk skipped: added to the next sweep (they are often read soon after). */
  private pending: number[] = [];

  constructor(private readonly g: HeapGraph) {}

  private cached(node: number): Retainer[] | undefined {
    return this.current.get(node) ?? this.older.get(node);
  }

  /** Remembers an object whose retainers will probably be asked for, so that the next sweep finds them too. */
  later(node: number): void {
    if (this.pending.length < 4096) this.pending.push(node);
  }

  /** Finds the retainers of all of `nodes` not yet known, in one sweep. */
  prefetch(nodes: Iterable<number>): void {
    const missing = new Set<number>();
    for (const n of nodes) if (!this.cached(n)) missing.add(n);
    if (missing.size === 0) return;
    for (const n of this.pending) if (!this.cached(n)) missing.add(n);
    this.pending = [];
    if (this.current.size > 16_384) {
      this.older = this.current;
      this.current = new Map();
    }
    for (const [n, list] of this.g.retainersOf(missing)) this.current.set(n, list);
  }

  of(node: number): Retainer[] {
    let list = this.cached(node);
    if (!list) {
      this.prefetch([node]);
      list = this.current.get(node)!;
    }
    return list;
  }

  /** The first strong retainer, or -1. */
  first(node: number): number {
    const g = this.g;
    for (const { from, edge } of this.of(node)) if (g.edgeType[edge] !== g.edges.weak) return from;
    return -1;
  }
}
