/**
 * Random small heap graphs for the cross-checks (seeded, so a failure replays from its seed), the builder's
 * description as a plain model, and brute-force answers computed on that model straight from the definitions
 * (see crosscheck.test.ts for the rules).
 */
import assert from 'node:assert/strict';
import { NO_DISTANCE, SYSTEM_DISTANCE } from '../../src/core/distances';
import { SnapshotBuilder, randomInt, seededRandom, type EdgeType, type NodeType } from './graphBuilder';

export interface ModelEdge { from: number; type: EdgeType; name: string | number; to: number }

/** The graph as the builder described it: what the brute force reads. */
export class Model {
  readonly n: number;
  readonly type: NodeType[];
  readonly name: string[];
  readonly size: number[];
  readonly id: number[];
  readonly out: ModelEdge[][];
  readonly edges: ModelEdge[];

  constructor(b: SnapshotBuilder) {
    this.n = b.nodes.length;
    this.type = b.nodes.map((x) => x.type);
    this.name = b.nodes.map((x) => x.name);
    this.size = b.nodes.map((x) => x.size);
    this.id = b.nodes.map((x) => x.id);
    this.out = b.nodes.map((x, from) => x.edges.map((e) => ({ from, type: e.type, name: e.nameOrIndex, to: e.to })));
    this.edges = this.out.flat();
  }

  reach(starts: number[], follow: (e: ModelEdge) => boolean, blocked = -1): boolean[] {
    const seen = new Array<boolean>(this.n).fill(false);
    const stack: number[] = [];
    for (const s of starts) if (s !== blocked && !seen[s]) { seen[s] = true; stack.push(s); }
    while (stack.length) {
      const v = stack.pop()!;
      for (const e of this.out[v]) {
        if (e.to === blocked || seen[e.to] || !follow(e)) continue;
        seen[e.to] = true;
        stack.push(e.to);
      }
    }
    return seen;
  }
}

export const ROOT = 0;

/** DevTools' distance filter. */
export function filtered(m: Model, e: ModelEdge): boolean {
  const indexed = e.type === 'element' || e.type === 'hidden';
  if (m.type[e.from] === 'hidden' && m.name[e.from] === 'system / NativeContext' && !indexed && e.name === 'sloppy_function_map') return true;
  if (m.type[e.from] === 'array' && m.name[e.from] === '(map descriptors)' && indexed) {
    const i = Number(e.name);
    return i >= 2 && i % 3 === 1;
  }
  return false;
}

export function bruteDistances(m: Model): number[] {
  const dist = new Array<number>(m.n).fill(NO_DISTANCE);
  const bfs = (queue: number[]) => {
    for (let head = 0; head < queue.length; head++) {
      const v = queue[head];
      for (const e of m.out[v]) {
        if (e.type === 'weak' || (e.type === 'shortcut' && v !== ROOT) || filtered(m, e) || dist[e.to] !== NO_DISTANCE) continue;
        dist[e.to] = dist[v] + 1;
        queue.push(e.to);
      }
    }
  };
  const userRoots: number[] = [];
  for (const e of m.out[ROOT]) {
    if (m.type[e.to] === 'synthetic' || dist[e.to] !== NO_DISTANCE) continue;
    dist[e.to] = 1;
    userRoots.push(e.to);
  }
  bfs(userRoots);
  dist[ROOT] = userRoots.length ? SYSTEM_DISTANCE : 0;
  bfs([ROOT]);
  return dist;
}

/** Reachable from a shortcut child of the root over non-weak edges (DevTools' "page object"). */
export function bruteUserReachable(m: Model): boolean[] {
  return m.reach(m.out[ROOT].filter((e) => e.type === 'shortcut').map((e) => e.to), (e) => e.type !== 'weak');
}

/** The table id a WeakMap ephemeron edge's name names (DevTools' pattern), or null. */
function weakMapTable(e: ModelEdge): number | null {
  if (e.type !== 'internal' || typeof e.name !== 'string') return null;
  const m = /^\d+ \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(\d+)\)$/.exec(e.name);
  return m ? Number(m[1]) : null;
}

/**
 * DevTools' shallow sizes: when the root has a non-synthetic child, a hidden or array node (or native
 * `system / ExternalStringData`) that exactly one other kind of node reaches over non-weak edges through such nodes
 * only has its size counted in that owner (unless the owner is synthetic).
 */
export function bruteShallowSizes(m: Model): number[] {
  const size = m.size.slice();
  if (!m.out[ROOT].some((e) => m.type[e.to] !== 'synthetic')) return size;
  const owned = (v: number) => m.type[v] === 'hidden' || m.type[v] === 'array' || (m.type[v] === 'native' && m.name[v] === 'system / ExternalStringData');
  const owners: Set<number>[] = Array.from({ length: m.n }, () => new Set<number>());
  for (let u = 0; u < m.n; u++) {
    if (owned(u)) continue;
    const seen = new Set<number>();
    const stack = [u];
    while (stack.length) {
      for (const e of m.out[stack.pop()!]) {
        if (e.type === 'weak' || !owned(e.to) || seen.has(e.to)) continue;
        seen.add(e.to);
        stack.push(e.to);
      }
    }
    for (const v of seen) owners[v].add(u);
  }
  for (let v = 0; v < m.n; v++) {
    if (owners[v].size !== 1) continue;
    const [u] = owners[v];
    if (m.type[u] === 'synthetic') continue;
    size[u] += size[v];
    size[v] = 0;
  }
  return size;
}

