/**
 * Cancel really cancels: a call whose signal aborts rejects at once, even while the worker is busy in a synchronous
 * analysis that reads no message until it ends; and the worker, told to cancel, keeps nothing of what it made.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeHeapSnapshot } from 'node:v8';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { WorkerCallError, WorkerClient } from '../../src/extension/workerClient';
import type { WorkerToHost } from '../../src/shared/workerProtocol';
import { ROOT } from './snapshotPrograms';

test('worker client: an aborted call rejects at once while the worker is still busy', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'retention-cancel-'));
  // A worker that spends 3 s in synchronous work on every request, then answers success.
  const script = join(dir, 'busy-worker.js');
  writeFileSync(script, `
    const { parentPort } = require('node:worker_threads');
    parentPort.on('message', (m) => {
      if (m.type === 'cancel') return;
      const end = Date.now() + 3000;
      while (Date.now() < end) { /* synchronous analysis */ }
      parentPort.postMessage({ type: 'reply', id: m.id, ok: true, result: { snapshotId: 1 } });
    });
  `);
  const client = new WorkerClient(script);
  try {
    const controller = new AbortController();
    const started = Date.now();
    const call = client.call('openFile', { path: '/nonexistent.heapsnapshot' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(call, (e: unknown) => e instanceof WorkerCallError && e.cancelled);
    assert.ok(Date.now() - started < 1500, `cancel took ${Date.now() - started} ms`);
  } finally {
    client.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('analysis worker: a cancel sent during the analysis drops the snapshot instead of answering with it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'retention-cancel-'));
  const file = writeHeapSnapshot(join(dir, 'self.heapsnapshot'));
  const worker = new Worker(join(ROOT, 'dist/worker.js'), { stdout: true, stderr: true });
  try {
    const replies = new Map<number, WorkerToHost>();
    const waiters = new Map<number, () => void>();
    worker.on('message', (m: WorkerToHost) => {
      if (m.type === 'progress' && m.id === 1 && m.phase === 'analysing') worker.postMessage({ type: 'cancel', id: 1 });
      if (m.type === 'reply') {
        replies.set(m.id, m);
        waiters.get(m.id)?.();
      }
    });
    const reply = (id: number) => new Promise<WorkerToHost>((resolve) => {
      if (replies.has(id)) resolve(replies.get(id)!);
      else waiters.set(id, () => resolve(replies.get(id)!));
    });
    worker.postMessage({ type: 'openFile', id: 1, path: file });
    const opened = await reply(1);
    assert.equal(opened.type === 'reply' && !opened.ok ? opened.error.code : 'answered', 'cancelled');
    // Nothing was kept: the snapshot that would have been #1 is not open.
    worker.postMessage({ type: 'summary', id: 2, snapshotId: 1 });
    const summary = await reply(2);
    assert.equal(summary.type === 'reply' && !summary.ok ? summary.error.code : 'answered', 'unknown-snapshot');
  } finally {
    await worker.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
});
