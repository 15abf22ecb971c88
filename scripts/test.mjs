// @ts-check
// The project's one test command. Builds, then runs, in order:
//   lint         typescript-eslint's type-checked rules over all TypeScript, and the scripts type-checked (@ts-check);
//                every problem counts as one failure
//   unit         node:test files under out/test/unit (synthetic graphs and real snapshots of real programs)
//   integration  node:test files under out/test/integration (real `node --inspect` targets over real CDP)
//   realworld    node:test files under out/test/realworld (real leaks in real npm packages, test/realworld/README.md)
//   vscode       the extension suite inside a real VS Code (code-server) with a real js-debug session,
//                and the browser-level test driving the real workbench (scripts/vscode-tests.mjs)
// and closes with one line "N passed, N failed".
//   node scripts/test.mjs [lint|unit|integration|realworld|vscode ...]
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wanted = process.argv.slice(2);
const phases = wanted.length ? wanted : ['lint', 'unit', 'integration', 'realworld', 'vscode'];

execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });

let passed = 0;
let failed = 0;

async function runNodeTests(dir) {
  const abs = join(root, 'out/test', dir);
  if (!existsSync(abs)) return;
  const files = readdirSync(abs).filter((f) => f.endsWith('.test.js')).sort().map((f) => join(abs, f));
  if (files.length === 0) return;
  console.log(`\n== ${dir}: ${files.length} files`);
  const stream = run({ files, concurrency: 1, timeout: 10 * 60_000 });
  stream.on('test:pass', (e) => { if (e.details?.type !== 'suite') passed++; });
  stream.on('test:fail', (e) => { if (e.details?.type !== 'suite') failed++; });
  await new Promise((resolve, reject) => {
    // @types/node types compose() narrower than node:test's reporters, which it takes.
    const out = stream.compose(/** @type {any} */ (spec));
    out.on('data', (d) => process.stdout.write(d));
    out.on('end', resolve);
    out.on('error', reject);
  });
}

async function lint() {
  console.log('\n== lint: typescript-eslint (type-checked rules) and the scripts type-checked');
  const scripts = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'scripts/tsconfig.json'], {
    cwd: root, encoding: 'utf8',
  });
  const scriptErrors = (scripts.stdout.match(/error TS\d+/g) ?? []).length || (scripts.status === 0 ? 0 : 1);
  if (scriptErrors) console.log(scripts.stdout);
  console.log(`${scriptErrors ? '✖' : '✔'} scripts/*.mjs type-check: ${scriptErrors} error(s)`);
  const { ESLint } = await import('eslint');
  const eslint = new ESLint({ cwd: root });
  const results = await eslint.lintFiles(['.']);
  const problems = results.reduce((n, r) => n + r.errorCount + r.warningCount, 0);
  if (problems) console.log(await (await eslint.loadFormatter('stylish')).format(results));
  console.log(`${problems ? '✖' : '✔'} eslint: ${results.length} files, ${problems} problem(s)`);
  for (const n of [scriptErrors, problems]) {
    if (n) failed += n;
    else passed++;
  }
}

for (const phase of phases) {
  if (phase === 'lint') {
    await lint();
  } else if (phase === 'unit' || phase === 'integration' || phase === 'realworld') {
    await runNodeTests(phase);
  } else if (phase === 'vscode') {
    console.log('\n== vscode: extension suite and browser test in a real VS Code (code-server)');
    // Streamed line by line, so the first run's install steps (and their times) show as they happen.
    const child = spawn(process.execPath, [join(root, 'scripts/vscode-tests.mjs'), '--json-summary'], {
      cwd: root, stdio: ['ignore', 'pipe', 'inherit'],
    });
    /** @type {{ passed: number, failed: number } | undefined} */
    let summary;
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      pending += chunk;
      let i;
      while ((i = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        if (line.startsWith('@@summary ')) summary = JSON.parse(line.slice('@@summary '.length));
        else console.log(line);
      }
    });
    const status = await new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? signal)));
    if (pending) console.log(pending);
    if (summary) {
      passed += summary.passed;
      failed += summary.failed;
    }
    if (status !== 0 && (!summary || summary.failed === 0)) {
      console.log(`vscode phase exited with ${status} before reporting its tests`);
      failed++;
    }
  } else {
    console.error(`unknown phase ${phase}`);
    process.exit(2);
  }
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
