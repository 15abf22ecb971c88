/**
 * The extension's leak hunt, through the real analysis worker (dist/worker.js) and a real `node --inspect` target:
 * baseline (after a garbage collection), the suspected action run N times for the user, target, the undo, final,
 * then the comparison. The leaking class leads the suspects and its tree names the reference to break; a clean
 * program has none; a failing or cancelled action gets a sentence and leaves the snapshots usable; nothing is left
 * in the program.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import CDP from 'chrome-remote-interface';
import { WorkerCallError, WorkerClient } from '../../src/extension/workerClient';
import { FIXTURES, ROOT, startTarget, type Target } from './targets';

const APP = join(FIXTURES, 'extension', 'documents-app.js');

async function withWorker(args: string[], body: (w: WorkerClient, t: Target) => Promise<void>): Promise<void> {
  const target = await startTarget(APP, { args });
  const worker = new WorkerClient(join(ROOT, 'dist/worker.js'));
  try {
    await worker.call('connect', { target: 't', endpoint: { kind: 'inspector', address: target.address } });
    await body(worker, target);
  } finally {
    await worker.shutdown();
    await target.kill();
  }
}

/** What a user does before the baseline: the action once or twice, so caches fill and code compiles. */
async function warmUp(w: WorkerClient): Promise<void> {
  await w.call('runAction', { target: 't', expression: 'await app.openAndClose()', times: 8 });
  await w.call('runAction', { target: 't', expression: 'app.undo()', times: 1 });
}

async function globalsOf(t: Target): Promise<string[]> {
  const [host, port] = t.address.split(':');
  const cdp = await CDP({ host, port: Number(port), local: true });
  try {
    const r = await cdp.Runtime.evaluate({ expression: 'JSON.stringify(Object.getOwnPropertyNames(globalThis).sort())', returnByValue: true });
    return JSON.parse(r.result.value as string) as string[];
  } finally {
    await cdp.close();
  }
}

test('baseline, the action run 12 times, target, undo, final: Document leads the suspects, and its tree says what to break', async () => {
  await withWorker([], async (w, t) => {
    const globalsBefore = await globalsOf(t);
    await warmUp(w);
    const baseline = await w.call('takeSnapshot', { target: 't', label: 'Baseline', forComparison: true });
    const phases: string[] = [];
    const ran = await w.call('runAction', { target: 't', expression: 'await app.openAndClose()', times: 12 }, { onProgress: (p) => phases.push(p.message) });
    assert.equal(ran.runs, 12);
    assert.ok(phases.includes('Running the action (12 of 12)'), `progress per run: ${phases.join(' | ')}`);
    const target = await w.call('takeSnapshot', { target: 't', label: 'Target', forComparison: true });
    // Statements work too (no value to await).
    await w.call('runAction', { target: 't', expression: 'app.undo(); void 0;', times: 1 });
    const final = await w.call('takeSnapshot', { target: 't', label: 'Final', forComparison: true });

    const c = (await w.call('compareSnapshots', { snapshotIds: [baseline.snapshotId, target.snapshotId, final.snapshotId] })).comparison;
    assert.equal(c.method, 'three');
    const first = c.suspects.groups[0];
    assert.ok(first, `no suspects: ${JSON.stringify(c.suspects.leftOut)}`);
    assert.equal(first.className, 'Document');
    assert.equal(first.count, 12);
    assert.ok(first.signature.some((s) => s.edge.includes('history')), `the signature runs through .history: ${JSON.stringify(first.signature)}`);
    // The views the undo closed, and the tokens each document dropped, are not suspects.
    assert.ok(!c.suspects.groups.some((g) => g.className === 'View' || g.className === 'Token'), c.suspects.groups.map((g) => g.className).join(', '));
    const doc = c.classes.find((k) => k.name === 'Document');
    assert.ok(doc && doc.newCount === 12 && doc.own, `Document: ${JSON.stringify(doc)}`);
    assert.match(doc.location?.url ?? '', /documents-app\.js$/);

    // The representative's retention tree, from the last snapshot: the reference to break is the history entry.
    const shown = await w.call('report', { snapshotId: final.snapshotId, heapId: first.representative.id });
    const path = shown.report.paths[0];
    assert.ok(path.steps.some((s) => (s.label ?? s.edge.name).includes('history')), `the path runs through history: ${path.steps.map((s) => s.label).join(' / ')}`);
    assert.ok(shown.report.fix, 'a fix is named');

    // Nothing of the tool's is left in the program.
    assert.deepEqual(await globalsOf(t), globalsBefore);
  });
});

