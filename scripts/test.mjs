// The project's one test command. Builds, then runs, in order:
//   unit         node:test files under out/test/unit (synthetic graphs and real snapshots of real programs)
//   integration  node:test files under out/test/integration (real `node --inspect` targets over real CDP)
//   realworld    node:test files under out/test/realworld (real leaks in real npm packages, test/realworld/README.md)
//   vscode       the extension suite inside a real VS Code (code-server) with a real js-debug session,
//                and the browser-level test driving the real workbench (scripts/vscode-tests.mjs)
// and closes with one line "N passed, N failed".
//   node scripts/test.mjs [unit|integration|realworld|vscode ...]
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wanted = process.argv.slice(2);
const phases = wanted.length ? wanted : ['unit', 'integration', 'realworld', 'vscode'];

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
    const out = stream.compose(spec);
    out.on('data', (d) => process.stdout.write(d));
    out.on('end', resolve);
    out.on('error', reject);
  });
}

for (const phase of phases) {
  if (phase === 'unit' || phase === 'integration' || phase === 'realworld') {
    await runNodeTests(phase);
  } else if (phase === 'vscode') {
    console.log('\n== vscode: extension suite and browser test in a real VS Code (code-server)');
    const r = spawnSync(process.execPath, [join(root, 'scripts/vscode-tests.mjs'), '--json-summary'], {
      cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8',
    });
    const lines = (r.stdout || '').split('\n');
    for (const line of lines) if (!line.startsWith('@@summary ')) console.log(line);
    const summary = lines.find((l) => l.startsWith('@@summary '));
    if (summary) {
      const s = JSON.parse(summary.slice('@@summary '.length));
      passed += s.passed;
      failed += s.failed;
    }
    if (r.status !== 0 && (!summary || JSON.parse(summary.slice(10)).failed === 0)) {
      console.log(`vscode phase exited with ${r.status ?? r.signal} before reporting its tests`);
      failed++;
    }
  } else {
    console.error(`unknown phase ${phase}`);
    process.exit(2);
  }
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
