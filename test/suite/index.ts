// The extension-test entry point: VS Code loads this module in the real extension host (code-server's, through the
// smoke-test-driver payload, or desktop VS Code's through @vscode/test-electron) and awaits `run()`.
//
// It runs every out/test/suite/*.test.js with mocha. Test files use either interface:
//   import { suite, test, suiteSetup } from 'mocha';      (tdd)   or   import { describe, it, before } from 'mocha';  (bdd)
// and `import * as vscode from 'vscode'`.
//
// The workbench only learns an exit code, so the results (every test: name, state, duration, error message and stack)
// are written as JSON to $RETENTION_TEST_RESULTS, or .run/vscode-suite-results.json when it is unset, after every test
// (so a hang still shows how far it got). Optional $RETENTION_TEST_GREP filters tests by full title (a regular
// expression); $RETENTION_TEST_TIMEOUT_MS sets mocha's per-test timeout (default 120000).
import Mocha from 'mocha';
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface SuiteTestResult {
  title: string;
  fullTitle: string;
  file?: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: { message: string; stack?: string };
}

export interface SuiteResults {
  status: 'running' | 'done' | 'crashed';
  startedAt: string;
  finishedAt?: string;
  files: string[];
  tests: SuiteTestResult[];
  /** Failures outside a test (hooks, loading a file). */
  errors: { where: string; message: string; stack?: string }[];
  passed: number;
  failed: number;
  pending: number;
}

const repoRoot = resolve(__dirname, '..', '..', '..');

export function resultsPath(): string {
  return process.env.RETENTION_TEST_RESULTS || join(repoRoot, '.run', 'vscode-suite-results.json');
}

function writeResults(results: SuiteResults): void {
  const file = resultsPath();
  mkdirSync(dirname(file), { recursive: true });
  // Written whole then renamed, so a reader never sees half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(results, null, 2));
  renameSync(tmp, file);
}

function errorOf(err: unknown): { message: string; stack?: string } {
  if (err instanceof Error) return { message: err.message, stack: err.stack };
  return { message: String(err) };
}

export async function run(): Promise<void> {
  const results: SuiteResults = {
    status: 'running',
    startedAt: new Date().toISOString(),
    files: [],
    tests: [],
    errors: [],
    passed: 0,
    failed: 0,
    pending: 0,
  };
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    timeout: Number(process.env.RETENTION_TEST_TIMEOUT_MS) || 120_000,
    // A silent reporter: results go to the JSON file; each line also goes to the console for the exthost log.
    reporter: class extends Mocha.reporters.Base {
      constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
        super(runner, options);
        runner.on('pass', (t) => {
          results.passed++;
          results.tests.push({ title: t.title, fullTitle: t.fullTitle(), file: t.file, state: 'passed', durationMs: t.duration });
          console.log(`[suite] pass ${t.fullTitle()}`);
          writeResults(results);
        });
        runner.on('fail', (t: Mocha.Test | Mocha.Hook, err) => {
          results.failed++;
          if (t instanceof Mocha.Hook) {
            results.errors.push({ where: t.fullTitle(), ...errorOf(err) });
          } else {
            results.tests.push({ title: t.title, fullTitle: t.fullTitle(), file: t.file, state: 'failed', durationMs: t.duration, error: errorOf(err) });
          }
          console.log(`[suite] FAIL ${t.fullTitle()}: ${errorOf(err).message}`);
          writeResults(results);
        });
        runner.on('pending', (t) => {
          results.pending++;
          results.tests.push({ title: t.title, fullTitle: t.fullTitle(), file: t.file, state: 'pending' });
          writeResults(results);
        });
      }
    },
  });
  // bdd globals too, so either style works in the same run.
  Mocha.interfaces.bdd(mocha.suite);
  if (process.env.RETENTION_TEST_GREP) mocha.grep(new RegExp(process.env.RETENTION_TEST_GREP));

  const files = readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort().map((f) => join(__dirname, f));
  results.files = files;
  writeResults(results);
  for (const f of files) mocha.addFile(f);

  try {
    await mocha.loadFilesAsync();
  } catch (err) {
    results.status = 'crashed';
    results.failed++;
    results.errors.push({ where: 'loading test files', ...errorOf(err) });
    results.finishedAt = new Date().toISOString();
    writeResults(results);
    throw err;
  }
  const failures = await new Promise<number>((done) => mocha.run(done));
  results.status = 'done';
  results.finishedAt = new Date().toISOString();
  writeResults(results);
  if (files.length === 0) throw new Error(`no *.test.js files in ${__dirname}`);
  if (failures > 0 || results.failed > 0) throw new Error(`${results.failed} extension test(s) failed`);
}
