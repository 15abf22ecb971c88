/**
 * Without a debug session: attach to a `node --inspect` port, take a snapshot, pick an instance by class, and render
 * hostile heap strings (a class named `<img onerror>`, a property named `<script>`) as text. Also the sentence for a
 * port where nothing listens.
 */
import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
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

      const sidebar = state.sidebarState;
      assert.ok(sidebar.snapshots.some((s) => s.snapshotId === snap.snapshot.snapshotId), 'the sidebar lists the snapshot');
      const detached = await vscode.commands.executeCommand<Outcome>('retentionExplorer.detach', attached.target);
      assert.equal(detached.ok, true, detached.error);
    } finally {
      await target.kill();
    }
  });
});
