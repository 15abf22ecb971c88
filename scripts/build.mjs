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
// The test oracle: Chrome DevTools' own heap snapshot worker (npm chrome-devtools-frontend, TypeScript/ESM), for
// Node. One shim: `core/i18n/locales.js` is generated in DevTools' own build and absent from the package; the
// worker needs only the default locale from it. ESM, because DevTools uses top-level await.
const devtoolsLocales = {
  name: 'devtools-locales',
  setup(b) {
    b.onResolve({ filter: /^\.\/locales\.js$/ }, (a) => (/core[\\/]i18n/.test(a.importer) ? { path: 'locales', namespace: 'devtools-shim' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'devtools-shim' }, () => ({
      loader: 'js',
      contents: "export const LOCALES = ['en-US']; export const BUNDLED_LOCALES = ['en-US']; export const DEFAULT_LOCALE = 'en-US'; export const LOCAL_FETCH_PATTERN = ''; export const REMOTE_FETCH_PATTERN = '';",
    }));
  },
};
if (!production) {
  await build({
    ...node, format: 'esm', sourcemap: false, entryPoints: ['test/devtools/heapSnapshotWorker.entry.js'],
    outfile: 'out/test/devtools/heapSnapshotWorker.mjs', plugins: [devtoolsLocales],
  });
}
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
