/** "Copy as regression test": the style a package.json points at, and the test text for a finding. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actionOf, packageInfo, regressionTest } from '../../src/core/regressionTest';

const finding = {
  expression: 'doc.root',
  className: 'TreeNode',
  scope: 'frame 0 (closeDocument)',
  fix: 'Remove the listener when its owner is done (e.g. in dispose()): `settings.off("theme", treeNode.onTheme)`.',
  where: 'Object @68163 .theme',
};

test('the workspace\'s package.json picks the style: test script first, then dependencies, node:test otherwise', () => {
  assert.deepEqual(packageInfo({ scripts: { test: 'jest --ci' } }), { style: 'jest', esm: false });
  assert.deepEqual(packageInfo({ scripts: { test: 'node --test' }, devDependencies: { jest: '^30' } }), { style: 'node:test', esm: false });
  assert.deepEqual(packageInfo({ type: 'module', devDependencies: { vitest: '^3' } }), { style: 'vitest', esm: true });
  assert.deepEqual(packageInfo({ scripts: { test: 'mocha test/' } }), { style: 'mocha', esm: false });
  assert.deepEqual(packageInfo({}), { style: 'node:test', esm: false });
  assert.deepEqual(packageInfo('not json'), { style: 'node:test', esm: false });
});

test('a node:test regression test names the expression and the action', () => {
  assert.equal(regressionTest(finding, { style: 'node:test', esm: false }), [
    '// Regression test from Retention Explorer: TreeNode `doc.root` stayed alive after closeDocument().',
    '// What holds it: Object @68163 .theme',
    '// Fix: Remove the listener when its owner is done (e.g. in dispose()): `settings.off("theme", treeNode.onTheme)`.',
    '// It fails while the leak is there; its message names the path and the reference to break.',
    "const { test } = require('node:test');",
    "const { expectCollected } = require('retention-explorer/testing');",
    "// const { ... } = require('./your-module'); the code that creates it and closeDocument",
    '',
    'test("doc.root is freed after closeDocument()", async () => {',
    '  await expectCollected(() => {',
    '    const doc = undefined; // TODO: create it as the program does',
    '    closeDocument(doc); // the action after which it should be gone',
    '    return doc.root;',
    '  }, { label: "doc.root" });',
    '});',
    '',
  ].join('\n'));
});

test('Jest style uses the global test; ESM uses import; Mocha uses it', () => {
  const jest = regressionTest(finding, { style: 'jest', esm: false });
  assert.doesNotMatch(jest, /require\('node:test'\)/);
  assert.match(jest, /^test\("doc\.root is freed after closeDocument\(\)"/m);
  const esm = regressionTest(finding, { style: 'vitest', esm: true });
  assert.match(esm, /^import \{ test \} from 'vitest';\nimport \{ expectCollected \} from 'retention-explorer\/testing';/m);
  assert.match(regressionTest(finding, { style: 'mocha', esm: false }), /^it\("doc\.root is freed/m);
});

test('hostile text stays in comments and strings; an expression that is not a plain member path is not pasted as code', () => {
  const text = regressionTest({ expression: 'cache.get("a"); process.exit()', className: 'Evil */ process.exit() /*\n', scope: 'global scope', fix: 'x\n}); require("child_process")' }, { style: 'node:test', esm: false });
  assert.doesNotMatch(text, /\*\/ process\.exit/);
  assert.doesNotMatch(text, /^\}\); require/m);
  assert.doesNotMatch(text, /^\s*cache\.get/m);
  assert.match(text, /return undefined; \/\/ TODO: return the Evil/);
  assert.equal(actionOf('global scope'), null);
  assert.equal(actionOf('frame 1 (Panel.close)'), 'close');
});

test('this.x becomes owner.x', () => {
  assert.match(regressionTest({ expression: 'this.children[0]', className: 'TreeNode', scope: 'frame 0 (dispose)' }, { style: 'node:test', esm: false }),
    /const owner = undefined;[^\n]*\n\s+dispose\(owner\);[^\n]*\n\s+return owner\.children\[0\];/);
});
