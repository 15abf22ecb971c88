/**
 * Messages from the webviews are untrusted input: the host acts only on what parsePanelMessage/parseSidebarMessage
 * return. And the command arguments VS Code passes (palette, Variables and Watch menus, executeCommand) parse into
 * typed arguments or a sentence.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePanelMessage, parseSidebarMessage } from '../../src/shared/webviewProtocol';
import {
  ArgumentError, parseAddressArgument, parseFindArgument, parseObjectArgument, parsePathArgument, parseVariableArgument,
} from '../../src/extension/commands';
import { expressionAt, selectionExpression } from '../../src/extension/expressionAtCursor';

test('panel messages: well-formed requests pass, with exactly their known fields', () => {
  assert.deepEqual(parsePanelMessage({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(
    parsePanelMessage({ type: 'openLocation', location: { url: 'file:///a.js', line: 3, column: 1, extra: '<x>' }, more: 1 }),
    { type: 'openLocation', location: { url: 'file:///a.js', line: 3, column: 1 } });
  assert.deepEqual(
    parsePanelMessage({ type: 'loadRetainers', requestId: 1, snapshotId: 2, heapId: 3, offset: 50 }),
    { type: 'loadRetainers', requestId: 1, snapshotId: 2, heapId: 3, offset: 50 });
  assert.deepEqual(parsePanelMessage({ type: 'inspect', snapshotId: 1, heapId: 77 }), { type: 'inspect', snapshotId: 1, heapId: 77 });
  const row = { level: 1, text: '<img src=x>', section: 'paths', heapId: 5, cycle: false, expanded: null, location: null };
  assert.deepEqual(parsePanelMessage({ type: 'rendered', generation: 4, rows: [row] }), { type: 'rendered', generation: 4, rows: [row] });
});

test('panel messages: wrong types, negative or fractional numbers, unknown types and oversized input are refused', () => {
  const refused = [
    null, undefined, 'ready', 42, [], {}, { type: 'nope' }, { type: 'openLocation' },
    { type: 'openLocation', location: { url: 5, line: 1, column: 1 } },
    { type: 'openLocation', location: { url: 'x', line: -1, column: 1 } },
    { type: 'openLocation', location: { url: 'x'.repeat(5000), line: 1, column: 1 } },
    { type: 'loadRetainers', requestId: 1, snapshotId: 1, heapId: 1.5, offset: 0 },
    { type: 'loadRetainers', requestId: '1', snapshotId: 1, heapId: 1, offset: 0 },
    { type: 'inspect', snapshotId: 1, heapId: Number.NaN },
    { type: 'inspect', snapshotId: 1, heapId: 2 ** 60 },
    { type: 'rendered', generation: 1, rows: 'x' },
    { type: 'rendered', generation: 1, rows: [{ level: 1 }] },
    { type: 'rendered', generation: 1, rows: new Array(6000).fill({ level: 1, text: '', section: 'x', heapId: null, cycle: false, expanded: null, location: null }) },
    { type: '__proto__' },
  ];
  for (const m of refused) assert.equal(parsePanelMessage(m), null, JSON.stringify(m)?.slice(0, 80));
});

test('sidebar messages: only the known commands, ids as non-negative integers', () => {
  assert.deepEqual(parseSidebarMessage({ type: 'command', command: 'takeSnapshot', target: 'session:1' }), { type: 'command', command: 'takeSnapshot', target: 'session:1' });
  assert.deepEqual(parseSidebarMessage({ type: 'command', command: 'attach' }), { type: 'command', command: 'attach' });
  assert.equal(parseSidebarMessage({ type: 'command', command: 'workbench.action.files.delete' }), null);
  assert.equal(parseSidebarMessage({ type: 'command', command: 'takeSnapshot', target: 7 }), null);
  assert.deepEqual(parseSidebarMessage({ type: 'openClass', snapshotId: 1, name: '<script>' }), { type: 'openClass', snapshotId: 1, name: '<script>' });
  assert.equal(parseSidebarMessage({ type: 'openClass', snapshotId: -1, name: 'A' }), null);
  assert.equal(parseSidebarMessage({ type: 'selectSnapshot', snapshotId: '1' }), null);
  assert.deepEqual(parseSidebarMessage({ type: 'releaseSnapshot', snapshotId: 3 }), { type: 'releaseSnapshot', snapshotId: 3 });
});

test('Find Retaining Cycles arguments: a string, or {expression, sessionId?, frame?, global?}', () => {
  assert.equal(parseFindArgument(undefined), undefined);
  assert.deepEqual(parseFindArgument('cache'), { expression: 'cache' });
  assert.deepEqual(parseFindArgument({ expression: 'a.b', sessionId: 's', frame: 1, global: true }), { expression: 'a.b', sessionId: 's', frame: 1, global: true });
  assert.throws(() => parseFindArgument({ expr: 'x' }), ArgumentError);
  assert.throws(() => parseFindArgument({ expression: 'x', frame: -1 }), /call frame index/);
  assert.throws(() => parseFindArgument({ expression: 'x', sessionId: 3 }), /debug session id/);
});

test('Variables and Watch menu arguments: the evaluateName is the expression; no evaluateName is a sentence', () => {
  assert.deepEqual(
    parseVariableArgument({ sessionId: 's1', container: { name: 'Local', variablesReference: 3 }, variable: { name: 'doc', evaluateName: 'doc', variablesReference: 9 } }),
    { expression: 'doc', sessionId: 's1', name: 'doc' });
  assert.deepEqual(parseVariableArgument({ variable: { name: 'root', evaluateName: 'doc.root', variablesReference: 1 } }), { expression: 'doc.root', name: 'root' });
  // A watch expression arrives as the expression element itself: its name is what the user typed.
  assert.deepEqual(parseVariableArgument({ name: 'settings._events', value: 'Object', reference: 4 }), { expression: 'settings._events', name: 'settings._events' });
  assert.throws(() => parseVariableArgument({ variable: { name: '[[Prototype]]', variablesReference: 3 } }), /gives no expression for \[\[Prototype\]\]/);
  assert.throws(() => parseVariableArgument(undefined), /Variables or Watch view/);
});

test('other command arguments', () => {
  assert.equal(parseAddressArgument(9229), '9229');
  assert.equal(parseAddressArgument({ address: '127.0.0.1:1' }), '127.0.0.1:1');
  assert.throws(() => parseAddressArgument([]), /address such as/);
  assert.equal(parsePathArgument({ fsPath: '/tmp/a.heapsnapshot', scheme: 'file' }), '/tmp/a.heapsnapshot');
  assert.deepEqual(parseObjectArgument(12), { heapId: 12 });
  assert.deepEqual(parseObjectArgument({ snapshotId: 2, heapId: 12 }), { snapshotId: 2, heapId: 12 });
  assert.throws(() => parseObjectArgument({ heapId: -4 }), /heap id/);
});

test('the expression box is prefilled with the member expression under the cursor, never a keyword', () => {
  const line = '    openDocuments.delete(doc.root.children[0]); debugger; this.caret.followTheme();';
  const at = (word: string, offset = 1) => expressionAt(line, line.indexOf(word) + offset);
  assert.equal(at('openDocuments'), 'openDocuments');
  assert.equal(at('delete'), 'openDocuments');
  assert.equal(at('doc.'), 'doc');
  assert.equal(at('root'), 'doc.root');
  assert.equal(at('children'), 'doc.root.children');
  assert.equal(at('debugger'), '');
  assert.equal(at('this'), 'this');
  assert.equal(at('caret'), 'this.caret');
  assert.equal(expressionAt(line, 0), '');
  assert.equal(expressionAt('a..b', 3), 'b');
  assert.equal(selectionExpression('  cache.get(key) '), 'cache.get(key)');
  assert.equal(selectionExpression('a\nb'), '');
});
