/**
 * The comparison core on small synthetic heaps written as real snapshot JSON (graphBuilder) and read by the real
 * parser: what counts as new, what is left out (transient, debugger-held, warm-up), how suspects group (outermost
 * objects only, repeated links folded), and the sentences for snapshots that cannot be compared. Real programs:
 * test/integration/leakHunt.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeapAnalysis } from '../../src/core/analysis';
import { compareSnapshots, ComparisonError } from '../../src/core/comparison';
import { digestSnapshot, sortPairsById } from '../../src/core/snapshotDigest';
import { signatureText } from '../../src/core/suspects';
import { parseText, SnapshotBuilder } from './graphBuilder';

/**
 * One program at three moments. `stage` 0 = baseline, 1 = target (after the action), 2 = final (after undoing it).
 * Ids are fixed per object, as V8 keeps them in one session: old objects below 1000, new ones above.
 */
function heap(stage: 0 | 1 | 2, options: { idShift?: number } = {}): HeapAnalysis {
  const shift = options.idShift ?? 0;
  const b = new SnapshotBuilder();
  const id = (n: number) => n + shift;
  const g = b.global('global', 40);
  const store = b.node('object', 'Store', { id: id(101), size: 32 });
  b.edge(g, 'property', 'store', store);
  const history = b.node('object', 'Array', { id: id(103), size: 32 });
  b.edge(store, 'property', 'history', history);
  const oldDoc = b.node('object', 'Doc', { id: id(105), size: 48 });
  b.edge(history, 'element', 0, oldDoc);
  // A linked list that grows at its tail.
  const head = b.node('object', 'Node', { id: id(107), size: 24 });
  b.edge(g, 'property', 'chain', head);
  // A function whose prototype V8 makes lazily, and a shared function info compiled lazily.
  const foo = b.node('closure', 'Foo', { id: id(109), size: 32 });
  b.edge(g, 'property', 'Foo', foo);
  const views = b.node('object', 'Array', { id: id(111), size: 32 });
  b.edge(g, 'property', 'views', views);
  if (stage >= 1) {
    // The leak: three documents, each with a body string of its own.
    for (let i = 0; i < 3; i++) {
      const doc = b.node('object', 'Doc', { id: id(1001 + 4 * i), size: 48 });
      const body = b.node('string', `body of document ${i}`, { id: id(1003 + 4 * i), size: 1000 });
      b.edge(history, 'element', i + 1, doc);
      b.edge(doc, 'property', 'body', body);
    }
    // Three new links at the chain's tail: one suspect (the first), holding the other two.
    let prev = head;
    for (let i = 0; i < 3; i++) {
      const n = b.node('object', 'Node', { id: id(1101 + 2 * i), size: 24 });
      b.edge(prev, 'property', 'next', n);
      prev = n;
    }
    // Held only by a debugger handle.
    const inspected = b.node('object', 'Inspected', { id: id(1201), size: 5000 });
    b.edge(b.subRoot('(Global handles)'), 'element', 1, inspected);
    // Warm-up: a lazily made prototype, and a string in a shared function info's constant pool.
    const proto = b.node('object', 'Foo', { id: id(1301), size: 5000 });
    b.edge(foo, 'property', 'prototype', proto);
    const sfi = b.node('code', 'system / SharedFunctionInfo', { id: id(1303), size: 40 });
    b.edge(foo, 'internal', 'shared', sfi);
    const literal = b.node('string', 'a literal', { id: id(1305), size: 5000 });
    b.edge(sfi, 'internal', 'constant_pool', literal);
    // One replaced value: a small single object.
    const status = b.node('string', 'status: ok', { id: id(1307), size: 32 });
    b.edge(g, 'property', 'status', status);
  }
  if (stage === 1) {
    // Transient: views open in the target, closed before the final snapshot.
    for (let i = 0; i < 4; i++) b.edge(views, 'element', i, b.node('object', 'View', { id: id(1401 + 2 * i), size: 400 }));
  }
  if (stage === 2) {
    // Made after the target: not what the action left behind.
    b.edge(views, 'element', 0, b.node('object', 'View', { id: id(1501), size: 400 }));
  }
  return HeapAnalysis.fromSnapshot(parseText(b.serialize()));
}