test('the clean program has no leak suspects after the same hunt', async () => {
  await withWorker(['clean'], async (w) => {
    await warmUp(w);
    const baseline = await w.call('takeSnapshot', { target: 't', forComparison: true });
    await w.call('runAction', { target: 't', expression: 'await app.openAndClose()', times: 12 });
    const target = await w.call('takeSnapshot', { target: 't', forComparison: true });
    await w.call('runAction', { target: 't', expression: 'app.undo()', times: 1 });
    const final = await w.call('takeSnapshot', { target: 't', forComparison: true });
    const c = (await w.call('compareSnapshots', { snapshotIds: [baseline.snapshotId, target.snapshotId, final.snapshotId] })).comparison;
    assert.deepEqual(c.suspects.groups.map((g) => `${g.className} x${g.count}`), []);
  });
});

test('a failing, invalid or cancelled action gets a sentence, and the snapshots taken stay comparable', async () => {
  await withWorker([], async (w) => {
    await warmUp(w);
    const baseline = await w.call('takeSnapshot', { target: 't', forComparison: true });
    await assert.rejects(w.call('runAction', { target: 't', expression: 'app.noSuchMethod()', times: 3 }),
      (e: unknown) => e instanceof WorkerCallError && /^`app\.noSuchMethod\(\)` threw TypeError: app\.noSuchMethod is not a function on run 1 of 3; it was not run again\.$/.test(e.message));
    await assert.rejects(w.call('runAction', { target: 't', expression: 'app.openAndClose(', times: 3 }),
      (e: unknown) => e instanceof WorkerCallError && /is not valid JavaScript/.test(e.message));
    await assert.rejects(w.call('runAction', { target: 't', expression: ' ', times: 3 }),
      (e: unknown) => e instanceof WorkerCallError && /Type the action to repeat/.test(e.message));

    // Cancelled once a few runs are done (each run yields to the event loop, so Cancel is read between runs).
    const controller = new AbortController();
    const runs: number[] = [];
    await assert.rejects(w.call('runAction', { target: 't', expression: 'await app.openAndClose()', times: 10_000 }, {
      signal: controller.signal,
      onProgress: (p) => { runs.push(p.fraction ?? 0); if (runs.length === 5) controller.abort(); },
    }), (e: unknown) => e instanceof WorkerCallError && e.cancelled);
    const target = await w.call('takeSnapshot', { target: 't', forComparison: true });
    const c = (await w.call('compareSnapshots', { snapshotIds: [baseline.snapshotId, target.snapshotId] })).comparison;
    assert.equal(c.method, 'two');
    // Two snapshots also count the views the actions left open; the documents the store kept are among the suspects.
    assert.ok(c.suspects.groups.some((g) => g.className === 'Document'), c.suspects.groups.map((g) => g.className).join(', '));
    // A comparison of a snapshot with itself, or of one snapshot only, is refused with a sentence.
    await assert.rejects(w.call('compareSnapshots', { snapshotIds: [target.snapshotId, target.snapshotId] }),
      (e: unknown) => e instanceof WorkerCallError && /Pick different snapshots/.test(e.message));
    await assert.rejects(w.call('compareSnapshots', { snapshotIds: [target.snapshotId] }),
      (e: unknown) => e instanceof WorkerCallError && /Compare two snapshots/.test(e.message));
  });
});
