/**
 * Distances, dominators, retained sizes, components, cycles and retaining paths on random small graphs, checked
 * against brute force written here from the definitions (on the builder's description, not the engine's arrays):
 *
 * - distance: BFS from the user roots (non-synthetic children of the synthetic root, at 1), then from the root
 *   (at SYSTEM_DISTANCE when there are user roots); weak edges never count, shortcut edges only from the root, and
 *   DevTools' two filtered edges (a NativeContext's `sloppy_function_map`, value slots of `(map descriptors)`) do not.
 * - dominators: d dominates v iff every path from the root to v over counting edges passes d. Counting edges: not
 *   weak; shortcut only from the root; an edge from an object the program cannot reach (not reachable from a shortcut
 *   child of the root over non-weak edges) into one it can is ignored. Orphans hang off the root: taking nodes in
 *   ordinal order, each one the root (and the orphans before it) cannot reach gets a virtual edge from the root.
 *   (DevTools' current rule:) an orphan no counting edge holds gets a virtual edge from the root; whatever that still
 *   leaves unreached (a clique holding itself) hangs off the root alone and dominates nothing. A WeakMap table's own
 *   edge to a value (`N / part of key ... pair in WeakMap (table @T)` from @T) and self edges do not count.
 * - shallow size (DevTools' calculateShallowSizes): when the root has a non-synthetic child, a hidden or array node
 *   that exactly one other kind of node reaches over non-weak edges through such nodes only counts in that owner.
 * - retained size: the sum of (moved) shallow sizes of the dominator subtree.
 * - component: the strongly connected component over the program's own references (semantics.ts, restated here).
 * - cycles: one per retainer r that holds the object by a user reference and that the object reaches within the
 *   length bound; its length is the shortest way round.
 *
 * A failing case prints its seed: `seededRandom(seed)` rebuilds the same graph.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HeapAnalysis } from '../../src/core/analysis';
import { NO_DISTANCE, SYSTEM_DISTANCE } from '../../src/core/distances';
import { RetentionQuery } from '../../src/core/retention';
import { sortRowsByNode } from '../../src/core/locations';
import type { Step } from '../../src/core/report';
import { SnapshotBuilder, parseText, type EdgeType } from './graphBuilder';
import {
  Model, ROOT, SHADOW_STORES, bruteComponentSize, bruteShallowSizes, bruteDistances, bruteDominators, bruteUserReachable, filtered, isUserReference, randomGraph, userDistancesFrom,
  type ModelEdge,
} from './randomGraphs';

function queryOf(a: HeapAnalysis): RetentionQuery {
  return new RetentionQuery({
    graph: a.graph, distances: a.distances, dominator: a.dominator, retainedSize: a.retainedSize, userReachable: a.userReachable,
    semantics: a.semantics, locations: a.locations,
  });
}

/** Readable steps chain from one to the next and end at the object. */
function assertChain(steps: Step[], targetId: number, what: string, startId?: number): void {
  assert.ok(steps.length > 0, `${what}: has steps`);
  if (startId !== undefined) assert.equal(steps[0].from.id, startId, `${what}: starts at @${startId}`);
  for (let i = 1; i < steps.length; i++) assert.equal(steps[i].from.id, steps[i - 1].to.id, `${what}: step ${i} starts where step ${i - 1} ends`);
  assert.equal(steps[steps.length - 1].to.id, targetId, `${what}: ends at the object`);
}

