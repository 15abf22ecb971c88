/**
 * "Copy as Regression Test" in the real extension host: the command takes the finding a retention-tree row carries
 * (its data-vscode-context), and the clipboard then holds a test in the workspace's style naming the expression and
 * the action. The workspace (example/) has no package.json, so the style is node:test.
 */
import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { activate } from './debugHelpers';

suite('Copy as Regression Test', () => {
  test('a finding becomes a node:test regression test on the clipboard', async () => {
    await activate();
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('retentionExplorer.copyAsRegressionTest', {
      webviewSection: 'finding', expression: 'doc.root', className: 'TreeNode', scope: 'frame 0 (closeDocument)',
      fix: 'Remove the listener when its owner is done', where: 'Object @1 .theme',
    });
    const text = await vscode.env.clipboard.readText();
    assert.match(text, /const \{ test \} = require\('node:test'\);/);
    assert.match(text, /test\("doc\.root is freed after closeDocument\(\)"/);
    assert.match(text, /closeDocument\(doc\);/);
    assert.match(text, /return doc\.root;/);
  });

  test('an argument that is not a finding leaves the clipboard alone', async () => {
    await vscode.env.clipboard.writeText('unchanged');
    await vscode.commands.executeCommand('retentionExplorer.copyAsRegressionTest', { webviewSection: 'other' });
    assert.equal(await vscode.env.clipboard.readText(), 'unchanged');
  });
});
