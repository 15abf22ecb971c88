/**
 * The leak hunt on real programs over real CDP: test/fixtures/leak-hunt.js started with --inspect=127.0.0.1:0, a
 * known leak (closed documents kept in a store's history) hidden among noise (token objects made and freed, views
 * open until undone, a template cache that fills and stays, functions compiled lazily after the baseline, a second
 * and slower leak). Baseline, target and final snapshots are taken as the extension takes them (garbage collected
 * first, one profiler session), then compared. And `retention diff` on saved files, bad input included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type CdpConnection } from '../../src/cdp/connect';
import { CaptureService } from '../../src/cdp/capture';
import { HeapAnalysis } from '../../src/core/analysis';
import { compareSnapshots, ComparisonError, type SnapshotComparison } from '../../src/core/comparison';
import { digestSnapshot } from '../../src/core/snapshotDigest';
import { signatureText } from '../../src/core/suspects';
import { SnapshotBuilder } from '../unit/graphBuilder';
import { FIXTURES, lineOf, runCli, startTarget, type Target } from './targets';

const APP = join(FIXTURES, 'leak-hunt.js');
const SOURCE = readFileSync(APP, 'utf8');
/** Enough actions before the baseline to fill the template cache (16 names) and compile what the first ones run. */
const WARM_UP = 16;
const ACTIONS = 12;

async function snapshot(service: CaptureService): Promise<HeapAnalysis> {
  const { snapshot: s } = await service.takeSnapshot({ collectGarbage: true });
  return HeapAnalysis.fromSnapshot(s);
}

/** Baseline after warm-up, ACTIONS actions, target, undo, final: the 3-snapshot flow, plus the 2-snapshot one. */
async function hunt(target: Target): Promise<{ three: SnapshotComparison; two: SnapshotComparison; final: HeapAnalysis }> {
  const connection: CdpConnection = await connect({ kind: 'inspector', address: target.address });
  try {
    const service = new CaptureService(connection);
    await target.command(`action ${WARM_UP}`);
    const base = digestSnapshot(await snapshot(service));
    await target.command(`action ${ACTIONS}`);
    const targetAnalysis = await snapshot(service);
    const targetDigest = digestSnapshot(targetAnalysis);
    const two = compareSnapshots([base], targetAnalysis, { labels: ['baseline', 'target'], lastDigest: targetDigest });
    await target.command('undo');
    const final = await snapshot(service);
    const three = compareSnapshots([base, targetDigest], final, { labels: ['baseline', 'target', 'final'] });
    return { three, two, final };
  } finally {
    await connection.close();
  }
}

test('the leaking class and its path rank first among the suspects; the slower leak second; the noise is left out', async (t) => {
  const target = await startTarget(APP);
  t.after(() => target.kill());
  const { three, final } = await hunt(target);
  const groups = three.suspects.groups;
  assert.ok(groups.length >= 2, `suspects: ${groups.map((g) => signatureText(g.signature)).join('; ')}`);
  const [first, second] = groups;
  assert.equal(first.className, 'Document');
  assert.equal(first.count, ACTIONS, 'one suspect per closed document');
  assert.match(signatureText(first.signature), /closure var store -> DocumentStore \.history -> Array \[\] -> Document$/);
  assert.equal(second.className, 'AuditRecord');
  assert.match(signatureText(second.signature), /closure var audit -> Array \[\] -> AuditRecord$/);
  // Noise never shows: tokens (freed), views (undone), cached templates (filled before the baseline), code.
  for (const g of groups) assert.ok(!/Token|View|templateCache|\(compiled code\)/.test(signatureText(g.signature)), signatureText(g.signature));
  assert.ok(three.suspects.leftOut.transient > 0, 'the views made by the action and closed by undo were left out as transient');

  // The class table: own classes first, the leaking one on top, constructed where the fixture says.
  const doc = three.classes[0];
  assert.equal(doc.name, 'Document');
  assert.equal(doc.own, true);
  assert.equal(doc.location?.line, lineOf(SOURCE, 'constructor(name, body)'), 'Document is constructed by its constructor');
  assert.equal(doc.newCount, ACTIONS);
  assert.equal(doc.countDelta, ACTIONS);
  assert.ok(doc.newRetainedSize >= first.retainedSize * 0.9);

  // The representative opens the usual report: a path through the history, and what to break.
  const report = final.report(first.representative.id);
  assert.equal(report.object.name, 'Document');
  assert.ok(report.paths[0].steps.some((s) => s.edge.name === 'history'), report.paths[0].steps.map((s) => s.label).join(' '));
  assert.ok(report.fix, 'a single reference frees it');
});

test('a program without a leak shows no suspects after three snapshots; two snapshots still see the open views', async (t) => {
  const target = await startTarget(APP, { args: ['clean'] });
  t.after(() => target.kill());
  const { three, two } = await hunt(target);
  assert.deepEqual(three.suspects.groups.map((g) => signatureText(g.signature)), []);
  assert.ok(three.suspects.leftOut.transient > 0);
  // Without the final snapshot the views the action left open are (rightly) suspects: the method is what drops them.
  assert.equal(two.suspects.groups[0]?.className, 'View');
  assert.equal(two.suspects.groups[0].count, ACTIONS);
});

