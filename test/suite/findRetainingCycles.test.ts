/**
 * The main flow in a real extension host with a real js-debug session on the bundled example: the program pauses in
 * closeDocument(), "Find Retaining Cycles" runs on `doc.root`, and the retention panel's page renders the tree:
 * the object, the paths from GC roots, the parent/children cycle pointing back, and the listener to remove at the
 * line that adds it. Then the Variables-view entry point, a non-top frame, and the session ending.
 */
import * as assert from 'node:assert/strict';
import { suite, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import { activate, examplePath, lineOf, panelState, rowsText, startDebugging, waitFor, waitForPause, type DebugRun } from './debugHelpers';

interface Outcome {
  ok: boolean;
  error?: string;
  code?: string;
  generation: number;
  snapshotId: number;
  heapId: number;
  name: string;
  scope: string | null;
  paths: number;
  cycles: number;
  fix: string | null;
}

let run: DebugRun | null = null;

async function pausedExample(): Promise<DebugRun> {
  if (run) return run;
  await activate();
  run = await startDebugging(examplePath('app.js'), { waitForPause: true });
  return run;
}

suite('Find Retaining Cycles with a js-debug session on the example', () => {
  suiteTeardown(async () => {
    await run?.stop();
    run = null;
  });

  test('find retaining cycles shows the tree of the paused example', async () => {
    const { child } = await pausedExample();
    const outcome = await vscode.commands.executeCommand<Outcome>('retentionExplorer.findRetainingCycles', { expression: 'doc.root', sessionId: child.id });
    assert.equal(outcome.ok, true, outcome.error);
    assert.equal(outcome.name, 'TreeNode');
    assert.match(outcome.scope ?? '', /closeDocument/, 'evaluated in the paused frame');
    assert.ok(outcome.paths >= 1, 'at least one path from the GC roots');
    assert.ok(outcome.cycles >= 1, 'the tree root is on a parent/children cycle');

    const state = await panelState(outcome.generation);
    const text = rowsText(state.rows);
    assert.equal(state.visible, true, 'the panel is visible');
    const top = state.rows[0];
    assert.equal(top.heapId, outcome.heapId, `the selected object is at the top:\n${text}`);
    assert.match(top.text, new RegExp(`TreeNode @${outcome.heapId}`));

    // Why it is alive: a path that ends at a GC root, through the settings emitter's listener.
    const paths = state.rows.filter((r) => r.section === 'paths');
    assert.match(paths[0].text, /Why it is alive/);
    assert.ok(paths.some((r) => /closure captures|onTheme|_events/.test(r.text)), `a path runs through the listener:\n${text}`);

    // Cycles: a `.parent` reference that points back to the object, marked as a cycle and not expanded.
    const cycles = state.rows.filter((r) => r.section === 'cycles');
    assert.ok(cycles.length > 0, `a cycles section:\n${text}`);
    const back = cycles.find((r) => r.cycle);
    assert.ok(back, `a row marked as a cycle:\n${text}`);
    assert.equal(back.heapId, outcome.heapId);
    assert.match(back.text, new RegExp(`cycle: back to TreeNode @${outcome.heapId}`));
    assert.equal(back.expanded, null, 'a cycle row does not expand');
    assert.ok(cycles.some((r) => /\.parent/.test(r.text)), `the cycle goes through .parent:\n${text}`);

    // What to break: the listener, linked to the line in followTheme() that adds it.
    const listenerLine = lineOf(examplePath('app.js'), "settings.on('theme'");
    const fixes = state.rows.filter((r) => r.section === 'fix');
    assert.ok(fixes.some((r) => r.location?.endsWith(`app.js:${listenerLine}`)), `a fix linked to app.js:${listenerLine}:\n${text}`);
    assert.ok(fixes.some((r) => /listener|removeListener|off\(/i.test(r.text)), `the fix says to remove the listener:\n${text}`);
    // The one reference that frees it comes first, the listener named through the caret as the example reaches it
    // (`this.caret.onTheme` in Document); the other paths' suggestions are folded beneath it.
    assert.match(fixes[1]?.text ?? '', /settings\.off\("theme", (\w+\.)*caret\.onTheme\)[\s\S]*frees the object/, `the listener comes first:\n${text}`);
    const others = fixes.find((r) => /^Other references \(\d+\), not needed/.test(r.text));
    assert.ok(others, `the other paths' suggestions are one folded row:\n${text}`);
    assert.equal(others.expanded, false, 'the other suggestions are folded');
  });

  test('variables view entry point uses the variables evaluate name', async () => {
    const { child } = await pausedExample();
    const frame = await waitForPause(child);
    // Exactly what VS Code passes to a debug/variables/context command: {sessionId, container, variable}.
    const { scopes } = await child.customRequest('scopes', { frameId: frame.frameId }) as { scopes: { name: string; variablesReference: number; expensive: boolean }[] };
    const local = scopes.find((s) => /local/i.test(s.name));
    assert.ok(local, `a Local scope in ${scopes.map((s) => s.name).join(', ')}`);
    const { variables } = await child.customRequest('variables', { variablesReference: local.variablesReference }) as { variables: { name: string; evaluateName?: string; variablesReference: number; value: string }[] };
    const doc = variables.find((v) => v.name === 'doc');
    assert.ok(doc?.evaluateName, 'js-debug gives `doc` an evaluateName');
    const outcome = await vscode.commands.executeCommand<Outcome>('retentionExplorer.findRetainingCyclesForVariable', {
      sessionId: child.id, container: local, variable: doc,
    });
    assert.equal(outcome.ok, true, outcome.error);
    assert.equal(outcome.name, 'Document');
    const state = await panelState(outcome.generation);
    assert.match(state.rows[0].text, /Document @\d+/);
  });

  test('a focused outer frame is where the expression is evaluated', async () => {
    const { child } = await pausedExample();
    await waitForPause(child);
    await vscode.commands.executeCommand('workbench.action.debug.callStackDown');
    await waitFor('frame 1 to be focused', async () => {
      const item = vscode.debug.activeStackItem;
      if (!(item instanceof vscode.DebugStackFrame)) return false;
      const r = await child.customRequest('stackTrace', { threadId: item.threadId, startFrame: 0, levels: 5 }) as { stackFrames: { id: number }[] };
      return r.stackFrames[1]?.id === item.frameId;
    }, 10_000);
    // `doc` is a local of both frames; in frame 1 it is the interval callback's.
    const outcome = await vscode.commands.executeCommand<Outcome>('retentionExplorer.findRetainingCycles', 'doc');
    assert.equal(outcome.ok, true, outcome.error);
    assert.match(outcome.scope ?? '', /^frame 1\b/, `evaluated in frame 1, not ${outcome.scope}`);
    // A name that only exists in the top frame's scope chain fails with a sentence naming the frame.
    const missing = await vscode.commands.executeCommand<Outcome>('retentionExplorer.findRetainingCycles', 'noSuchVariable');
    assert.equal(missing.ok, false);
    assert.match(missing.error ?? '', /noSuchVariable.*ReferenceError.*frame 1/);
    await vscode.commands.executeCommand('workbench.action.debug.callStackTop');
  });

  test('a primitive gets a sentence', async () => {
    const { child } = await pausedExample();
    const outcome = await vscode.commands.executeCommand<Outcome>('retentionExplorer.findRetainingCycles', { expression: 'closedCount', sessionId: child.id });
    assert.equal(outcome.ok, false);
    assert.match(outcome.error ?? '', /`closedCount` is a number \(3\)/);
  });

  test('when the session ends the panel says so and keeps the results', async () => {
    const r = await pausedExample();
    const outcome = await vscode.commands.executeCommand<Outcome>('retentionExplorer.findRetainingCycles', { expression: 'doc.root', sessionId: r.child.id });
    assert.equal(outcome.ok, true, outcome.error);
    const before = await panelState(outcome.generation);
    await r.stop();
    run = null;
    const after = await waitFor('the panel to say the session ended', async () => {
      const s = await panelState();
      return s.sessionEnded ? s : undefined;
    });
    assert.match(after.sessionEnded ?? '', /has ended; these results stay readable/);
    assert.equal(after.rows.length, before.rows.length, 'the tree is still there');
    // Expanding further still works: the snapshot lives in the worker, not in the session.
    const none = await vscode.commands.executeCommand<Outcome>('retentionExplorer.findRetainingCycles', { expression: 'doc', sessionId: r.child.id });
    assert.equal(none.ok, false);
    assert.match(none.error ?? '', /no debug session with id|ended/);
  });
});
