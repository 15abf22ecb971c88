// @ts-check
// `npm start`: the real VS Code (code-server) in your browser, on 127.0.0.1 only, with Retention Explorer installed and
// the bundled example/ workspace open, ready to debug. Stays up until Ctrl-C, then stops everything and cleans up.
//
//   node scripts/start.mjs [--dev] [--no-build] [--folder PATH]
//
//   default     builds, packages the extension with @vscode/vsce and installs the .vsix into a fresh, isolated
//               code-server (what a user of the packaged extension gets)
//   --dev       loads the extension from this checkout instead (extension development mode: rebuild with
//               `npm run build`, then "Developer: Reload Window" picks up the change); the URL carries the
//               development path
//   --no-build  use dist/ as it is
//   --folder    open another folder instead of example/
// The port is $PORT, else 8080, else any free one.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { root, startCodeServer } from './codeServer.mjs';
import { ensureSetup } from './setup-vscode.mjs';

const argv = process.argv.slice(2);
const dev = argv.includes('--dev');
const folderArg = argv.includes('--folder') ? argv[argv.indexOf('--folder') + 1] : undefined;
const folder = resolve(folderArg ?? join(root, 'example'));
if (!existsSync(folder)) {
  console.error(`The folder to open does not exist: ${folder}`);
  process.exit(1);
}

if (!argv.includes('--no-build')) {
  console.log('[start] building');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--no-tsc'], { cwd: root, stdio: 'inherit' });
}
if (!existsSync(join(root, 'dist', 'extension.js'))) {
  console.error('dist/extension.js is missing: run `npm run build`.');
  process.exit(1);
}
ensureSetup({ quiet: true });

let vsixDir;
const vsix = [];
if (!dev) {
  vsixDir = join(root, '.run', `start-pkg-${process.pid}`);
  mkdirSync(vsixDir, { recursive: true });
  const file = join(vsixDir, 'retention-explorer.vsix');
  console.log('[start] packaging the extension (vsce package)');
  const vsce = createRequire(join(root, 'package.json')).resolve('@vscode/vsce/vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', file],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    console.error(`vsce package failed:\n${r.stdout}\n${r.stderr}`);
    rmSync(vsixDir, { recursive: true, force: true });
    process.exit(1);
  }
  vsix.push(file);
}

const preferred = Number(process.env.PORT) || 8080;
let cs;
try {
  cs = await startCodeServer({ id: `start-${process.pid}`, port: preferred, vsix, smokeTestDriver: dev });
} finally {
  if (vsixDir) rmSync(vsixDir, { recursive: true, force: true });
}
const url = dev ? cs.url(folder, [['extensionDevelopmentPath', cs.remoteUri(root)]]) : cs.url(folder);

console.log('');
console.log(`  VS Code with Retention Explorer ${dev ? '(from this checkout, development mode)' : '(installed from its .vsix)'} is running:`);
console.log('');
console.log(`    ${url}`);
console.log('');
if (cs.port !== preferred) console.log(`  (port ${preferred} was taken; using ${cs.port})`);
console.log(`  Workspace: ${folder}`);
console.log('  Open the URL in a browser on this machine, then Run and Debug -> start the example, and');
console.log('  F1 -> "Retention: Find Retaining Cycles". Press Ctrl-C here to stop.');

let stopping = false;
async function shutdown(reason) {
  if (stopping) return;
  stopping = true;
  console.log(`\n[start] ${reason}: stopping code-server`);
  await cs.stop();
  process.exit(0);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => shutdown(sig));
cs.exited.then(async ({ code, signal }) => {
  if (stopping) return;
  console.error(`[start] code-server exited unexpectedly (${code ?? signal}):\n${cs.tail()}`);
  stopping = true;
  await cs.stop();
  process.exit(1);
});