function checkGraph(seed: number): { nodes: number; cycles: number; orphansDominated: number; cutFixes: number } {
  const b = randomGraph(seed);
  const m = new Model(b);
  const a = HeapAnalysis.fromSnapshot(parseText(b.serialize()));
  const where = `seed ${seed}`;
  assert.equal(a.nodeCount, m.n, where);

  const dist = bruteDistances(m);
  assert.deepEqual(Array.from(a.distances), dist, `${where}: distances`);
  const user = bruteUserReachable(m);
  assert.deepEqual(Array.from(a.userReachable, (f) => (f & 1) === 1), user, `${where}: user-reachable flags`);
  assert.deepEqual(Array.from(a.graph.nodeSelfSize), bruteShallowSizes(m), `${where}: shallow sizes`);
  const { idom, retained } = bruteDominators(m);
  assert.deepEqual(Array.from(a.dominator), idom, `${where}: immediate dominators`);
  assert.deepEqual(Array.from(a.retainedSize), retained, `${where}: retained sizes`);
  assert.equal(a.totalSize, m.size.reduce((s, x) => s + x, 0), `${where}: the root retains everything (sizes move, none is lost)`);

  const q = queryOf(a);
  let cycleCount = 0;
  let cutFixes = 0;
  for (let v = 1; v < m.n; v++) {
    const id = b.nodes[v].id;
    const w = `${where}, node ${v} (@${id} ${m.type[v]} ${JSON.stringify(m.name[v])})`;
    const report = a.report(id);
    // The result says who holds it, and the distance from those holders, without the internal offset.
    const expected = dist[v] === NO_DISTANCE ? { distance: null, heldBy: null }
      : dist[v] >= SYSTEM_DISTANCE ? { distance: dist[v] - SYSTEM_DISTANCE, heldBy: 'system' }
        : { distance: dist[v], heldBy: 'program' };
    assert.deepEqual({ distance: report.object.distance, heldBy: report.object.heldBy }, expected, `${w}: report distance`);
    assert.equal(report.object.retainedSize, retained[v], `${w}: report retained size`);
    assert.equal(report.componentSize, bruteComponentSize(m, v), `${w}: component size`);

    // Cycles: one per user retainer the object reaches within the bound, each the shortest way round.
    for (const maxLength of [12, 3]) {
      const { cycles } = q.cycles(v, 100, maxLength, false);
      const back = userDistancesFrom(m, v);
      const closing = new Map<number, number>();
      for (const e of m.edges) {
        if (e.to !== v || e.from === v || !isUserReference(m, e) || back[e.from] > maxLength - 1) continue;
        closing.set(e.from, back[e.from] + 1);
      }
      assert.deepEqual(cycles.map((c) => c.length), [...closing.values()].sort((x, y) => x - y), `${w}: cycle lengths (max ${maxLength})`);
      for (const c of cycles) {
        assert.equal(c[0].from, v, `${w}: a cycle starts at the object`);
        assert.equal(c[c.length - 1].to, v, `${w}: a cycle ends at the object`);
        const visited = new Set<number>();
        c.forEach((s, i) => {
          assert.equal(a.graph.edgeTarget[s.edge], s.to, `${w}: cycle step ${i} is a real edge`);
          assert.equal(a.graph.edgeSource(s.edge), s.from, `${w}: cycle step ${i} is a real edge`);
          if (i > 0) assert.equal(s.from, c[i - 1].to, `${w}: cycle steps chain`);
          assert.ok(!visited.has(s.from), `${w}: the cycle is elementary`);
          visited.add(s.from);
          assert.ok(isUserReference(m, { from: s.from, type: a.graph.edgeTypeName(s.edge) as EdgeType, name: a.graph.edgeName(s.edge), to: s.to }), `${w}: cycle step ${i} is a user reference`);
        });
      }
      if (maxLength === 12) cycleCount += cycles.length;
    }
    assert.equal(report.cycles.length, Math.min(8, q.cycles(v, 100, 12, false).cycles.length), `${w}: report cycles (at most 8)`);
    report.cycles.forEach((c, i) => {
      assertChain(c.steps, id, `${w}: cycle ${i}`, id);
      if (c.suggestion) assert.ok(c.suggestion.step >= 0 && c.suggestion.step < c.steps.length, `${w}: cycle ${i} suggestion names one of its steps`);
    });

    // Retaining paths: real counting edges, ending at the object, distinct holders, the first one shortest.
    const paths = q.retainingPaths(v, 5);
    if (dist[v] === NO_DISTANCE) assert.equal(paths.length, 0, `${w}: no path to garbage`);
    else if (m.edges.some((e) => e.to === v && e.from !== v && e.type !== 'weak' && (e.type !== 'shortcut' || e.from === ROOT)
      && !SHADOW_STORES.has(m.name[e.from]) && dist[e.from] < dist[v])) {
      // Held by something closer to the roots than itself (not a backing store that shadows its owner's edges).
      assert.ok(paths.length > 0, `${w}: a path to a reachable object`);
    }
    const holders = new Set<number>();
    paths.forEach((p, i) => {
      p.forEach((s, k) => {
        assert.equal(a.graph.edgeTarget[s.edge], s.to, `${w}: path ${i} step ${k} is a real edge`);
        assert.equal(a.graph.edgeSource(s.edge), s.from, `${w}: path ${i} step ${k} is a real edge`);
        const type = a.graph.edgeTypeName(s.edge);
        assert.ok(type !== 'weak' && (type !== 'shortcut' || s.from === ROOT), `${w}: path ${i} step ${k} counts (${type})`);
        if (k > 0) assert.equal(s.from, p[k - 1].to, `${w}: path ${i} steps chain`);
      });
      assert.equal(p[p.length - 1].to, v, `${w}: path ${i} ends at the object`);
      const holder = p[p.length - 1].from;
      assert.ok(!holders.has(holder), `${w}: path ${i} has a holder of its own`);
      holders.add(holder);
    });
    if (m.out[ROOT].some((e) => e.to === v)) {
      // Held by the synthetic root itself: that link is one of its paths. (For a user root it comes first: see
      // 'a user root's first path is its link from the root' below.)
      assert.ok(paths.some((p) => p.length === 1 && p[0].from === ROOT), `${w}: the root's own link is one of its paths`);
    } else if (dist[ROOT] === SYSTEM_DISTANCE && dist[v] < SYSTEM_DISTANCE) {
      // The first path runs through the closest direct holder the program reaches. Backing stores that shadow their
      // owner's edges (`(object elements)`, ...) are not holders; a reference DevTools leaves out of distances (a
      // NativeContext's sloppy_function_map) still holds the object, so the closest holder can be closer than the
      // distance says.
      const holderDistances = m.edges
        .filter((e) => e.to === v && e.from !== v && e.from !== ROOT && e.type !== 'weak' && e.type !== 'shortcut'
          && !SHADOW_STORES.has(m.name[e.from]) && dist[e.from] < dist[v])
        .map((e) => dist[e.from]);
      if (holderDistances.length) {
        const shown = paths.map((p) => p.map((s) => `${s.from}(d${dist[s.from]}) -${a.graph.edgeTypeName(s.edge)}:${a.graph.edgeName(s.edge)}-> ${s.to}`).join(', '));
        assert.equal(dist[paths[0][0].from], 1, `${w}: the first path starts at a user root`);
        assert.equal(paths[0].length, Math.min(...holderDistances), `${w}: the first path is a shortest one; paths:\n${shown.join('\n')}`);
      }
    }
    report.paths.forEach((p, i) => assertChain(p.steps, id, `${w}: report path ${i}`));

    // "What to break": when the report names one reference whose removal frees the object, removing it must leave
    // the object unreachable from the root over the references that count (backing-store shadows, debugger handles
    // into the program's objects and DevTools' distance-filtered slots aside).
    if (report.fix && /Every path from the roots runs through this reference/.test(report.fix.reason)) {
      const step = report.paths[report.fix.path].steps[report.fix.step];
      const chain = [step.from, ...(step.via ?? []), step.to].map((n) => a.graph.ordinalOfId(n.id));
      const freed = chain.slice(1).some((to, k) => {
        const from = chain[k];
        const holds = (e: ModelEdge) => e.type !== 'weak' && (e.from === ROOT || (e.type !== 'shortcut' && !SHADOW_STORES.has(m.name[e.from])
          && !(user[e.to] && !user[e.from]))) && !filtered(m, e) && !(e.from === from && e.to === to);
        return !m.reach([ROOT], holds)[v];
      });
      cutFixes++;
      assert.ok(freed, `${w}: removing the reference the fix names (${step.label}, ${chain.join(' -> ')}) frees the object`);
    }
  }
  const orphansDominated = idom.filter((d, v) => v !== ROOT && dist[v] === NO_DISTANCE && d !== ROOT).length;
  return { nodes: m.n, cycles: cycleCount, orphansDominated, cutFixes };
}