export function bruteDominators(m: Model): { idom: number[]; retained: number[] } {
  const user = bruteUserReachable(m);
  const counts = (e: ModelEdge) => e.type !== 'weak' && e.from !== e.to && weakMapTable(e) !== m.id[e.from] &&
    (e.from === ROOT || (e.type !== 'shortcut' && !(user[e.to] && !user[e.from])));
  // Orphans: each node the root does not reach that no counting edge holds hangs off the root by a virtual edge;
  // the rest of what is still unreached (held only by itself or a clique) hangs off the root alone and dominates nothing.
  const fromRoot = m.reach([ROOT], counts);
  const virtual: number[] = [];
  for (let v = 1; v < m.n; v++) if (!fromRoot[v] && !m.edges.some((e) => e.to === v && counts(e))) virtual.push(v);
  const reached = m.reach([ROOT, ...virtual], counts);
  const reachWithout = (blocked: number) => m.reach([ROOT, ...virtual.filter((v) => v !== blocked)], counts, blocked);
  const strict: Set<number>[] = Array.from({ length: m.n }, (_, v) => new Set(v === ROOT ? [] : [ROOT]));
  for (let d = 1; d < m.n; d++) {
    if (!reached[d]) continue;
    const seen = reachWithout(d);
    for (let v = 0; v < m.n; v++) if (v !== d && reached[v] && !seen[v]) strict[v].add(d);
  }
  const idom = strict.map((doms, v) => {
    if (v === ROOT) return ROOT;
    const candidates = [...doms].filter((d) => strict[d].size === doms.size - 1);
    assert.equal(candidates.length, 1, `brute force: one immediate dominator of ${v}`);
    return candidates[0];
  });
  const size = bruteShallowSizes(m);
  const retained = size.map((_, v) => {
    let sum = 0;
    for (let u = 0; u < m.n; u++) if (u === v || strict[u].has(v)) sum += size[u];
    return sum;
  });
  return { idom, retained };
}

// The program's own references, restated from semantics.ts: which edges can form a cycle worth showing.
export const SHADOW_STORES = new Set(['(object elements)', '(object properties)', 'system / PropertyArray', 'system / PropertyCell']);
const HOLDERS = new Set(['system / Context', ...SHADOW_STORES]);
const MACHINERY_PROPERTIES = new Set(['__proto__', 'constructor', 'prototype']);
const DATA_INTERNALS = new Set(['context', 'previous', 'table', 'bound_this', 'bound_function', 'bound_arguments']);
const ENGINE_TYPES = new Set<NodeType>(['code', 'object shape', 'synthetic', 'hidden']);

export function isUserReference(m: Model, e: ModelEdge): boolean {
  if (e.type === 'weak' || (e.type === 'shortcut' && e.from !== ROOT)) return false;
  const to = e.to;
  if (SHADOW_STORES.has(m.name[to])) return false;
  if (ENGINE_TYPES.has(m.type[to]) && !(m.type[to] === 'hidden' && HOLDERS.has(m.name[to]))) return false;
  switch (e.type) {
    case 'element':
    case 'context':
      return true;
    case 'property':
      return !MACHINERY_PROPERTIES.has(e.name as string);
    case 'internal':
      return DATA_INTERNALS.has(e.name as string) || /^\d+(?: \/ |$)/.test(e.name as string);
    default:
      return false;
  }
}

export function bruteComponentSize(m: Model, target: number): number {
  const forward = m.reach([target], (e) => isUserReference(m, e));
  // Backward: who reaches the target.
  let size = 0;
  for (let v = 0; v < m.n; v++) {
    if (!forward[v]) continue;
    if (v === target || m.reach([v], (e) => isUserReference(m, e))[target]) size++;
  }
  return size;
}

/** Shortest number of user references from the target to each node (BFS). */
export function userDistancesFrom(m: Model, target: number): number[] {
  const d = new Array<number>(m.n).fill(Infinity);
  d[target] = 0;
  const queue = [target];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head];
    for (const e of m.out[v]) {
      if (d[e.to] !== Infinity || !isUserReference(m, e)) continue;
      d[e.to] = d[v] + 1;
      queue.push(e.to);
    }
  }
  return d;
}

// ---- Random graphs ----

