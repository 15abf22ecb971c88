/**
 * retention-explorer/testing used the way a user would: real test files (test/runners/*.test.*) run by the real
 * runners installed as devDependencies (node:test, Jest, Vitest, Mocha), one process per runner, each with its own
 * JSON report. The leaky program's checks must fail with a message that names the reference to break and its line;
 * the fixed program's and the clean program's (20 runs in a row) must pass; bad use gets a sentence.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';

const ROOT = resolve(__dirname, '../../..');
const RUNNERS = join(ROOT, 'test/runners');
const BIN = join(ROOT, 'node_modules/.bin');
const out = mkdtempSync(join(tmpdir(), 'retention-runners-'));
after(() => rmSync(out, { recursive: true, force: true }));

interface Result { title: string; status: 'passed' | 'failed'; message: string }

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    // Without this file's NODE_TEST_CONTEXT: a `node --test` that inherits it reports to us as a subtest stream.
    const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1' };
    delete env.NODE_TEST_CONTEXT;
    const child = spawn(command, args, { cwd: RUNNERS, stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('exit', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

const TIMEOUT = '600000';
const runners: Record<string, () => Promise<Result[]>> = {
  'node:test': async () => {
    const file = join(out, 'node.json');
    await run(process.execPath, ['--test', '--test-reporter=./nodeTestJsonReporter.mjs', `--test-reporter-destination=${file}`, 'node.test.cjs']);
    return JSON.parse(readFileSync(file, 'utf8')) as Result[];
  },
  jest: async () => {
    const file = join(out, 'jest.json');
    await run(join(BIN, 'jest'), ['--rootDir', '.', '--testMatch', '**/jest.test.cjs', '--runInBand', `--testTimeout=${TIMEOUT}`, '--json', '--outputFile', file]);
    const report = JSON.parse(readFileSync(file, 'utf8')) as { testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[] };
    return report.testResults.flatMap((f) => f.assertionResults).map((a) => ({ title: a.title, status: a.status as Result['status'], message: a.failureMessages.join('\n') }));
  },
  vitest: async () => {
    const file = join(out, 'vitest.json');
    await run(join(BIN, 'vitest'), ['run', 'vitest.test.mjs', '--root', '.', '--reporter=json', `--outputFile=${file}`, `--testTimeout=${TIMEOUT}`]);
    const report = JSON.parse(readFileSync(file, 'utf8')) as { testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[] };
    return report.testResults.flatMap((f) => f.assertionResults).map((a) => ({ title: a.title, status: a.status as Result['status'], message: a.failureMessages.join('\n') }));
  },
  mocha: async () => {
    const { stdout } = await run(join(BIN, 'mocha'), ['--timeout', TIMEOUT, '--reporter', 'json', 'mocha.test.cjs']);
    const report = JSON.parse(stdout) as { passes: { title: string }[]; failures: { title: string; err: { message: string } }[] };
    return [
      ...report.passes.map((p) => ({ title: p.title, status: 'passed' as const, message: '' })),
      ...report.failures.map((f) => ({ title: f.title, status: 'failed' as const, message: f.err.message })),
    ];
  },
};

const LISTENER_LINE = 'programs/leaky.cjs:13';