describe('cross-check against brute force', () => {
  test('200 random graphs of 5-40 objects: distances, flags, dominators, retained sizes, components, cycles, paths, cut fixes', () => {
    let nodes = 0;
    let cycles = 0;
    let orphanChains = 0;
    let cutFixes = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const r = checkGraph(seed);
      nodes += r.nodes;
      cycles += r.cycles;
      orphanChains += r.orphansDominated;
      cutFixes += r.cutFixes;
    }
    // The random graphs do exercise what they are meant to.
    console.log(`random graphs: ${nodes} nodes, ${cycles} cycles, ${orphanChains} orphans dominated by another orphan, ${cutFixes} single-reference fixes`);
    assert.ok(nodes > 4000, `${nodes} nodes`);
    assert.ok(cycles > 1000, `${cycles} cycles`);
    assert.ok(orphanChains > 20, `${orphanChains} orphans dominated by another orphan`);
    assert.ok(cutFixes > 500, `${cutFixes} single-reference fixes checked`);
  });
});

describe('summary: a class retains what its outermost instances retain', () => {
  // The summary looks for a same-class dominator within 64 levels (a bound that keeps it linear on deep chains);
  // these graphs are shallower, so the whole chain is checked.
  test('200 random graphs: each class\'s retained size, against a walk up the whole dominator chain', () => {
    let nestedSeen = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const b = randomGraph(seed);
      const a = HeapAnalysis.fromSnapshot(parseText(b.serialize()));
      const g = a.graph;
      const { object, closure, array, regexp, native } = g.types;
      const counted = (t: number) => t === object || t === closure || t === array || t === regexp || t === native;
      const classOf = (o: number) => (g.nodeType[o] === closure ? '(closure)' : g.strings[g.nodeName[o]] || '(anonymous)');
      const expected = new Map<string, number>();
      for (let o = 1; o < g.nodeCount; o++) {
        if (!counted(g.nodeType[o]) || a.distances[o] === NO_DISTANCE) continue;
        let nested = false;
        for (let d = a.dominator[o]; d !== g.rootOrdinal; d = a.dominator[d]) if (counted(g.nodeType[d]) && classOf(d) === classOf(o)) nested = true;
        if (nested) nestedSeen++;
        expected.set(classOf(o), (expected.get(classOf(o)) ?? 0) + (nested ? 0 : a.retainedSize[o]));
      }
      const shown = new Map(a.summary({ classLimit: 1e9 }).classes.map((c) => [c.name, c.retainedSize]));
      assert.deepEqual(shown, expected, `seed ${seed}`);
    }
    assert.ok(nestedSeen > 100, `${nestedSeen} instances nested in one of their class`);
  });

});

