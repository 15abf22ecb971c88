// @ts-check
// Builds every bundle with esbuild and type-checks (and compiles tests) with tsc.
//   node scripts/build.mjs [--production] [--no-tsc]
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
/** @type {import('esbuild').BuildOptions} */
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', absWorkingDir: root };
/** @type {import('esbuild').BuildOptions} */
const node = { ...common, platform: 'node', target: 'node20', format: 'cjs' };

await Promise.all([
  build({ ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  build({ ...node, entryPoints: ['src/worker/analysisWorker.ts'], outfile: 'dist/worker.js' }),
  build({ ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js' }),
  build({ ...node, entryPoints: ['bench/bench.ts'], outfile: 'dist/bench.js' }),
  // The package's `retention-explorer/testing` export, loaded inside the user's own tests.
  build({ ...node, entryPoints: ['src/testing/index.ts'], outfile: 'dist/testing.js' }),
  build({ ...common, platform: 'browser', target: 'es2022', format: 'iife', entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview/webview.js' }),
]);
mkdirSync(join(root, 'dist/webview'), { recursive: true });
for (const f of ['codicon.css', 'codicon.ttf']) {
  cpSync(join(root, 'node_modules/@vscode/codicons/dist', f), join(root, 'dist/webview', f));
}
if (!process.argv.includes('--no-tsc')) {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [tsc, '-p', 'src/webview/tsconfig.json'], { cwd: root, stdio: 'inherit' });
  // The core once more, without Node's types: a file read or a socket in src/core does not compile.
  execFileSync(process.execPath, [tsc, '-p', 'src/core/tsconfig.json'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.testing.json'], { cwd: root, stdio: 'inherit' });
}