for (const [runner, runIt] of Object.entries(runners)) {
  describe(`retention-explorer/testing under ${runner}`, () => {
    let results: Result[] = [];
    const byTitle = (title: string) => {
      const r = results.find((x) => x.title === title);
      assert.ok(r, `${runner} reported no test "${title}" (it reported: ${results.map((x) => x.title).join(', ')})`);
      return r;
    };

    test('the runner runs the shared checks', async () => {
      results = await runIt();
      assert.equal(results.length, 31, JSON.stringify(results.map((r) => `${r.status} ${r.title}`)));
    });

    test('leaky program: expectCollected and assertCollected fail naming the listener, its line and the fix', () => {
      for (const title of ['leaky: expectCollected on a closed panel', 'leaky: track + assertCollected']) {
        const r = byTitle(title);
        assert.equal(r.status, 'failed');
        assert.match(r.message, /still alive after garbage collection: Panel "(closed|log) panel" \(tracked at [^)]*cases\.cjs:\d+:\d+\)/);
        assert.match(r.message, /Break this reference: .* -> \(anonymous function\) @\d+ {2}\(\S*programs\/leaky\.cjs:13:\d+\)/);
        assert.ok(r.message.includes(LISTENER_LINE), `the message names the listener's line ${LISTENER_LINE}:\n${r.message}`);
        // The panel is named by the way the program reaches it, when one names it (`object.panel`), else by its class.
        assert.match(r.message, /theme\.off\("change", (\w+\.)*panel\.onTheme\)/);
        assert.match(r.message, /Why it is alive \(\d+ shortest paths? from GC roots\)/);
        assert.match(r.message, /\.theme -> EventEmitter/);
        // A plain AssertionError made like assert.fail's: no runner shows an empty expected/received pair for it.
        assert.doesNotMatch(r.message, /Expected value|Received:/);
      }
    });

    test('leaky program: expectNoGrowth fails naming the growing class and the path that holds the new instances', () => {
      const r = byTitle('leaky: expectNoGrowth over open/close');
      assert.equal(r.status, 'failed');
      assert.match(r.message, /expectNoGrowth: instances of a class of your program keep growing/);
      assert.match(r.message, /Panel\s+(\d+) -> (\d+) -> (\d+)\s+\+1\.0\s+\S*programs\/leaky\.cjs:10/);
      assert.match(r.message, /New Panel instances, grouped by the path that holds them \(10 examined\):\n\s+1\. 10 × .*\.theme -> EventEmitter \/ \._events -> Object \/ \.change -> Array \/ \[n\] -> \(closure\) \/ closure captures `this` -> Panel/);
      assert.ok(r.message.includes(LISTENER_LINE), r.message);
    });

    test('a real leak in a published package: debug@4.1.1 keeps every logger in createDebug.instances (debug-js/debug#678); 4.3.1 does not', () => {
      const leaky = byTitle('leaky: debug@4.1.1, a logger created per call');
      assert.equal(leaky.status, 'failed');
      assert.match(leaky.message, /still alive after garbage collection: function debug "per-call logger"/);
      // Reached from the module cache or from the test's closure over it, depending on the runner.
      assert.match(leaky.message, / -> createDebug\(\) @\d+ {2}\S*debug-leaky\/src\/common\.js:\d+:\d+\n\s+\.instances -> Array @\d+\n\s+\[\d+\] -> debug\(\) @\d+ {2}\S*debug-leaky\/src\/common\.js:\d+:\d+/);
      assert.match(leaky.message, /Break this reference: Array @\d+ \[\d+\] -> debug\(\)/);
      const fixed = byTitle('fixed: debug@4.3.1, a logger created per call');
      assert.equal(fixed.status, 'passed', fixed.message);
    });

    test('fixed program: the same checks pass', () => {
      for (const title of ['fixed: expectCollected on a closed panel', 'fixed: track + assertCollected', 'fixed: expectNoGrowth over open/close']) {
        const r = byTitle(title);
        assert.equal(r.status, 'passed', `${title}: ${r.message}`);
      }
    });

    test('clean program: 20 runs in a row and expectNoGrowth, no failure', () => {
      const clean = results.filter((r) => r.title.startsWith('clean:'));
      assert.equal(clean.length, 21);
      assert.deepEqual(clean.filter((r) => r.status !== 'passed').map((r) => `${r.title}: ${r.message}`), []);
    });

    test('bad use gets a sentence', () => {
      for (const title of ['bad use: a primitive passed to expectCollected', 'bad use: nothing is left behind after a check']) {
        const r = byTitle(title);
        assert.equal(r.status, 'passed', `${title}: ${r.message}`);
      }
    });
  });
}

test('a test that tracks and never asserts is named on exit', async () => {
  const { code, stderr } = await run(process.execPath, ['neverAsserts.cjs']);
  assert.equal(code, 0);
  assert.match(stderr, /retention-explorer\/testing: 1 tracked object was never checked: Object "forgotten session" \(tracked at \S*neverAsserts\.cjs:6:1\)\. Call `await assertCollected\(\)`/);
});
