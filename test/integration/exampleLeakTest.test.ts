/**
 * The worked example (example/app.test.js), run as a user would (`node --test`): it fails on the seed's tree with
 * the retention report, and passes once TreeNode's `parent` back-reference is a WeakRef (the one-line fix applied
 * to a copy of the example inside this package, so `retention-explorer/testing` resolves as it does in example/).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';

const ROOT = resolve(__dirname, '../../..');
mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
const copy = mkdtempSync(join(ROOT, 'test-artifacts', 'example-fixed-'));
after(() => rmSync(copy, { recursive: true, force: true }));

function nodeTest(file: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolvePromise, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.NODE_TEST_CONTEXT; // else the child reports to this runner instead of printing
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.on('error', reject);
    child.on('exit', (code) => resolvePromise({ code, stdout }));
  });
}

test('the example\'s test fails on the seed\'s tree, naming the back-references, the listener and its line', async () => {
  const { code, stdout } = await nodeTest(join(ROOT, 'example/app.test.js'));
  assert.equal(code, 1, stdout);
  assert.match(stdout, /not ok 1 - a closed document frees its tree/);
  assert.match(stdout, /still alive after garbage collection: TreeNode "doc\.root"/);
  assert.match(stdout, /closure captures `this` -> TreeNode @\d+ {2}\S*example\/app\.js:\d+:\d+\n\s+\.parent -> TreeNode/);
  const listenerLine = readFileSync(join(ROOT, 'example/app.js'), 'utf8').split('\n').findIndex((l) => l.includes("settings.on('theme'")) + 1;
  assert.match(stdout, new RegExp(`Break this reference: .*\\.theme -> \\(anonymous function\\) @\\d+ {2}\\(\\S*example/app\\.js:${listenerLine}:\\d+\\)`));
  // The tree node is named by a way the program reaches it (`treeNode.prev.prev`), else by its class.
  assert.match(stdout, /settings\.off\("theme", treeNode(\.\w+)*\.onTheme\)/);
});

test('with the back-reference made a WeakRef, the same test passes', async () => {
  cpSync(join(ROOT, 'example/app.test.js'), join(copy, 'app.test.js'));
  const app = readFileSync(join(ROOT, 'example/app.js'), 'utf8');
  const fixedApp = app.replace('this.parent = parent; // back-reference: child -> parent', 'this.parent = parent && new WeakRef(parent); // back-reference, now weak');
  assert.notEqual(fixedApp, app, 'the example still has its back-reference line');
  writeFileSync(join(copy, 'app.js'), fixedApp);
  const { code, stdout } = await nodeTest(join(copy, 'app.test.js'));
  assert.equal(code, 0, stdout);
  assert.match(stdout, /^ok 1 - a closed document frees its tree/m);
});