describe('small graphs with known answers', () => {
  test('a diamond: the join is dominated by the global, which retains all', () => {
    const b = new SnapshotBuilder();
    const g = b.global('global', 10);
    const [x, y, z] = [b.node('object', 'A', { size: 1 }), b.node('object', 'B', { size: 2 }), b.node('object', 'C', { size: 4 })];
    b.edge(g, 'property', 'a', x).edge(g, 'property', 'b', y).edge(x, 'property', 'c', z).edge(y, 'property', 'c', z);
    const a = HeapAnalysis.fromSnapshot(parseText(b.serialize()));
    assert.deepEqual([...[g, x, y, z].map((v) => a.distances[v])], [1, 2, 2, 3]);
    assert.deepEqual([...[g, x, y, z].map((v) => a.dominator[v])], [0, g, g, g]);
    assert.deepEqual([...[g, x, y, z].map((v) => a.retainedSize[v])], [17, 1, 2, 4]);
  });

  test('a debugger handle does not change who dominates the program\'s objects', () => {
    const b = new SnapshotBuilder();
    const g = b.global();
    const handles = b.subRoot('(Handle scope)');
    const list = b.node('object', 'List', { size: 8 });
    const item = b.node('object', 'Item', { size: 16 });
    const scratch = b.node('object', 'Scratch', { size: 32 });
    b.edge(g, 'property', 'list', list).edge(list, 'element', 0, item).edge(handles, 'element', 0, scratch).edge(scratch, 'property', 'item', item);
    const a = HeapAnalysis.fromSnapshot(parseText(b.serialize()));
    assert.equal(a.dominator[item], list, 'the program\'s list dominates the item, the handle notwithstanding');
    assert.equal(a.retainedSize[list], 24);
    assert.equal(a.distances[scratch], SYSTEM_DISTANCE + 3, 'held only by a handle: a system distance');
    const report = a.report(b.nodes[scratch].id);
    assert.equal(report.heldOnlyBySystem, true);
    // A handle scope is the engine's, not the debugger's own (those are annotated "DevTools console"): the object is
    // not called "not a leak in your code".
    assert.match(report.notes.join(' '), /No path from the program's global object reaches it; it is held through engine roots \(\(Handle scope\)\)/);
    assert.equal(report.heldOnlyByDebugger, false);
  });

  test('weak edges and shortcuts from ordinary objects do not keep anything alive', () => {
    const b = new SnapshotBuilder();
    const g = b.global();
    const weakOnly = b.node('object', 'Cached', { size: 5 });
    const viaShortcut = b.node('object', 'Linked', { size: 7 });
    b.edge(g, 'weak', 'cache', weakOnly).edge(g, 'shortcut', 'link', viaShortcut);
    const a = HeapAnalysis.fromSnapshot(parseText(b.serialize()));
    assert.equal(a.distances[weakOnly], NO_DISTANCE);
    assert.equal(a.distances[viaShortcut], NO_DISTANCE);
    assert.equal(a.dominator[weakOnly], 0, 'an orphan hangs off the root');
    assert.equal(a.retainedSize[g], 40, 'the global retains only itself');
    const report = a.report(b.nodes[weakOnly].id);
    assert.equal(report.paths.length, 0);
    assert.match(report.notes.join(' '), /Nothing reachable from a GC root holds this object/);
  });

  test('an orphan cycle hangs off the root member by member, as DevTools does; a self-loop is not a component', () => {
    const b = new SnapshotBuilder();
    b.global();
    const p = b.node('object', 'P', { size: 3 });
    const c = b.node('object', 'C', { size: 5 });
    const self = b.node('object', 'Self', { size: 1 });
    const lone = b.node('object', 'Lone', { size: 7 });
    const kept = b.node('object', 'Kept', { size: 2 });
    b.edge(p, 'property', 'child', c).edge(c, 'property', 'parent', p).edge(self, 'property', 'me', self);
    b.edge(lone, 'property', 'kept', kept);
    const a = HeapAnalysis.fromSnapshot(parseText(b.serialize()));
    // Each member of a clique that holds itself hangs off the root and dominates nothing.
    assert.equal(a.dominator[p], 0);
    assert.equal(a.dominator[c], 0);
    assert.equal(a.retainedSize[p], 3);
    // An orphan nothing holds (a self edge does not count) is a virtual child of the root and dominates what it holds.
    assert.equal(a.dominator[self], 0);
    assert.equal(a.dominator[kept], lone);
    assert.equal(a.retainedSize[lone], 9);
    assert.equal(a.report(b.nodes[c].id).componentSize, 2);
    assert.equal(a.report(b.nodes[self].id).componentSize, 1);
  });

  test('a backing store owned by one object counts in its owner\'s shallow size; a shared one keeps its own', () => {
    const b = new SnapshotBuilder();
    const g = b.global('global', 10);
    const owner = b.node('object', 'Owner', { size: 16 });
    const elements = b.node('array', '(object elements)', { size: 100 });
    const inner = b.node('hidden', 'system / FixedArray', { size: 30 });
    const other = b.node('object', 'Other', { size: 8 });
    const shared = b.node('array', '(object properties)', { size: 50 });
    b.edge(g, 'property', 'owner', owner).edge(g, 'property', 'other', other);
    b.edge(owner, 'internal', 'elements', elements).edge(elements, 'internal', 'inner', inner);
    b.edge(owner, 'internal', 'properties', shared).edge(other, 'internal', 'properties', shared);
    b.edge(other, 'weak', 'w', elements);
    const a = HeapAnalysis.fromSnapshot(parseText(b.serialize()));
    assert.equal(a.graph.nodeSelfSize[owner], 146, 'its elements and what only they hold (a weak edge does not share)');
    assert.equal(a.graph.nodeSelfSize[elements], 0);
    assert.equal(a.graph.nodeSelfSize[inner], 0);
    assert.equal(a.graph.nodeSelfSize[shared], 50, 'held by two owners: its own');
    assert.equal(a.retainedSize[owner], 146);
    assert.equal(a.report(b.nodes[owner].id).object.selfSize, 146);
  });

  test('a user root\'s first path is its link from the root, not a longer one through the program', () => {
    // Two user roots (a second global, as a vm context makes): window.a.b.main = global. The global is a GC root
    // itself (distance 1), so its shortest path is the root link, and it should come first.
    const b = new SnapshotBuilder();
    const main = b.global('global');
    const other = b.global('Window');
    const x = b.node('object', 'A', { size: 1 });
    const y = b.node('object', 'B', { size: 1 });
    b.edge(other, 'property', 'a', x).edge(x, 'property', 'b', y).edge(y, 'property', 'main', main);
    const a = HeapAnalysis.fromSnapshot(parseText(b.serialize()));
    assert.equal(a.distances[main], 1);
    const report = a.report(b.nodes[main].id);
    assert.deepEqual(report.paths.map((p) => p.steps.length), [1, 3], 'shortest first');
    assert.equal(report.paths[0].steps[0].from.id, 1, 'the first path is the root link');
  });

  test('a second holder whose shortest way in runs through the object itself still gives a distinct path', () => {
    // global.w = widget; widget.onData = closure (capturing `this` = widget); global.bus._events.data = closure.
    // The closure is closer through the widget (distance 3) than through the bus (4), so the path to the widget's
    // second holder (the closure scope) must be found without going through the widget.
    const b = new SnapshotBuilder();
    const g = b.global();
    const widget = b.node('object', 'Widget', { size: 10 });
    const closure = b.node('closure', 'onData', { size: 4 });
    const scope = b.node('object', 'system / Context', { size: 2 });
    const bus = b.node('object', 'EventEmitter', { size: 3 });
    const events = b.node('object', 'Object', { size: 1 });
    b.edge(g, 'property', 'w', widget).edge(widget, 'property', 'onData', closure).edge(closure, 'internal', 'context', scope)
      .edge(scope, 'context', 'this', widget).edge(g, 'property', 'bus', bus).edge(bus, 'property', '_events', events)
      .edge(events, 'property', 'data', closure);
    const a = HeapAnalysis.fromSnapshot(parseText(b.serialize()));
    assert.deepEqual([widget, closure, scope].map((v) => a.distances[v]), [2, 3, 4]);
    const report = a.report(b.nodes[widget].id);
    assert.deepEqual(report.paths.map((p) => p.steps.map((s) => s.label)), [
      ['.w'],
      ['.bus', '._events', '.data', 'closure captures `this`'],
    ]);
    assert.equal(report.fix, null, 'two independent holders: no single reference frees it');
  });

  test('a deep chain and a long cycle (20 000 objects) do not overflow anything', () => {
    const b = new SnapshotBuilder();
    const g = b.global();
    let prev = g;
    const chain: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const v = b.node('object', 'Link', { size: 1 });
      b.edge(prev, 'property', 'next', v);
      if (i > 0) b.edge(v, 'property', 'prev', prev);
      chain.push(v);
      prev = v;
    }
    b.edge(prev, 'property', 'first', chain[0]);
    const a = HeapAnalysis.fromSnapshot(parseText(b.serialize()));
    const last = chain[chain.length - 1];
    assert.equal(a.distances[last], 20_001);
    assert.equal(a.dominator[last], chain[chain.length - 2]);
    assert.equal(a.retainedSize[chain[0]], 20_000);
    const report = a.report(b.nodes[chain[100]].id);
    assert.equal(report.componentSize, 20_000);
    // 101 references; the 100 `.next` links between Links read as one folded step.
    assert.equal(report.paths[0].steps.reduce((n, s) => n + (s.folded?.length ?? 1), 0), 101);
    assert.deepEqual(report.paths[0].steps.map((s) => s.label), ['.next', '100 x Link .next']);
  });
});

test('location rows sort by node as a comparator sort does (stable; ordinals past 2^24 take a third pass)', () => {
  for (const [seed, count, span] of [[1, 1, 10], [2, 1000, 50], [3, 5000, 2 ** 30], [4, 3000, 2 ** 20]] as const) {
    let x = seed;
    const random = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const locations = new Int32Array(count * 4);
    for (let row = 0; row < count; row++) locations[row * 4] = Math.floor(random() * span);
    const rows = Uint32Array.from({ length: count }, (_, i) => i);
    sortRowsByNode(rows, locations);
    const expected = Array.from({ length: count }, (_, i) => i).sort((a, b) => locations[a * 4] - locations[b * 4] || a - b);
    assert.deepEqual(Array.from(rows), expected, `seed ${seed}`);
  }
});
