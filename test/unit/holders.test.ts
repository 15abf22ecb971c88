/**
 * The fix policy's rules that the real-world corpus (test/realworld) does not pin down alone, on a real program
 * (test/fixtures/engine/app-listeners.js): the application's own long-lived listeners are not what to remove, a
 * FinalizationRegistry's cells fold into one row and name `unregister`, and the holders table's entries are
 * documented. Plus the folding of repeated links on plain steps.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { HeapAnalysis } from '../../src/core/analysis';
import { formatReport } from '../../src/core/format';
import { HOLDERS } from '../../src/core/holders';
import { foldRepeats } from '../../src/core/readableSteps';
import type { Step } from '../../src/core/report';
import { parseSnapshotFile } from '../../src/node/snapshotFile';
import { snapshotDir, type SnapshotDir } from './snapshotPrograms';

function firstInstance(a: HeapAnalysis, name: string): number {
  const found = a.findByClass(name).filter((n) => n.type === 'object').sort((x, y) => x.id - y.id);
  assert.ok(found.length > 0, `an instance of ${name}`);
  return found[0].id;
}

describe('the application\'s own listeners (app-listeners.js)', () => {
  let dir: SnapshotDir;
  let a: HeapAnalysis;
  before(async () => {
    dir = snapshotDir();
    a = HeapAnalysis.fromSnapshot(await parseSnapshotFile(await dir.snapshot('app-listeners.js')));
  });
  after(() => dir.cleanup());

  for (const [cls, property] of [['RequestRecord', 'lastRequest'], ['ShutdownPlan', 'plan']] as const) {
    test(`${cls}: the path starts at the app's listener, and the fix is the state's \`${property}\`, not the listener`, () => {
      const r = a.report(firstInstance(a, cls));
      const text = formatReport(r);
      const labels = r.paths[0].steps.map((s) => s.label);
      assert.ok(r.paths[0].steps.some((s) => s.to.name === 'onRequest' || s.to.name === 'onShutdown'), `through the app's listener:\n${text}`);
      assert.ok(labels.includes(`.${property}`), text);
      for (const s of [r.fix, ...r.paths.map((p) => p.suggestion)]) {
        if (!s) continue;
        assert.notEqual(s.kind, 'remove-listener', `not the app's own listener:\n${text}`);
      }
      assert.ok(r.fix, text);
      assert.equal(r.fix.kind, 'dispose');
      assert.match(r.fix.target?.code ?? '', new RegExp(`^state\\.${property} = null$`), text);
    });
  }

});

describe('a FinalizationRegistry with 300 cells (finalization-registry.js)', () => {
  let dir: SnapshotDir;
  let a: HeapAnalysis;
  before(async () => {
    dir = snapshotDir();
    a = HeapAnalysis.fromSnapshot(await parseSnapshotFile(await dir.snapshot('finalization-registry.js')));
  });
  after(() => dir.cleanup());

  test('a held value of a FinalizationRegistry: the cells fold into one row, and the fix is unregister()', () => {
    const holdings = a.findByClass('Holding', 300).filter((n) => n.type === 'object');
    assert.equal(holdings.length, 300);
    // The one deepest in the registry's list of cells.
    const reports = holdings.map((h) => a.report(h.id, { maxPaths: 1, maxCycles: 0 }));
    const references = (r: (typeof reports)[number]) => r.paths[0]?.steps.reduce((n, s) => n + (s.folded?.length ?? 1), 0) ?? 0;
    const deepest = reports.reduce((x, y) => (references(x) >= references(y) ? x : y));
    const text = formatReport(deepest);
    const folded = deepest.paths[0].steps.find((s) => s.folded);
    assert.ok(folded && folded.folded!.length >= 100, `a long run of cells folded into one row:\n${text}`);
    assert.match(folded.label!, /^\d+ x system \/ WeakCell /);
    assert.ok(deepest.paths[0].steps.length < 10, 'the path reads in a few rows');
    assert.ok(deepest.fix, text);
    assert.equal(deepest.fix.kind, 'delete-entry');
    assert.equal(deepest.fix.target?.holder, 'finalization-registry');
    assert.equal(deepest.fix.target?.code, 'app.registry.unregister(token)');
  });
});

describe('folding repeated links', () => {
  const node = (id: number, name: string) => ({ id, type: 'object', name, location: null });
  const step = (from: number, to: number, name: string, label: string, fromName = 'Cell', toName = 'Cell'): Step =>
    ({ from: node(from, fromName), edge: { type: 'property', name }, to: node(to, toName), label });

  test('three or more of the same link fold into "N x Class .link"; the index maps every step to its row', () => {
    const steps = [step(1, 2, 'head', '.head', 'List'), ...[2, 3, 4, 5].map((i) => step(i, i + 1, 'next', '.next')), step(6, 7, 'value', '.value', 'Cell', 'Value')];
    const { steps: out, index } = foldRepeats(steps);
    assert.deepEqual(out.map((s) => s.label), ['.head', '4 x Cell .next', '.value']);
    assert.deepEqual(index, [0, 1, 1, 1, 1, 2]);
    assert.equal(out[1].from.id, 2);
    assert.equal(out[1].to.id, 6);
    assert.equal(out[1].folded!.length, 4);
  });

  test('two of a link stay two rows; a two-step pattern repeated folds as one', () => {
    assert.equal(foldRepeats([step(1, 2, 'next', '.next'), step(2, 3, 'next', '.next')]).steps.length, 2);
    const pair = (i: number) => [step(i, i + 1, 'r', '.reactions', 'Promise', 'Reaction'), step(i + 1, i + 2, 'p', '.promise', 'Reaction', 'Promise')];
    const { steps: out } = foldRepeats([...pair(1), ...pair(3), ...pair(5)]);
    assert.deepEqual(out.map((s) => s.label), ['3 x Promise .reactions / Reaction .promise']);
  });
});

describe('the holders table', () => {
  test('every entry has an id and says what it recognises; ids are unique', () => {
    const ids = HOLDERS.map((h) => h.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const h of HOLDERS) assert.ok(h.describes.length > 20, h.id);
    for (const id of ['event-target', 'event-emitter', 'timer', 'map-entry', 'array-registry', 'object-registry', 'finalization-registry', 'promise-reaction', 'weak-map']) {
      assert.ok(ids.includes(id), id);
    }
  });
});
