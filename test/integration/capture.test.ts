/**
 * Live capture against real Node processes started with --inspect=127.0.0.1:0, over real CDP: the report for a
 * known object, a paused target with an expression in a non-global frame, the tool's own handles never retaining
 * the object, cancel then capture again, serialised concurrent captures, allocation recording, and the debuggee
 * left as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import CDP from 'chrome-remote-interface';
import type Protocol from 'devtools-protocol';
import { connect } from '../../src/cdp/connect';
import { CaptureService, type CaptureProgress } from '../../src/cdp/capture';
import { CaptureError } from '../../src/cdp/errors';
import { captureReport } from '../../src/cdp/liveReport';
import { HeapAnalysis } from '../../src/core/analysis';
import type { RetentionReport } from '../../src/core/report';
import { FIXTURES, lineOf, runCli, startTarget } from './targets';

const APP = join(FIXTURES, 'live-app.js');
const APP_SOURCE = readFileSync(APP, 'utf8');

function edgeNames(report: RetentionReport, path = 0): string[] {
  return report.paths[path].steps.map((s) => s.edge.name);
}

test('capture CLI prints why a known object is alive, as analyze does, with file:line', async (t) => {
  const target = await startTarget(APP);
  t.after(() => target.kill());

  const json = await runCli(['capture', '--inspect', target.address, '--expression', 'app.root.children[1].children[0]', '--json']);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as RetentionReport;
  assert.equal(report.object.name, 'TreeNode');
  assert.equal(report.object.type, 'object');
  // The program holds it through the global `app` and the tree's children arrays.
  const names = edgeNames(report);
  assert.ok(names.includes('app'), `path edges: ${names.join(' ')}`);
  assert.ok(names.includes('root') && names.includes('children'), `path edges: ${names.join(' ')}`);
  assert.equal(report.paths[0].steps.at(-1)!.to.id, report.object.id);
  // The object's location is its class's constructor in the fixture.
  assert.ok(report.object.location, 'the object has a location');
  assert.match(report.object.location.url, /live-app\.js$/);
  assert.equal(report.object.location.line, lineOf(APP_SOURCE, 'class TreeNode'));
  // It is part of the parent/children cycle, and the fix names the back-reference.
  const parentCycle = report.cycles.find((c) => c.steps.some((s) => s.edge.name === 'parent'));
  assert.ok(parentCycle, 'a cycle through .parent is reported');
  assert.equal(parentCycle.suggestion?.kind, 'weak-ref');

  const text = await runCli(['capture', '--inspect', target.webSocketUrl, '--expression', 'app.root.children[1].children[0]']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^TreeNode @\d+ \(object\)\s+\S*live-app\.js:\d+:\d+/);
  assert.match(text.stdout, /Why it is alive/);
  assert.match(text.stdout, /\.parent/);

  // The target is still running and answering afterwards.
  assert.match(await target.command('gc'), /gc/);
});

test('a paused target: the expression names a local of a non-global frame, and the target stays paused', async (t) => {
  const target = await startTarget(APP);
  t.after(() => target.kill());
  // The user's debugger: a second CDP session that stops at the fixture's `debugger;` statement.
  const debuggerClient = await CDP({ target: target.webSocketUrl, local: true });
  t.after(() => debuggerClient.close());
  await debuggerClient.send('Debugger.enable');
  const events = debuggerClient as unknown as NodeJS.EventEmitter;
  const paused = new Promise<Protocol.Debugger.PausedEvent>((r) => events.once('Debugger.paused', r));
  target.post('request 7');
  const stop = await paused;
  assert.equal(stop.callFrames[0].functionName, 'handleRequest');
  let resumed = false;
  events.on('Debugger.resumed', () => { resumed = true; });

  // `session` exists only in handleRequest's frame.
  const r = await runCli(['capture', '--inspect', target.address, '--expression', 'session', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as RetentionReport;
  assert.equal(report.object.name, 'Session');
  assert.equal(report.object.location?.line, lineOf(APP_SOURCE, 'class Session'));
  // Held by the program's sessions Map (and, while paused, by the stack): some path goes through the Map.
  assert.ok(report.paths.some((p) => p.steps.some((s) => s.from.name === 'Map' || s.to.name === 'Map')),
    `paths: ${report.paths.map((p) => p.steps.map((s) => `${s.from.name}-${s.edge.name}->${s.to.name}`).join(' ')).join(' | ')}`);

  // Frame 1 is the stdin handler that called handleRequest: `session` is not in scope there.
  const wrongFrame = await runCli(['capture', '--inspect', target.address, '--expression', 'session', '--frame', '1']);
  assert.equal(wrongFrame.code, 1);
  assert.match(wrongFrame.stderr, /`session` threw ReferenceError: session is not defined \(in frame 1/);
  const noFrame = await runCli(['capture', '--inspect', target.address, '--expression', 'session', '--frame', '99']);
  assert.equal(noFrame.code, 1);
  assert.match(noFrame.stderr, /paused with \d+ call frames; there is no frame 99/);

  // Our tool came and went; the user's debugger still holds the program paused, then resumes it.
  assert.equal(resumed, false, 'the capture must not resume a program the user paused');
  await debuggerClient.send('Debugger.resume');
  assert.match(await target.command('gc'), /gc/);
});

test("the tool's own evaluation handle is never a retainer of the selected object, whichever way it got its id", async (t) => {
  const target = await startTarget(APP);
  t.after(() => target.kill());

  const assertNotHeldByUs = (live: Awaited<ReturnType<typeof captureReport>>) => {
    const retainers = live.analysis.retainers(live.object.heapId, 0, 100);
    assert.ok(retainers.total > 0);
    for (const entry of retainers.entries) {
      assert.doesNotMatch(entry.node.name, /Global handles|Handle scope|inspector/i,
        `${live.object.expression} (${live.object.via}): a retainer is ${entry.node.name} via ${entry.edge.name}`);
    }
    assert.equal(live.report.heldOnlyBySystem, false);
    for (const p of live.report.paths) assert.ok(!p.system, `path from ${p.root} is a system root`);
  };

  // A fresh session has no heap ids yet: a side-effect-free expression is evaluated again after the snapshot.
  const conn = await connect({ kind: 'inspector', address: target.address });
  t.after(() => conn.close());
  const service = new CaptureService(conn);
  const first = await captureReport(service, { expression: 'app.sessions' });
  assert.equal(first.object.via, 'after-snapshot');
  assert.equal(first.object.className, 'Map');
  assertNotHeldByUs(first);
  // Now the session has ids: evaluate, read the id, release, snapshot.
  const second = await captureReport(service, { expression: 'app.root.children[2]' });
  assert.equal(second.object.via, 'known-id');
  assert.equal(second.report.object.name, 'TreeNode');
  assertNotHeldByUs(second);
  // An object only the evaluation made is not in the snapshot.
  await assert.rejects(captureReport(service, { expression: '({ onlyTheToolHoldsThis: [1, 2, 3] })' }), (e: unknown) => {
    assert.ok(e instanceof CaptureError);
    assert.equal(e.code, 'selection');
    assert.match(e.message, /gives an object that was not in the heap when the snapshot was taken: it makes a new object each time/);
    return true;
  });

  // Heap ids belong to the isolate and are cleared when the session that made them detaches.
  await service.dispose();
  await conn.close();

  // An expression with side effects runs once: tracking gives the id, and stopping it takes the snapshot.
  const other = await connect({ kind: 'inspector', address: target.address });
  t.after(() => other.close());
  const tracked = new CaptureService(other);
  const third = await captureReport(tracked, { expression: '(app.touched = (app.touched || 0) + 1, app.bus)' });
  assert.equal(third.object.via, 'tracked');
  assert.equal(third.report.object.name, 'EventEmitter');
  assertNotHeldByUs(third);
  await tracked.dispose();
  await other.close();
  const fresh = await connect({ kind: 'inspector', address: target.address });
  t.after(() => fresh.close());
  await assert.rejects(captureReport(new CaptureService(fresh), { expression: '(app.touched++, { onlyTheToolHoldsThis: [1, 2, 3] })' }), (e: unknown) => {
    assert.ok(e instanceof CaptureError);
    assert.match(e.message, /was collected before the snapshot: nothing in the program holds it, only the evaluation did/);
    return true;
  });
});

test('selecting an object in a snapshot already taken: its id is in that snapshot; a newer object gets a sentence', async (t) => {
  const target = await startTarget(APP);
  t.after(() => target.kill());
  const conn = await connect({ kind: 'inspector', address: target.address });
  t.after(() => conn.close());
  const service = new CaptureService(conn);
  await assert.rejects(service.selectObject({ expression: 'app.root' }), /is not in the last snapshot taken on this connection/);
  const taken = await service.takeSnapshot();
  const analysis = HeapAnalysis.fromSnapshot(taken.snapshot);
  const root = await service.selectObject({ expression: 'app.root' });
  assert.equal(root.via, 'known-id');
  assert.ok(analysis.hasObject(root.heapId));
  assert.equal(analysis.report(root.heapId).object.name, 'TreeNode');
  // The same object selected again has the same id.
  assert.equal((await service.selectObject({ expression: 'app.root.children[0].parent' })).heapId, root.heapId);
  await target.command('request 3'); // a new Session, made after the snapshot
  await assert.rejects(service.selectObject({ expression: 'app.sessions.get(3)' }), /`app\.sessions\.get\(3\)` is not in the last snapshot/);
});

test('expressions that do not name an object give a sentence', async (t) => {
  const target = await startTarget(APP);
  t.after(() => target.kill());
  const conn = await connect({ kind: 'inspector', address: target.address });
  t.after(() => conn.close());
  const service = new CaptureService(conn);
  const cases: [string, RegExp][] = [
    ['42', /`42` is a number \(42\) in global scope; retention is about objects/],
    ['undefined', /`undefined` is undefined in global scope/],
    ['null', /`null` is null/],
    ['"text"', /is a string \("text"\)/],
    ['noSuchThing', /`noSuchThing` threw ReferenceError: noSuchThing is not defined \(in global scope\)\. It was evaluated in the global scope because the program is running/],
    ['(() => { throw new TypeError("boom") })()', /threw TypeError: boom/],
    ['   ', /The expression is empty/],
  ];
  for (const [expression, message] of cases) {
    await assert.rejects(service.captureObject({ expression }), (e: unknown) => {
      assert.ok(e instanceof CaptureError, String(e));
      assert.equal(e.code, 'selection');
      assert.match(e.message, message);
      return true;
    });
  }
  // After all of that the connection still captures.
  const ok = await service.captureObject({ expression: 'app.root' });
  assert.ok(HeapAnalysis.fromSnapshot(ok.snapshot).hasObject(ok.object.heapId));
});

test('a cancelled capture returns at once, and the next capture on the same connection succeeds', async (t) => {
  const target = await startTarget(APP);
  t.after(() => target.kill());
  await target.command('grow 20');
  const conn = await connect({ kind: 'inspector', address: target.address });
  t.after(() => conn.close());
  const service = new CaptureService(conn);

  const controller = new AbortController();
  const phases: CaptureProgress[] = [];
  const first = service.takeSnapshot({
    signal: controller.signal,
    onProgress: (p) => {
      phases.push(p);
      if (p.phase === 'streaming' && p.bytes > 0) controller.abort();
    },
  });
  await assert.rejects(first, (e: unknown) => {
    assert.ok(e instanceof CaptureError);
    assert.equal(e.code, 'cancelled');
    assert.match(e.message, /The capture was cancelled \(.+ received\); the target is unchanged\./);
    return true;
  });
  assert.ok(phases.some((p) => p.phase === 'building'), 'V8 build progress was reported');

  // Right after the cancel, while V8 may still be streaming the cancelled snapshot, ask for a new one.
  const waits: string[] = [];
  const second = await service.captureObject({ expression: 'app.root' }, { onProgress: (p) => waits.push(p.phase) });
  const analysis = HeapAnalysis.fromSnapshot(second.snapshot);
  assert.ok(analysis.hasObject(second.object.heapId));
  assert.equal(analysis.report(second.object.heapId).object.name, 'TreeNode');
  assert.ok(second.bytes > 8 * 1024 * 1024, `the second snapshot is whole (${second.bytes} bytes)`);
  assert.ok(waits.includes('streaming'));
  // The target is healthy.
  assert.match(await target.command('gc'), /gc/);
});

test('captures asked for at the same time are serialised and both complete', async (t) => {
  const target = await startTarget(APP);
  t.after(() => target.kill());
  const conn = await connect({ kind: 'inspector', address: target.address });
  t.after(() => conn.close());
  // Two callers with services of their own on the one connection (as the extension's panel and command could be).
  const service = new CaptureService(conn);
  const another = new CaptureService(conn);
  const [a, d, b, c] = await Promise.all([
    service.takeSnapshot(),
    another.takeSnapshot(),
    another.captureObject({ expression: 'app.bus' }),
    service.takeSnapshot(),
  ]);
  for (const r of [a, b, c, d]) assert.ok(r.snapshot.nodeCount > 1000);
  // Interleaved chunks would have made at least one of these fail to parse; their sizes are close to each other.
  assert.ok(Math.abs(a.bytes - c.bytes) / a.bytes < 0.2, `${a.bytes} vs ${c.bytes}`);
  assert.equal(HeapAnalysis.fromSnapshot(b.snapshot).report(b.object.heapId).object.name, 'EventEmitter');
});

test('allocation recording: the snapshot that ends it carries allocation stacks, and tracking is off again', async (t) => {
  const target = await startTarget(APP);
  t.after(() => target.kill());
  const conn = await connect({ kind: 'inspector', address: target.address });
  t.after(() => conn.close());
  const service = new CaptureService(conn);
  await service.startRecording();
  assert.equal(service.recording, true);
  await target.command('alloc');
  const result = await service.stopRecording();
  assert.equal(service.recording, false);
  assert.equal(result.hasAllocationStacks, true);
  const analysis = HeapAnalysis.fromSnapshot(result.snapshot);
  const [recorded] = analysis.findByClass('Recorded');
  assert.ok(recorded, 'the object allocated while recording is in the snapshot');
  const ordinal = analysis.graph.ordinalOfId(recorded.id);
  const stack = analysis.locations.allocationStack(ordinal);
  assert.ok(stack.length > 0, 'it carries the stack that allocated it');
  assert.ok(stack.some((f) => /live-app\.js$/.test(f.url) && f.line === lineOf(APP_SOURCE, 'alloc: () =>')),
    `allocation stack: ${stack.map((f) => `${f.url}:${f.line}`).join(', ')}`);
  // A plain snapshot afterwards has no allocation stacks: tracking stopped.
  const after = await service.takeSnapshot();
  assert.equal(after.hasAllocationStacks, false);
  await assert.rejects(service.stopRecording(), /No allocation recording is running/);
});

test('the debuggee is left as it was: no new globals, still running, a second tool can attach', async (t) => {
  const target = await startTarget(APP);
  t.after(() => target.kill());
  const before = await target.command('globals');
  const ok = await runCli(['capture', '--inspect', target.address, '--expression', 'app.root']);
  assert.equal(ok.code, 0, ok.stderr);
  const failed = await runCli(['capture', '--inspect', target.address, '--expression', 'missingName']);
  assert.equal(failed.code, 1);
  const conn = await connect({ kind: 'inspector', address: target.address });
  const service = new CaptureService(conn);
  await service.startRecording();
  await service.dispose(); // stops the recording it started
  await conn.close();
  const after = await target.command('globals');
  assert.deepEqual(JSON.parse(after), JSON.parse(before));
  // Nothing of ours kept the program attached: a fresh session sees no pause and no allocation tracking.
  const check = await CDP({ target: target.webSocketUrl, local: true });
  try {
    const r = await check.send('Runtime.evaluate', { expression: '1 + 1', returnByValue: true });
    assert.equal(r.result.value, 2);
  } finally {
    await check.close();
  }
});

test('the target version is reported, with a note when its Node snapshots slowly', async (t) => {
  const target = await startTarget(APP);
  t.after(() => target.kill());
  const conn = await connect({ kind: 'inspector', address: target.address });
  t.after(() => conn.close());
  assert.equal(conn.target.nodeVersion, process.version);
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) assert.match(conn.target.warning ?? '', /Node 22 or later/);
  else assert.equal(conn.target.warning, null);
});
