/**
 * Without a debug session: attach to a `node --inspect` port, take a snapshot, pick an instance by class, and render
 * hostile heap strings (a class named `<img onerror>`, a property named `<script>`) as text. Also the sentence for a
 * port where nothing listens.
 */
import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activate, fixturePath, panelState, rowsText, startInspectTarget } from './debugHelpers';

interface Outcome {
  ok: boolean;
  error?: string;
  [k: string]: unknown;
}

suite('Attached to an --inspect port', () => {
  test('attaching to a port where nothing listens says so', async () => {
    await activate();
    const outcome = await vscode.commands.executeCommand<Outcome>('retentionExplorer.attachToInspector', '127.0.0.1:1');
    assert.equal(outcome.ok, false);
    assert.match(outcome.error ?? '', /Nothing is listening at 127\.0\.0\.1:1/);
  });

  test('hostile heap strings render as text', async () => {
    await activate();
    const target = await startInspectTarget(fixturePath('hostile.js'));
    try {
      const attached = await vscode.commands.executeCommand<Outcome & { target: string }>('retentionExplorer.attachToInspector', target.address);
      assert.equal(attached.ok, true, attached.error);
      const snap = await vscode.commands.executeCommand<Outcome & { snapshot: { snapshotId: number; nodeCount: number } }>(
        'retentionExplorer.takeHeapSnapshot', attached.target);
      assert.equal(snap.ok, true, snap.error);
      assert.ok(snap.snapshot.nodeCount > 1000);

      const evilName = '<img src=x onerror="document.body.dataset.pwned=1">';
      const shown = await vscode.commands.executeCommand<Outcome & { generation: number; name: string }>('retentionExplorer.findInstancesOfClass', evilName);
      assert.equal(shown.ok, true, shown.error);
      assert.equal(shown.name, evilName);
      const state = await panelState(shown.generation);
      const text = rowsText(state.rows);
      // textContent carries the markup as characters: had it been parsed as HTML, the tags would not be in the text.
      assert.ok(state.rows[0].text.includes(evilName), `the class name is shown as text:\n${text}`);
      assert.ok(state.rows.some((r) => r.text.includes('<script>document.body.dataset.pwned=2</script>')), `the property name is shown as text:\n${text}`);
      // A bidi override in a property name is shown as an escape, not obeyed (it would reorder the row's text).
      assert.ok(state.rows.some((r) => r.text.includes('evil\\u202egnp.js')), `the bidi override is shown escaped:\n${text}`);
      assert.ok(!state.rows.some((r) => /[\u202a-\u202e\u2066-\u2069]/.test(r.text)), `no row carries a raw bidi control:\n${text}`);

      const sidebar = state.sidebarState;
      assert.ok(sidebar.snapshots.some((s) => s.snapshotId === snap.snapshot.snapshotId), 'the sidebar lists the snapshot');
      const detached = await vscode.commands.executeCommand<Outcome>('retentionExplorer.detach', attached.target);
      assert.equal(detached.ok, true, detached.error);
    } finally {
      await target.kill();
    }
  });

  test('allocation recording ends in a snapshot that carries allocation stacks', async () => {
    await activate();
    const target = await startInspectTarget(fixturePath('hostile.js'));
    try {
      const attached = await vscode.commands.executeCommand<Outcome & { target: string }>('retentionExplorer.attachToInspector', target.address);
      assert.equal(attached.ok, true, attached.error);
      const started = await vscode.commands.executeCommand<Outcome>('retentionExplorer.startAllocationRecording', attached.target);
      assert.equal(started.ok, true, started.error);
      // The program allocates in its own code while recording (V8 records no stack for what an evaluation allocates).
      await target.send('alloc', 'allocated');
      const during = await panelState();
      assert.equal(during.sidebarState.targets.find((t) => t.key === attached.target)?.recording, true, 'the sidebar shows the recording');
      const stopped = await vscode.commands.executeCommand<Outcome & { snapshot: { hasAllocationStacks: boolean; label: string } }>(
        'retentionExplorer.stopAllocationRecording', attached.target);
      assert.equal(stopped.ok, true, stopped.error);
      assert.equal(stopped.snapshot.hasAllocationStacks, true);
      const again = await vscode.commands.executeCommand<Outcome>('retentionExplorer.stopAllocationRecording', attached.target);
      assert.equal(again.ok, false);
      assert.match(again.error ?? '', /No allocation recording is running/);
      await vscode.commands.executeCommand('retentionExplorer.detach', attached.target);
    } finally {
      await target.kill();
    }
  });

  test('a .heapsnapshot file opens without any session, and its objects link to their source', async () => {
    await activate();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retention-suite-'));
    const file = path.join(dir, 'hostile.heapsnapshot');
    try {
      // A real snapshot of a real program, written by V8 itself.
      const r = spawnSync(process.env.RETENTION_TEST_NODE || 'node', ['-e',
        `process.argv[2] = '0'; require(${JSON.stringify(fixturePath('hostile.js'))}); require('node:v8').writeHeapSnapshot(${JSON.stringify(file)}); process.exit(0);`],
      { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      const opened = await vscode.commands.executeCommand<Outcome & { snapshot: { snapshotId: number; label: string; nodeCount: number } }>(
        'retentionExplorer.openSnapshotFile', vscode.Uri.file(file));
      assert.equal(opened.ok, true, opened.error);
      assert.match(opened.snapshot.label, /hostile\.heapsnapshot/);
      const shown = await vscode.commands.executeCommand<Outcome & { generation: number }>('retentionExplorer.findInstancesOfClass',
        '<img src=x onerror="document.body.dataset.pwned=1">');
      assert.equal(shown.ok, true, shown.error);
      const state = await panelState(shown.generation);
      assert.ok(state.rows[0].location?.endsWith('hostile.js:6'), `the object links to the class line: ${state.rows[0].location}`);
      const missing = await vscode.commands.executeCommand<Outcome>('retentionExplorer.openSnapshotFile', path.join(dir, 'missing.heapsnapshot'));
      assert.equal(missing.ok, false);
      assert.match(missing.error ?? '', /There is no file at/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
