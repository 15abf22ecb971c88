/**
 * The leak hunt through the extension's analysis worker (dist/worker.js, a real worker thread) against a real
 * `node --inspect` target: snapshots kept for comparison (garbage collected first), the action run N times in the
 * debuggee with progress, a cancelled snapshot that leaves the earlier ones usable, the 3-snapshot comparison by id,
 * and the sentences for a reconnected session and a failing action.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ComparisonDto, SnapshotInfo, WorkerCalls, WorkerMethod, WorkerProgress, WorkerToHost } from '../../src/shared/workerProtocol';
import { signatureText } from '../../src/core/suspects';
import { FIXTURES, ROOT, startTarget } from './targets';

const APP = join(FIXTURES, 'leak-hunt.js');

/** A minimal host: typed calls with ids, progress collected per call, cancel by id. */
function host(worker: Worker) {
  let nextId = 1;
  const pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error & { code?: string }) => void; progress: WorkerProgress[] }>();
  worker.on('message', (m: WorkerToHost) => {
    if (m.type === 'progress') pending.get(m.id)?.progress.push(m);
    if (m.type !== 'reply') return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) p?.resolve(m.result);
    else p?.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
  });
  return {
    call<M extends WorkerMethod>(type: M, params: WorkerCalls[M]['params'], onSent?: (id: number, progress: WorkerProgress[]) => void): Promise<WorkerCalls[M]['result']> & { progress: WorkerProgress[] } {
      const id = nextId++;
      const progress: WorkerProgress[] = [];
      const promise = new Promise<WorkerCalls[M]["result"]>((resolve, reject) => pending.set(id, { resolve: resolve as (r: unknown) => void, reject, progress }));
        worker.postMessage({ type, id, ...params });
      onSent?.(id, progress);
      return Object.assign(promise, { progress });
    },
    cancel(id: number) { worker.postMessage({ type: 'cancel', id }); },
  };
}

test('worker: baseline, the action run 12 times, target, a cancelled snapshot, final, and the comparison by ids', async (t) => {
  const target = await startTarget(APP);
  const worker = new Worker(join(ROOT, 'dist/worker.js'), { stdout: true, stderr: true });
  const w = host(worker);
  t.after(async () => {
    await w.call('shutdown', {});
    await worker.terminate();
    await target.kill();
  });
  const key = `inspector:${target.address}`;
  await w.call('connect', { target: key, endpoint: { kind: 'inspector', address: target.address } });

  const warmUp = w.call('runAction', { target: key, expression: 'leakHunt.openAndClose()', times: 16 });
  assert.deepEqual(await warmUp, { runs: 16 });
  const base = await w.call('takeSnapshot', { target: key, label: 'baseline', forComparison: true });
  assert.equal(base.comparable, true);

  const action = w.call('runAction', { target: key, expression: 'await Promise.resolve(leakHunt.openAndClose())', times: 12 });
  assert.deepEqual(await action, { runs: 12 });
  const running = action.progress.filter((p) => p.phase === 'running');
  assert.equal(running.length, 13, 'a progress event per run and one at the end');
  assert.match(running[11].message, /\(12 of 12\)/);
  assert.equal(running[12].fraction, 1);

  const targetSnapshot = await w.call('takeSnapshot', { target: key, label: 'target', forComparison: true });

  // A snapshot cancelled while V8 builds it: nothing is kept, and the earlier ones stay usable.
  let cancelledId = 0;
  const cancelled = w.call('takeSnapshot', { target: key, label: 'cancelled', forComparison: true }, (id) => { cancelledId = id; setImmediate(() => w.cancel(id)); });
  await assert.rejects(cancelled, (e: Error & { code?: string }) => e.code === 'cancelled');
  assert.ok(cancelledId > 0);

  await target.command('undo');
  const final = await w.call('takeSnapshot', { target: key, label: 'final', forComparison: true });
  const ids = [base, targetSnapshot, final].map((s: SnapshotInfo) => s.snapshotId);
  const result: ComparisonDto = await w.call('compareSnapshots', { snapshotIds: ids });
  assert.deepEqual(result.snapshotIds, ids);
  const { comparison } = result;
  assert.equal(comparison.method, 'three');
  assert.deepEqual(comparison.snapshots.map((s) => s.label), ids.map((id, i) => `#${id} ${['baseline', 'target', 'final'][i]}`));
  assert.equal(comparison.suspects.groups[0]?.className, 'Document', comparison.suspects.groups.map((g) => signatureText(g.signature)).join('; '));
  assert.equal(comparison.suspects.groups[0].count, 12);
  assert.equal(comparison.suspects.groups[1]?.className, 'AuditRecord');
  // The representative opens the usual report in the final snapshot.
  const report = await w.call('report', { snapshotId: final.snapshotId, heapId: comparison.suspects.groups[0].representative.id });
  assert.equal(report.report.object.name, 'Document');
  assert.ok(report.report.fix);

  // The baseline's analysis was released (two are kept whole), its digest was not: it still compares.
  const two = await w.call('compareSnapshots', { snapshotIds: [base.snapshotId, final.snapshotId] });
  assert.equal(two.comparison.method, 'two');
  await assert.rejects(w.call('compareSnapshots', { snapshotIds: [final.snapshotId, base.snapshotId] }),
    (e: Error & { code?: string }) => e.code === 'released' && /compare with the newest snapshot as the last one/.test(e.message));

  // A failing action stops with a sentence; nothing more runs.
  await assert.rejects(w.call('runAction', { target: key, expression: 'leakHunt.noSuchAction()', times: 3 }),
    (e: Error & { code?: string }) => /^`leakHunt\.noSuchAction\(\)` threw TypeError: leakHunt\.noSuchAction is not a function on run 1 of 3; it was not run again\.$/.test(e.message));
  // Nothing of ours is left in the program's globals.
  assert.equal(await target.command('count'), '28 7');

  // Reconnecting gives new ids: the worker says so instead of comparing.
  await w.call('disconnect', { target: key });
  await w.call('connect', { target: key, endpoint: { kind: 'inspector', address: target.address } });
  const after = await w.call('takeSnapshot', { target: key, label: 'after reconnect', forComparison: true });
  await assert.rejects(w.call('compareSnapshots', { snapshotIds: [base.snapshotId, after.snapshotId] }),
    (e: Error & { code?: string }) => e.code === 'ids-reset' && /was closed between #\d+ baseline and #\d+ after reconnect/.test(e.message));
});
