/**
 * One label for one thing (src/shared/labels.ts), and results that say what they mean: a node's distance is counted
 * from whoever holds it and `heldBy` says who, so no reader sees the analysis' internal offset.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HeapAnalysis } from '../../src/core/analysis';
import { formatReport } from '../../src/core/format';
import {
  distanceLabel, distanceShort, fullLocationLabel, isRuntimeInternal, locationLabel, nodeLabel,
} from '../../src/shared/labels';
import { SnapshotBuilder, parseText } from './graphBuilder';

describe('labels', () => {
  test('a node is named as DevTools names it, the same everywhere', () => {
    assert.equal(nodeLabel({ type: 'closure', name: 'onData' }), 'onData()');
    assert.equal(nodeLabel({ type: 'closure', name: '' }), '(anonymous function)');
    assert.equal(nodeLabel({ type: 'string', name: 'x'.repeat(70) }), JSON.stringify(`${'x'.repeat(60)}…`));
    assert.equal(nodeLabel({ type: 'object', name: 'system / Context' }), '(closure scope)');
    assert.equal(nodeLabel({ type: 'array', name: '' }), '(internal array)');
    assert.equal(nodeLabel({ type: 'hidden', name: '' }), '(hidden)');
    assert.equal(nodeLabel({ type: 'object', name: 'Widget' }), 'Widget');
  });

  test('a location has a short and a full form', () => {
    const loc = { url: 'file:///home/me/app/server.js', line: 12, column: 5 };
    assert.equal(locationLabel(loc), 'server.js:12');
    assert.equal(fullLocationLabel(loc), '/home/me/app/server.js:12:5');
    assert.equal(locationLabel({ url: '', line: 3, column: 1, scriptId: 42 }), 'script 42:3');
    assert.equal(fullLocationLabel({ url: '', line: 3, column: 1, scriptId: 42 }), '(script 42):3:1');
    assert.equal(locationLabel(null), '');
  });

  test('inside Node itself: node: and internal/ scripts, not the program\'s', () => {
    for (const url of ['node:events', 'node:internal/timers', 'internal/bootstrap/node', 'internal:foo']) assert.equal(isRuntimeInternal(url), true, url);
    for (const url of ['file:///app/node_modules/x/index.js', '/app/internal/x.js', 'app.js', '']) assert.equal(isRuntimeInternal(url), false, url);
  });

  test('distances say who holds the object', () => {
    assert.equal(distanceLabel({ distance: 4, heldBy: 'program' }), '4');
    assert.equal(distanceLabel({ distance: 3, heldBy: 'system' }), '3 from engine handles');
    assert.equal(distanceLabel({ distance: 2, heldBy: 'debugger' }), '2 from the debugger');
    assert.equal(distanceLabel({ distance: null, heldBy: null }), 'unreachable');
    assert.deepEqual([distanceShort({ distance: 4, heldBy: 'program' }), distanceShort({ distance: 3, heldBy: 'system' }), distanceShort({ distance: null })], ['4', 'sys', '–']);
  });
});

describe('ReportNode distance and heldBy', () => {
  function heldOnlyBy(rootName: string) {
    const b = new SnapshotBuilder();
    b.global();
    const handles = b.subRoot(rootName);
    const scratch = b.node('object', 'Scratch', { size: 32 });
    b.edge(handles, 'element', 0, scratch);
    const a = HeapAnalysis.fromSnapshot(parseText(b.serialize()));
    return a.report(a.findByClass('Scratch')[0].id);
  }

  test('held only by an engine handle: heldBy system, counted from the synthetic root, and the text says so', () => {
    const r = heldOnlyBy('(Handle scope)');
    assert.deepEqual([r.object.heldBy, r.object.distance, r.heldOnlyBySystem], ['system', 3, true]);
    assert.match(formatReport(r), /distance 3 from engine handles/);
    assert.doesNotMatch(formatReport(r), /1000000/);
  });

  test('held only by the debugger\'s root: heldBy debugger', () => {
    const r = heldOnlyBy('(Debugger)');
    assert.deepEqual([r.object.heldBy, r.object.distance], ['debugger', 3]);
  });

  test('held by the program: heldBy program, DevTools\' distance', () => {
    const b = new SnapshotBuilder();
    const g = b.global();
    const kept = b.node('object', 'Kept', { size: 8 });
    b.edge(g, 'property', 'kept', kept);
    const a = HeapAnalysis.fromSnapshot(parseText(b.serialize()));
    const r = a.report(a.findByClass('Kept')[0].id);
    assert.deepEqual([r.object.heldBy, r.object.distance], ['program', 2]);
  });
});