const NODE_TYPE_WEIGHTS: [NodeType, number][] = [
  ['object', 50], ['closure', 10], ['array', 10], ['hidden', 8], ['code', 5], ['string', 5], ['native', 4], ['synthetic', 3],
  ['object shape', 3], ['regexp', 2],
];
const NAMES = ['Widget', 'Node', 'Map', 'Object', 'system / Context', '(object elements)', '(object properties)', 'system / PropertyCell', '',
  'system / NativeContext', '(map descriptors)', 'Emitter'];
const EDGE_TYPE_WEIGHTS: [EdgeType, number][] = [
  ['property', 35], ['element', 15], ['internal', 15], ['context', 10], ['hidden', 5], ['weak', 10], ['shortcut', 10],
];
const EDGE_NAMES: Record<string, string[]> = {
  property: ['a', 'b', 'parent', 'next', 'prev', '__proto__', 'constructor', 'prototype', 'sloppy_function_map', 'has space'],
  internal: ['table', 'map', 'elements', 'context', '3', '1 / part of key (Key @3) -> value (V @5) pair in WeakMap (table @7)', 'bound_this', 'code', 'sloppy_function_map'],
  context: ['this', 'x', 'widget'],
  weak: ['target', 'weak'],
  shortcut: ['s'],
};

function pick<T>(random: () => number, weighted: [T, number][]): T {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let x = random() * total;
  for (const [v, w] of weighted) if ((x -= w) < 0) return v;
  return weighted[weighted.length - 1][0];
}

export function randomGraph(seed: number): SnapshotBuilder {
  const random = seededRandom(seed);
  const b = new SnapshotBuilder();
  const any = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const globals: number[] = [];
  const globalCount = random() < 0.1 ? 0 : random() < 0.8 ? 1 : 2;
  for (let i = 0; i < globalCount; i++) globals.push(b.global(i ? 'Window' : 'global', randomInt(random, 0, 64)));
  const subRoots = ['(Handle scope)', '(Stack roots)', '(Global handles)'].slice(0, randomInt(random, 0, 3)).map((s) => b.subRoot(s));
  const n = randomInt(random, 5, 40);
  const objects: number[] = [];
  for (let i = 0; i < n; i++) {
    const type = pick(random, NODE_TYPE_WEIGHTS);
    objects.push(b.node(type, any(NAMES), { size: randomInt(random, 0, 200) }));
  }
  if (random() < 0.3) {
    const nativeContext = b.node('hidden', 'system / NativeContext', { size: 8 });
    b.edge(nativeContext, 'property', 'sloppy_function_map', any(objects)).edge(nativeContext, 'internal', 'sloppy_function_map', any(objects));
    b.edge(any([...globals, ...objects]), 'internal', 'native_context', nativeContext);
    const descriptors = b.node('array', '(map descriptors)', { size: 8 });
    for (let i = 0; i < 9; i++) b.edge(descriptors, random() < 0.7 ? 'element' : 'hidden', i, any(objects));
    b.edge(any([...globals, ...objects]), 'internal', 'descriptors', descriptors);
    objects.push(nativeContext, descriptors);
  }
  // Orphans: nodes that only other orphans point at.
  const orphans = new Set(objects.filter(() => random() < 0.15));
  const held = [...globals, ...objects.filter((o) => !orphans.has(o))];
  const edgeCount = randomInt(random, Math.floor(n / 2), 3 * n);
  for (let i = 0; i < edgeCount; i++) {
    const from = random() < 0.03 ? b.gcRoots : any([...globals, ...objects]);
    let to = random() < 0.08 ? from : orphans.has(from) && random() < 0.5 ? any([...orphans]) : any(held.length ? held : objects);
    if (to === b.gcRoots) to = any(objects);
    const type = pick(random, EDGE_TYPE_WEIGHTS);
    b.edge(from, type, type === 'element' || type === 'hidden' ? randomInt(random, 0, 10) : any(EDGE_NAMES[type]), to);
  }
  // A deep cycle: a chain that points back to its start.
  const plain = objects.filter((o) => ['object', 'closure', 'array'].includes(b.nodes[o].type) && !/^\(object|PropertyCell/.test(b.nodes[o].name));
  if (random() < 0.7 && plain.length >= 3) {
    const k = randomInt(random, 3, Math.min(12, plain.length));
    const chain = plain.slice().sort(() => random() - 0.5).slice(0, k);
    for (let i = 0; i < k; i++) b.edge(chain[i], 'property', i === k - 1 ? 'parent' : 'next', chain[(i + 1) % k]);
    if (random() < 0.7) b.edge(any(held.length ? held : objects), 'property', 'head', chain[0]);
  }
  for (const s of subRoots) {
    for (let i = randomInt(random, 0, 3); i > 0; i--) {
      const type = any<EdgeType>(['element', 'internal', 'weak']);
      b.edge(s, type, type === 'element' ? i : 'handle', any(objects));
    }
  }
  // A non-synthetic child of the root that is not a shortcut: a user root for distances, not for the flags.
  if (random() < 0.15) b.edge(b.root, 'element', 9, any(objects));
  return b;
}