test('three snapshots: the leaked documents rank first, the chain is one suspect, transient/debugger/warm-up objects are left out', () => {
  const base = digestSnapshot(heap(0));
  const target = digestSnapshot(heap(1));
  const c = compareSnapshots([base, target], heap(2), { labels: ['base', 'target', 'final'] });
  assert.equal(c.method, 'three');
  const groups = c.suspects.groups.map((g) => `${g.count} ${signatureText(g.signature)}`);
  assert.deepEqual(groups, [
    '3 global .store -> Store .history -> Array [] -> Doc',
    '1 global .chain -> Node .next -> Node',
  ]);
  const [docs, chain] = c.suspects.groups;
  assert.equal(docs.retainedSize, 3 * (48 + 1000), 'each document retains its body');
  assert.equal(docs.representative.name, 'Doc');
  assert.ok(docs.representative.id > base.maxId);
  assert.equal(chain.retainedSize, 3 * 24, 'the first new link holds the two after it');
  assert.equal(c.suspects.leftOut.transient, 1, 'the view made after the target');
  assert.equal(c.suspects.leftOut.systemOnly, 1, 'the object only a debugger handle holds');
  assert.equal(c.suspects.leftOut.warmUp, 2, 'the lazily made prototype and the constant pool literal');
  assert.equal(c.suspects.leftOut.single, 1, 'the replaced status string');

  const doc = c.classes.find((k) => k.name === 'Doc')!;
  assert.deepEqual(doc.counts, [1, 4, 4]);
  assert.equal(doc.newCount, 3);
  assert.equal(doc.newRetainedSize, 3 * 1048);
  assert.equal(doc.freedCount, 0);
  const view = c.classes.find((k) => k.name === 'View')!;
  assert.deepEqual(view.counts, [0, 4, 1]);
  assert.equal(view.newCount, 1);
});

test('two snapshots keep what the action still holds in the target (the open views)', () => {
  const c = compareSnapshots([digestSnapshot(heap(0))], heap(1), { labels: ['base', 'target'] });
  assert.equal(c.method, 'two');
  assert.deepEqual(c.suspects.groups.map((g) => `${g.className} x${g.count}`), ['Doc x3', 'View x4', 'Node x1']);
  assert.match(c.notes.join(' '), /third snapshot/);
});

test('snapshots whose ids do not name the same objects cannot be compared, in one sentence', () => {
  // The same heap with every id moved: another process, or the profiler's ids given out again.
  assert.throws(
    () => compareSnapshots([digestSnapshot(heap(0))], heap(1, { idShift: 10_000 }), { labels: ['base.heapsnapshot', 'other.heapsnapshot'] }),
    (e: unknown) => e instanceof ComparisonError && e.code === 'different-process' &&
      /^base\.heapsnapshot and other\.heapsnapshot do not name the same objects by the same ids/.test(e.message) && /different processes/.test(e.message),
  );
  // Swapped: the "baseline" is the later snapshot.
  assert.throws(
    () => compareSnapshots([digestSnapshot(heap(1))], heap(0), { labels: ['target', 'base'] }),
    (e: unknown) => e instanceof ComparisonError && e.code === 'order' && /target was taken after base/.test(e.message),
  );
});

test('a snapshot whose objects carry no ids gets a sentence', () => {
  const b = new SnapshotBuilder();
  const g = b.global('global', 40);
  for (let i = 0; i < 10; i++) b.edge(g, 'element', i, b.node('object', 'Thing', { id: 0, size: 8 }));
  b.nodes.forEach((n) => { n.id = 0; });
  const noIds = HeapAnalysis.fromSnapshot(parseText(b.serialize()));
  assert.throws(
    () => compareSnapshots([digestSnapshot(noIds)], heap(1), { labels: ['tool-made.heapsnapshot', 'target'] }),
    (e: unknown) => e instanceof ComparisonError && e.code === 'no-ids' && /^tool-made\.heapsnapshot has no heap object ids/.test(e.message),
  );
});

test('a class\'s ids sort with their sizes (ids and sizes up to 2^32-1), and sorted ones are left as they are', () => {
  const ids = new Uint32Array([5, 1 << 23, 3, (1 << 30) + 7, 9, 4_000_000_001, 1, 77]);
  const sizes = ids.map((id) => (id * 7 + 3) >>> 0);
  const expected = [...ids].sort((a, b) => a - b);
  sortPairsById(ids, sizes);
  assert.deepEqual([...ids], expected);
  assert.deepEqual([...sizes], expected.map((id) => (id * 7 + 3) >>> 0));
  // Nearly in order, as V8 writes them: a few out of place among many, merged back.
  const near = Uint32Array.from({ length: 1000 }, (_, i) => 2 * i + 1);
  [[10, 901], [500, 3], [999, 1999], [0, 1001]].forEach(([at, id]) => { near[at] = id; });
  const nearSizes = near.map((id) => id + 1);
  const nearExpected = [...near].sort((a, b) => a - b);
  sortPairsById(near, nearSizes);
  assert.deepEqual([...near], nearExpected);
  assert.deepEqual([...nearSizes], nearExpected.map((id) => id + 1));
  // Far from in order and large (the radix sort), odd and even ids mixed.
  const random = (() => { let x = 12345; return () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0); })();
  const many = Uint32Array.from({ length: 20_000 }, () => random());
  const manySizes = many.map((id) => id ^ 0x5a5a5a5a);
  const manyExpected = [...many].sort((a, b) => a - b);
  sortPairsById(many, manySizes);
  assert.deepEqual([...many], manyExpected);
  assert.deepEqual([...manySizes], manyExpected.map((id) => (id ^ 0x5a5a5a5a) >>> 0));
  const big = new Uint32Array([0xfffffffe, 0xffffffff]);
  const bigSizes = new Uint32Array([0xffffffff, 0]);
  sortPairsById(big, bigSizes);
  assert.deepEqual([...big, ...bigSizes], [0xfffffffe, 0xffffffff, 0xffffffff, 0]);
});
