/**
 * Who holds an object, on a real `node --inspect` target over real CDP: an evaluation result kept in an object group
 * and a logged object are held only by the debugger's handles (V8 annotates them "DevTools console"). The report
 * says "not a leak in your code" only then, shows those paths apart ("held by the debugger while paused"), and for
 * an object the program itself keeps, lists the program's path and the debugger's apart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import CDP from 'chrome-remote-interface';
import { HeapAnalysis } from '../../src/core/analysis';
import { formatReport } from '../../src/core/format';
import { parseSnapshotFile } from '../../src/node/snapshotFile';
import { FIXTURES, startTarget } from './targets';

test('objects held only by the debugger, and one the program keeps that the debugger also holds', async (t) => {
  const target = await startTarget(join(FIXTURES, 'debugger-held.js'));
  const dir = mkdtempSync(join(tmpdir(), 'retention-debugger-'));
  t.after(async () => { await target.kill(); rmSync(dir, { recursive: true, force: true }); });
  const [host, port] = target.address.split(':');
  const client = await CDP({ host, port: Number(port) });
  t.after(() => client.close());
  await client.Runtime.enable();
  await client.Runtime.evaluate({ expression: 'new (class Inspected { constructor() { this.x = 1; } })()', objectGroup: 'probe' });
  await client.Runtime.evaluate({ expression: 'console.log(new (class Logged { constructor() { this.y = 2; } })())' });
  await client.Runtime.evaluate({ expression: 'globalThis.kept', objectGroup: 'probe' });
  const chunks: string[] = [];
  client.on('HeapProfiler.addHeapSnapshotChunk', (p: { chunk: string }) => { chunks.push(p.chunk); });
  await client.HeapProfiler.takeHeapSnapshot({ reportProgress: false });
  const file = join(dir, 'debugger.heapsnapshot');
  writeFileSync(file, chunks.join(''));
  await client.Runtime.releaseObjectGroup({ objectGroup: 'probe' });
  const a = HeapAnalysis.fromSnapshot(await parseSnapshotFile(file));
  const one = (cls: string) => {
    const found = a.findByClass(cls).filter((n) => n.type === 'object');
    assert.equal(found.length, 1, cls);
    return a.report(found[0].id);
  };

  for (const cls of ['Inspected', 'Logged']) {
    const r = one(cls);
    const text = formatReport(r);
    assert.equal(r.heldOnlyByDebugger, true, text);
    assert.equal(r.paths.length, 0, 'the debugger is no reason it is alive');
    assert.ok(r.debuggerPaths && r.debuggerPaths.length > 0, text);
    assert.equal(r.debuggerPaths[0].heldBy, 'debugger');
    assert.equal(r.object.heldBy, 'debugger', 'the object says who holds it in the same words as its paths');
    assert.equal(r.fix, null);
    assert.ok(r.notes.some((n) => /not a leak in your code/.test(n)), text);
    assert.match(text, /Held by the debugger while paused \(released when you resume\):/);
  }

  const kept = one('Kept');
  const text = formatReport(kept);
  assert.equal(kept.heldOnlyByDebugger, false);
  assert.equal(kept.heldOnlyBySystem, false);
  assert.equal(kept.object.heldBy, 'program');
  assert.ok(kept.paths.length > 0 && kept.paths.every((p) => p.heldBy === 'program'), text);
  assert.ok(kept.debuggerPaths && kept.debuggerPaths.length > 0, `the evaluation handle, apart:\n${text}`);
  assert.ok(!kept.notes.some((n) => /not a leak in your code/.test(n)), text);
  assert.ok(kept.notes.some((n) => /The debugger also holds it/.test(n)), text);
});