test('a profiler session that reconnects between snapshots gives new ids: the comparison says so', async (t) => {
  const target = await startTarget(APP);
  t.after(() => target.kill());
  let connection = await connect({ kind: 'inspector', address: target.address });
  const base = digestSnapshot(await snapshot(new CaptureService(connection)));
  await connection.close();
  await target.command(`action ${ACTIONS}`);
  connection = await connect({ kind: 'inspector', address: target.address });
  t.after(() => connection.close());
  const later = await snapshot(new CaptureService(connection));
  assert.throws(() => compareSnapshots([base], later, { labels: ['baseline', 'target'] }),
    (e: unknown) => e instanceof ComparisonError && e.code === 'different-process' && /ids were reset/.test(e.message));
});

test('retention diff on saved files: suspects and classes as text and JSON; bad input gets a sentence', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'retention-diff-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string) => join(dir, name);
  const target = await startTarget(APP);
  t.after(() => target.kill());
  await target.command(`action ${WARM_UP}`);
  await target.command(`write ${file('base.heapsnapshot')}`);
  await target.command(`action ${ACTIONS}`);
  await target.command(`write ${file('target.heapsnapshot')}`);
  await target.command('undo');
  await target.command(`write ${file('final.heapsnapshot')}`);

  const text = await runCli(['diff', file('base.heapsnapshot'), file('target.heapsnapshot'), file('final.heapsnapshot')]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^Leak suspects \(\d+ groups?, \d+ objects?, [\d.]+ [KM]?B retained\), largest first:\n {2}1\. Document {2}x12 /m);
  assert.match(text.stdout, /DocumentStore \.history -> Array \[\] -> Document\n\s+break: /);
  assert.match(text.stdout, new RegExp(`retention analyze \\S*final\\.heapsnapshot --id \\d+`));
  assert.match(text.stdout, /^ {2}Document {2}16 \/ 28 \/ 28 \(\+12, /m);

  const json = await runCli(['diff', file('base.heapsnapshot'), file('target.heapsnapshot'), file('final.heapsnapshot'), '--json']);
  assert.equal(json.code, 0, json.stderr);
  const c = JSON.parse(json.stdout) as SnapshotComparison & { suspects: { groups: { fix: unknown }[] } };
  assert.equal(c.method, 'three');
  assert.deepEqual(c.snapshots.map((s) => s.label), ['base.heapsnapshot', 'target.heapsnapshot', 'final.heapsnapshot']);
  assert.equal(c.suspects.groups[0].className, 'Document');
  assert.ok(c.suspects.groups[0].fix, 'the top group says what to break');
  assert.equal(c.classes[0].name, 'Document');

  // The ids of the analyze hint are the final snapshot's.
  const id = c.suspects.groups[0].representative.id;
  const analyze = await runCli(['analyze', file('final.heapsnapshot'), '--id', String(id)]);
  assert.equal(analyze.code, 0, analyze.stderr);
  assert.match(analyze.stdout, /^Document @\d+/);

  // Bad input.
  writeFileSync(file('notes.txt'), 'these are my notes, not a snapshot\n');
  const notSnapshot = await runCli(['diff', file('base.heapsnapshot'), file('notes.txt')]);
  assert.equal(notSnapshot.code, 1);
  assert.match(notSnapshot.stderr, /^notes\.txt could not be read as a heap snapshot: .+\n$/);

  const swapped = await runCli(['diff', file('final.heapsnapshot'), file('base.heapsnapshot')]);
  assert.equal(swapped.code, 1);
  assert.equal(swapped.stderr, 'final.heapsnapshot was taken after base.heapsnapshot (its ids are larger); give the snapshots in the order they were taken.\n');

  // Another process of the same program: ids that name other objects.
  const other = await startTarget(APP);
  t.after(() => other.kill());
  await other.command(`action ${WARM_UP + ACTIONS}`);
  await other.command(`write ${file('other.heapsnapshot')}`);
  const otherProcess = await runCli(['diff', file('base.heapsnapshot'), file('other.heapsnapshot')]);
  assert.equal(otherProcess.code, 1);
  assert.match(otherProcess.stderr, /^base\.heapsnapshot and other\.heapsnapshot do not name the same objects by the same ids \(\d+% of \d+ sampled objects agree\): they come from different processes/);

  // A snapshot a tool wrote without real ids.
  const b = new SnapshotBuilder();
  const g = b.global('global', 40);
  for (let i = 0; i < 20; i++) b.edge(g, 'element', i, b.node('object', 'Thing', { size: 8 }));
  b.nodes.forEach((n) => { n.id = 0; });
  writeFileSync(file('no-ids.heapsnapshot'), b.serialize());
  const noIds = await runCli(['diff', file('no-ids.heapsnapshot'), file('target.heapsnapshot')]);
  assert.equal(noIds.code, 1);
  assert.match(noIds.stderr, /^no-ids\.heapsnapshot has no heap object ids \(.+\), so objects cannot be matched across snapshots/);

  const usage = await runCli(['diff', file('base.heapsnapshot')]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /^diff takes two or three snapshot files/);
});
