/**
 * retention-explorer/testing in this very process (node:test runs each file in its own): the tool's bookkeeping is
 * never a retainer, the async-frame gotcha is named, heap strings stay inert in the message, and the pure parts
 * (runtime check, growth, path signatures) behave. The runners' own tests are in test/integration/testingRunners.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeapAnalysis } from '../../src/core/analysis';
import { countClassInstances, groupBySignature, growingClasses, pathSignature, type ClassCounts } from '../../src/core/growth';
import type { RetainingPath } from '../../src/core/report';
import { findMarkedTargets } from '../../src/core/trackedObjects';
import { HeapSession } from '../../src/testing/heapSession';
import { assertCollected, expectCollected, pendingCount, track, unsupportedRuntime } from '../../src/testing/index';
import { safe } from '../../src/testing/messages';
import { newMarker, TrackedRef } from '../../src/testing/tracker';

class Payload {
  readonly data = new Array(16).fill(0);
}

/** What the program keeps: the one strong holder in these tests. */
const kept: { payload?: Payload } = {};

test('the bookkeeping is never a retainer: the WeakRef\'s edge to the object is weak, and no path runs through it', async () => {
  kept.payload = new Payload();
  const marker = newMarker();
  const ref = new TrackedRef(kept.payload, marker, 'kept payload', null, 'Payload');
  const session = HeapSession.open();
  try {
    await session.collectGarbage();
    const { snapshot } = await session.takeSnapshot();
    const analysis = HeapAnalysis.fromSnapshot(snapshot);
    const g = analysis.graph;
    const found = findMarkedTargets(g, [marker]).get(marker);
    assert.ok(found && found.target >= 0, 'the marker leads to the object');
    assert.equal(g.name(found.target), 'Payload');
    const retainers = g.retainersOf([found.target]).get(found.target)!;
    const fromRef = retainers.filter((r) => r.from === found.weakRef);
    assert.equal(fromRef.length, 1);
    assert.equal(g.edgeTypeName(fromRef[0].edge), 'weak');
    const report = analysis.report(g.nodeId[found.target]);
    assert.ok(report.paths.length > 0);
    for (const p of report.paths) for (const s of p.steps) assert.notEqual(s.from.id, g.nodeId[found.weakRef], 'no path runs through the tool\'s WeakRef');
    assert.match(report.paths[0].steps.at(-1)!.label ?? '', /payload/);
  } finally {
    await session.close();
    kept.payload = undefined;
  }
  assert.ok(ref);
});

test('an object only the tool tracks is collected: track() and expectCollected() keep no strong reference', async () => {
  track(new Payload(), 'tracked only');
  assert.equal(pendingCount(), 1);
  await assertCollected();
  assert.equal(pendingCount(), 0);
  await expectCollected(() => [new Payload(), new Payload()], { label: 'pair' });
  // eslint-disable-next-line @typescript-eslint/require-await -- an async function is the case under test
  await expectCollected(async () => new Payload());
});

test('a leak is reported with the path and the reference to break; the tool\'s own objects are not in it', async () => {
  const globalsBefore = Reflect.ownKeys(globalThis).map(String).sort();
  const exitListeners = process.listenerCount('exit');
  kept.payload = new Payload();
  await assert.rejects(expectCollected(() => kept.payload!, { label: 'kept payload' }), (e: Error) => {
    assert.equal(e.name, 'AssertionError');
    assert.match(e.message, /expectCollected: 1 of 1 tracked object is still alive after garbage collection: Payload "kept payload" \(tracked at \S*testingApi\.test\.js:\d+:\d+\)/);
    assert.match(e.message, /closure captures `kept` -> Object @\d+\n\s+\.payload -> Payload @\d+/);
    assert.doesNotMatch(e.message, /TrackedRef|retention-explorer\/testing#/);
    return true;
  });
  kept.payload = undefined;
  // Nothing left behind by a failing check: no global, no listener.
  assert.deepEqual(Reflect.ownKeys(globalThis).map(String).sort(), globalsBefore);
  assert.equal(process.listenerCount('exit'), exitListeners);
});

test('an object held only by the awaiting test\'s own local variable: the message says so', async () => {
  const local = new Payload();
  track(local, 'held by this test');
  await assert.rejects(assertCollected(), (e: Error) => {
    assert.match(e.message, /It is held by a suspended async function \(\S*testingApi\.test\.js:\d+:\d+\): one of its local variables/);
    assert.match(e.message, /Set that variable to null before awaiting the check/);
    return true;
  });
  assert.ok(local);
});

test('heap strings are inert in a failure message: escape sequences and bidi overrides are shown escaped', async () => {
  const hostile = { ['Evil\u001b[2J\u202eKlass']: class { x = 1; } }['Evil\u001b[2J\u202eKlass'];
  const instance = new hostile();
  (kept as Record<string, unknown>)['\u001b]8;;https://x\u0007link'] = instance;
  await assert.rejects(expectCollected(() => instance), (e: Error) => {
    assert.doesNotMatch(e.message, /[\u001b\u0007\u202e]/);
    assert.match(e.message, /Evil\\u001b\[2J\\u202eKlass/);
    return true;
  });
  delete (kept as Record<string, unknown>)['\u001b]8;;https://x\u0007link'];
  assert.equal(safe('a\u001b[31mb\nc'), 'a\\u001b[31mb\nc');
});

test('a Node too old for the API gets a sentence', () => {
  // Only Node 20+ is on this machine; the check itself is a pure function of the version and the globals.
  assert.match(unsupportedRuntime('v12.22.12', false)!, /needs Node 16 or newer .*this is Node v12\.22\.12\. Run the tests on a current Node/);
  assert.match(unsupportedRuntime('v14.5.0', false)!, /needs Node 16 or newer/);
  assert.equal(unsupportedRuntime(process.version, true), null);
});

test('growth: a class counts as growing only when every window adds at least `repeat`', () => {
  const counts = (n: number, m = 0): ClassCounts => ({ maxId: 0, classes: new Map([['Leak', { name: 'Leak', count: n, location: null, own: true }], ['Cache', { name: 'Cache', count: m, location: null, own: true }]]) });
  // Cache grows once (a lazily filled cache), Leak by one per run in both windows.
  const growth = growingClasses([counts(3, 0), counts(13, 40), counts(23, 40)], 10);
  assert.deepEqual(growth.map((g) => [g.name, g.counts]), [['Leak', [3, 13, 23]]]);
  assert.deepEqual(growingClasses([counts(3), counts(12), counts(30)], 10), []);
});

test('path signatures leave out indices and ids, so the same shape groups together', () => {
  const node = (name: string, id: number) => ({ id, type: 'object', name, location: null });
  const path = (i: number): RetainingPath => ({
    root: 'global',
    steps: [
      { from: node('global', 1), edge: { type: 'property', name: 'bus' }, to: node('EventEmitter', 2), label: '.bus' },
      { from: node('Array', 3), edge: { type: 'element', name: String(i) }, to: node('Listener', 10 + i), label: `[${i}]` },
    ],
  });
  assert.equal(pathSignature(path(3)), 'global / .bus -> EventEmitter / [n] -> Listener');
  const groups = groupBySignature([path(1), path(2), path(3)], pathSignature);
  assert.equal(groups.length, 1);
  assert.equal(groups[0].members.length, 3);
  assert.equal(typeof countClassInstances, 'function');
});
