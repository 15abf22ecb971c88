// @ts-check
// Runs the project's tests inside a real VS Code: code-server (installed by scripts/setup-vscode.mjs) driven by Debian's
// Chromium through playwright-core. Builds nothing: `npm test` (scripts/test.mjs) builds first.
//
//   node scripts/vscode-tests.mjs [--only suite,e2e,vsix] [--grep REGEX] [--keep] [--electron]
//
//   suite  out/test/suite/index.js (mocha over out/test/suite/*.test.js) in code-server's extension host, loaded through
//          the smoke-test-driver payload; results come back through $RETENTION_TEST_RESULTS (a JSON file).
//   e2e    every exported async function of out/test/e2e/*.test.js (and test/e2e/*.test.{js,mjs}), each with a fresh
//          code-server and browser context, the workbench open on the workspace with the extension loaded from the
//          development path. Screenshots go to test-artifacts/.
//   vsix   packages the built dist/ with @vscode/vsce and checks `code-server --install-extension` installs it into a
//          fresh extensions dir and `--list-extensions` lists it.
//   start  runs `npm start` as a user does, opens the URL it prints in the browser, checks the workbench, example/ and
//          the installed extension, then sends Ctrl-C (SIGINT to its process group) and checks nothing is left running.
//   --grep     only suite tests / e2e tests whose full name matches
//   --keep     keep .run/<id>/ (code-server logs, user data) after the run
//   --electron run the same suite in desktop VS Code with @vscode/test-electron instead (VSCODE_EXECUTABLE=/path/to/code
//              uses an installed VS Code; without it test-electron downloads one, which these machines cannot)
//
// The workspace is example/ (the bundled example) when it exists, else a temporary folder with a tiny Node program.
// Ends with `@@summary {"passed":N,"failed":M}` on its own line and a non-zero exit code when anything failed.
// Timeouts: RETENTION_SUITE_TIMEOUT_MS (default 900000) for the whole suite, RETENTION_E2E_TIMEOUT_MS (default
// 480000) per browser test.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { codeServerCli, launchChromium, prepareRun, root, startCodeServer, waitFor } from './codeServer.mjs';
import { ensureSetup } from './setup-vscode.mjs';

/** A caught value as text: its stack (or just its message) when it is an Error. */
function errorText(/** @type {unknown} */ e, stack = true) {
  return e instanceof Error ? (stack && e.stack) || e.message : String(e);
}

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const only = new Set((option('--only') ?? 'suite,e2e,vsix,start').split(',').map((s) => s.trim()).filter(Boolean));
const grepOption = option('--grep');
const grep = grepOption ? new RegExp(grepOption) : undefined;
const keep = flag('--keep');
const SUITE_TIMEOUT_MS = Number(process.env.RETENTION_SUITE_TIMEOUT_MS) || 15 * 60_000;
const E2E_TIMEOUT_MS = Number(process.env.RETENTION_E2E_TIMEOUT_MS) || 8 * 60_000;
const artifactsRoot = join(root, 'test-artifacts');
const suiteEntry = join(root, 'out', 'test', 'suite', 'index.js');
const EXTENSION_ID = 'retention-explorer.retention-explorer';

const results = [];
// Everything started is stopped through here, newest first, also on failure, timeout and Ctrl-C.
const cleanups = new Set();
let finishing = false;
function onCleanup(fn) {
  cleanups.add(fn);
  return async () => { if (cleanups.delete(fn)) await fn(); };
}

function record(name, ok, error, ms) {
  results.push({ name, ok, error });
  const time = ms === undefined ? '' : ` (${(ms / 1000).toFixed(1)} s)`;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}${time}`);
  if (!ok && error) console.log(indent(error, '       '));
}

function indent(text, pad) {
  return String(text).split('\n').map((l) => pad + l).join('\n');
}

async function cleanup() {
  for (const fn of [...cleanups].reverse()) {
    cleanups.delete(fn);
    try { await fn(); } catch (e) { console.error(`cleanup: ${errorText(e, false)}`); }
  }
}

function summaryAndExit(code) {
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`\nvscode: ${passed} passed, ${failed} failed`);
  console.log(`@@summary ${JSON.stringify({ passed, failed })}`);
  process.exit(code ?? (failed > 0 || passed === 0 ? 1 : 0));
}

/** Appends to a log file, creating its folder; never throws (it runs in event handlers). */
function appendLog(file, text) {
  try {
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, text);
  } catch { /* a log line is not worth a crash */ }
}

// A crash of the harness itself still reports, stops what it started and prints the summary.
for (const ev of ['uncaughtException', 'unhandledRejection']) {
  process.on(ev, async (e) => {
    if (finishing) return;
    finishing = true;
    record(`vscode harness (${ev})`, false, e?.stack || String(e));
    await cleanup();
    summaryAndExit(1);
  });
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, async () => {
    if (finishing) return;
    finishing = true;
    console.error(`\n${sig}: stopping code-server and the browser`);
    record(`interrupted by ${sig}`, false);
    await cleanup();
    summaryAndExit(130);
  });
}

/** example/ when it exists, else a temporary workspace with a tiny leaky program and a launch configuration. */
function chooseWorkspace() {
  const example = join(root, 'example');
  if (existsSync(join(example, '.vscode', 'launch.json'))) return example;
  if (existsSync(example)) console.log('example/ has no .vscode/launch.json yet; using it anyway');
  if (existsSync(example)) return example;
  const dir = mkdtempSync(join(root, '.run', 'workspace-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, '.vscode'), { recursive: true });
  writeFileSync(join(dir, 'app.js'), [
    'class Node { constructor(parent) { this.parent = parent; this.children = []; if (parent) parent.children.push(this); } }',
    'const cache = new Map();',
    'setInterval(() => { const root = new Node(); new Node(root); cache.set(cache.size, root); }, 100);',
    '',
  ].join('\n'));
  writeFileSync(join(dir, '.vscode', 'launch.json'), JSON.stringify({
    version: '0.2.0',
    configurations: [{ type: 'node', request: 'launch', name: 'Launch app', program: '${workspaceFolder}/app.js' }],
  }, null, 2));
  return dir;
}

function nodeModulesRequire() {
  return createRequire(join(root, 'package.json'));
}

// ---------------------------------------------------------------------------------------------------------------
// suite: mocha inside code-server's extension host

async function runSuite(workspace, browser) {
  console.log('\n-- extension tests in the extension host (code-server + smoke-test driver)');
  if (!existsSync(suiteEntry)) {
    record('suite: out/test/suite/index.js exists', false, 'out/test/suite/index.js is missing: run `npm run build` (tsc compiles test/suite).');
    return;
  }
  const artifacts = join(artifactsRoot, 'suite');
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  // Per process, so two runs at once (several engineers share a checkout) never read each other's results.
  const resultsFile = join(root, '.run', `suite-results-${process.pid}.json`);
  onCleanup(() => rmSync(resultsFile, { force: true }));
  const consoleLog = join(artifacts, 'console.log');
  const env = { RETENTION_TEST_RESULTS: resultsFile };
  if (grep) env.RETENTION_TEST_GREP = grep.source;

  const t0 = Date.now();
  const cs = await startCodeServer({ id: `suite-${process.pid}`, smokeTestDriver: true, env, keep });
  const stopServer = onCleanup(() => cs.stop());
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const closeContext = onCleanup(() => context.close());
  const page = await context.newPage();
  page.on('console', (m) => appendLog(consoleLog, `[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => appendLog(consoleLog, `[pageerror] ${e.message}\n`));
  let reportExit;
  const exitCode = new Promise((resolve) => { reportExit = resolve; });
  await page.exposeFunction('codeAutomationExit', (code) => { reportExit(code); });
  const payload = [
    ['extensionDevelopmentPath', cs.remoteUri(root)],
    ['extensionTestsPath', cs.remoteUri(suiteEntry)],
  ];
  await page.goto(cs.url(workspace, payload));

  let timer;
  const outcome = await Promise.race([
    exitCode.then((code) => ({ code })),
    cs.exited.then((e) => ({ crashed: `code-server exited (${e.code ?? e.signal}) during the tests` })),
    new Promise((resolve) => { timer = setTimeout(() => resolve({ timeout: true }), SUITE_TIMEOUT_MS); }),
  ]);
  clearTimeout(timer);
  if (finishing) return; // interrupted: the signal handler reports and cleans up
  await page.screenshot({ path: join(artifacts, 'workbench-at-end.png') }).catch(() => undefined);

  let res;
  try {
    res = JSON.parse(readFileSync(resultsFile, 'utf8'));
  } catch {
    res = undefined;
  }
  if (res) {
    try {
      mkdirSync(artifacts, { recursive: true });
      writeFileSync(join(artifacts, 'results.json'), JSON.stringify(res, null, 2));
    } catch { /* the copy in test-artifacts is a convenience */ }
  }
  for (const t of res?.tests ?? []) {
    if (t.state === 'pending') { console.log(`  skip ${t.fullTitle}`); continue; }
    record(`suite › ${t.fullTitle}`, t.state === 'passed', t.error ? (t.error.stack || t.error.message) : undefined, t.durationMs);
  }
  for (const e of res?.errors ?? []) record(`suite › ${e.where}`, false, errorText(e));

  const where = `logs: ${relative(root, consoleLog)}${keep ? `, ${relative(root, cs.logFile)}` : ' (rerun with --keep for code-server logs)'}`;
  if (outcome.timeout) {
    const last = res?.tests?.at(-1)?.fullTitle;
    record('suite: finished in time', false,
      `The extension tests did not finish within ${SUITE_TIMEOUT_MS / 1000} s (${res ? `${res.passed} passed, ${res.failed} failed so far${last ? `; last finished: "${last}"` : ''}` : 'no test had started'}). ` +
      `Raise RETENTION_SUITE_TIMEOUT_MS if the machine is slow; ${where}, screenshot: ${relative(root, join(artifacts, 'workbench-at-end.png'))}`);
  } else if (outcome.crashed) {
    record('suite: code-server stayed up', false, `${outcome.crashed}\n${cs.tail()}`);
  } else if (!res) {
    record('suite: results written', false, `The extension host reported exit code ${outcome.code} but wrote no results to ${resultsFile}: the test runner did not load (${where}).`);
  } else if (outcome.code !== 0 && res.failed === 0) {
    record('suite: exit code', false, `The extension host reported exit code ${outcome.code} with no failed test recorded (${where}).`);
  } else if (res.tests.length === 0 && res.errors.length === 0) {
    record('suite: has tests', false, `No test ran from ${res.files.length} file(s): ${res.files.join(', ')}`);
  }
  console.log(`  suite finished in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await closeContext();
  await stopServer();
}

// ---------------------------------------------------------------------------------------------------------------
// e2e: browser-level tests against a fresh code-server each

function e2eFiles() {
  const out = [];
  for (const dir of [join(root, 'out', 'test', 'e2e'), join(root, 'test', 'e2e')]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (/\.test\.(js|mjs)$/.test(f)) out.push(join(dir, f));
    }
  }
  return out;
}

async function loadTests(file) {
  const mod = file.endsWith('.mjs') ? await import(pathToFileURL(file).href) : createRequire(file)(file);
  return Object.entries(mod).filter(([name, fn]) => typeof fn === 'function' && !name.startsWith('_') && name !== 'default');
}

async function waitForWorkbench(page) {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('.part.activitybar').first().waitFor({ state: 'visible', timeout: 60_000 });
  // Extensions (ours included) are up once the extension host reports in; the status bar shows the remote host then.
  await page.locator('.part.statusbar').first().waitFor({ state: 'visible', timeout: 60_000 });
}

async function runE2E(workspace, browser) {
  const files = e2eFiles();
  console.log(`\n-- browser tests: ${files.length} file(s)`);
  const e2eArtifacts = join(artifactsRoot, 'e2e');
  for (const file of files) {
    let tests;
    const short = file.replace(/^.*[\\/]/, '').replace(/\.test\.m?js$/, '');
    try {
      tests = await loadTests(file);
    } catch (e) {
      record(`e2e › ${short}: loads`, false, errorText(e));
      continue;
    }
    for (const [name, fn] of tests) {
      if (finishing) return;
      const full = `e2e › ${short} › ${name}`;
      if (grep && !grep.test(full)) continue;
      const artifactsDir = join(e2eArtifacts, `${short}.${name}`);
      // Only this test's folder is renewed: another run in the same checkout may be writing beside it.
      rmSync(artifactsDir, { recursive: true, force: true });
      mkdirSync(artifactsDir, { recursive: true });
      const logFile = join(artifactsDir, 'test.log');
      const t0 = Date.now();
      let page;
      let stopServer = async () => {};
      let closeContext = async () => {};
      try {
        const cs = await startCodeServer({ id: `e2e-${process.pid}`, smokeTestDriver: true, keep });
        stopServer = onCleanup(() => cs.stop());
        const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
        closeContext = onCleanup(() => context.close());
        page = await context.newPage();
        page.on('console', (m) => appendLog(join(artifactsDir, 'console.log'), `[${m.type()}] ${m.text()}\n`));
        page.setDefaultTimeout(30_000);
        await page.goto(cs.url(workspace, [['extensionDevelopmentPath', cs.remoteUri(root)]]));
        await waitForWorkbench(page);
        const ctx = {
          page,
          baseUrl: cs.baseUrl,
          workspace,
          artifactsDir,
          repoRoot: root,
          log: (m) => appendLog(logFile, `${new Date().toISOString()} ${m}\n`),
          screenshot: async (shot) => {
            const p = join(artifactsDir, `${shot}.png`);
            mkdirSync(artifactsDir, { recursive: true });
            await page.screenshot({ path: p });
            return p;
          },
        };
        let timer;
        await Promise.race([
          fn(ctx),
          new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${E2E_TIMEOUT_MS / 1000} s (RETENTION_E2E_TIMEOUT_MS)`)), E2E_TIMEOUT_MS); }),
        ]).finally(() => clearTimeout(timer));
        record(full, true, undefined, Date.now() - t0);
      } catch (e) {
        if (finishing) return;
        if (page) await page.screenshot({ path: join(artifactsDir, 'failure.png') }).catch(() => undefined);
        record(full, false, `${errorText(e)}\n(screenshot and console: ${relative(root, artifactsDir)})`, Date.now() - t0);
      } finally {
        await closeContext().catch(() => undefined);
        await stopServer();
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// vsix: package with vsce, install into a fresh code-server, list it

async function runVsix() {
  console.log('\n-- packaging: vsce package, code-server --install-extension, --list-extensions');
  const t0 = Date.now();
  const run = prepareRun({ id: `vsix-${process.pid}` });
  const disposeRun = onCleanup(() => { if (!keep) run.dispose(); });
  const vsix = join(run.dirs.runDir, 'retention-explorer.vsix');
  try {
    if (!existsSync(join(root, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
    const vsce = nodeModulesRequire().resolve('@vscode/vsce/vsce');
    const ls = spawnSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (ls.status !== 0) throw new Error(`vsce ls failed:\n${ls.stdout}\n${ls.stderr}`);
    const files = ls.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    const required = ['package.json', 'dist/extension.js', 'dist/worker.js', 'dist/webview/webview.js'];
    const missing = required.filter((f) => !files.includes(f));
    const leaked = files.filter((f) => /^(src|test|out|node_modules|\.tools|\.run|bench|scripts|example)\//.test(f) || f.endsWith('.map'));
    if (missing.length) throw new Error(`the package lacks ${missing.join(', ')} (.vscodeignore); it holds: ${files.join(', ')}`);
    if (leaked.length) throw new Error(`the package would ship ${leaked.join(', ')} (.vscodeignore)`);
    const pkg = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', vsix],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (pkg.status !== 0 || !existsSync(vsix)) throw new Error(`vsce package failed:\n${pkg.stdout}\n${pkg.stderr}`);
    const cli = (args) => codeServerCli(run, args);
    cli(['--install-extension', vsix, '--force']);
    const listed = cli(['--list-extensions', '--show-versions']).split('\n').map((l) => l.trim());
    const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
    if (!listed.includes(`${EXTENSION_ID}@${version}`)) {
      throw new Error(`code-server --list-extensions does not list ${EXTENSION_ID}@${version}: ${JSON.stringify(listed.filter(Boolean))}`);
    }
    const installedDir = join(run.dirs.extensions, `${EXTENSION_ID}-${version}`);
    if (!existsSync(join(installedDir, 'dist', 'extension.js'))) throw new Error(`installed, but ${installedDir}/dist/extension.js is missing`);
    record('vsix › vsce package installs into code-server and is listed', true, undefined, Date.now() - t0);
  } catch (e) {
    record('vsix › vsce package installs into code-server and is listed', false, errorText(e, false), Date.now() - t0);
  }
  await disposeRun();
}

// ---------------------------------------------------------------------------------------------------------------
// start: the README's `npm start`, as a user runs it

/** Processes (pid, process group, command line) whose command line contains `needle`. */
function processesWith(needle) {
  const r = spawnSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
  return (r.stdout || '').split('\n').flatMap((l) => {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l);
    return m ? [{ pid: Number(m[1]), pgid: Number(m[2]), args: m[3] }] : [];
  }).filter((p) => p.pid !== process.pid && p.args.includes(needle));
}

async function runStart(browser) {
  console.log('\n-- npm start, as a user runs it');
  const name = 'start › `npm start` serves VS Code with example/ and the extension installed; Ctrl-C leaves nothing running';
  const artifacts = join(artifactsRoot, 'start');
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  const logFile = join(artifacts, 'npm-start.log');
  const t0 = Date.now();
  // Its own process group, like a terminal's foreground job: Ctrl-C is SIGINT to the whole group.
  const child = spawn('npm', ['start'], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const onData = (d) => { output += d.toString('utf8'); appendLog(logFile, d.toString('utf8')); };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exit;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => { exit = { code, signal }; resolve(exit); }));
  const killGroup = (/** @type {NodeJS.Signals} */ sig) => {
    if (!child.pid) return; // never started: no group (and -0 would be our own)
    try { process.kill(-child.pid, sig); } catch { /* gone */ }
  };
  const stopStart = onCleanup(async () => { if (!exit) { killGroup('SIGINT'); await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]); killGroup('SIGKILL'); } });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const closeContext = onCleanup(() => context.close());
  const page = await context.newPage();
  try {
    const url = await waitFor(() => exit ? Promise.reject(new Error(`npm start exited (${exit.code ?? exit.signal}) before printing a URL:\n${output.slice(-3000)}`))
      : /^\s+(http:\/\/127\.0\.0\.1:\d+\/\S*)\s*$/m.exec(output)?.[1], { timeoutMs: 5 * 60_000, intervalMs: 250, message: `the URL from npm start; it printed:\n${output.slice(-3000)}` });
    const running = processesWith(join(root, '.run', 'start-'));
    if (!running.some((p) => p.args.includes('code-server'))) throw new Error(`npm start printed ${url}, but no code-server process of its run is found`);

    await page.goto(url);
    await waitForWorkbench(page);
    // example/ is the open folder: its files in the Explorer, its name in the window title.
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'app.js' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    const title = await page.title();
    if (!/\bexample\b/.test(title)) throw new Error(`the window title "${title}" does not name example/`);
    // The extension is installed (from its .vsix) and enabled: the Extensions view lists it, the palette offers it.
    const { waitForPaletteEntry, closeQuickInput, runCommand } = createRequire(import.meta.url)(join(root, 'out', 'test', 'e2e', 'harness.js'));
    await runCommand(page, 'Extensions: Show Installed Extensions');
    await page.locator('.extensions-viewlet .monaco-list-row', { hasText: 'Retention Explorer' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await waitForPaletteEntry(page, 'Retention: Find Retaining Cycles');
    await closeQuickInput(page);
    await page.screenshot({ path: join(artifacts, 'workbench.png') });
    await closeContext();

    // Ctrl-C: the script stops code-server and exits; nothing of the run is left.
    killGroup('SIGINT');
    await waitFor(() => exit, { timeoutMs: 30_000, message: 'npm start to exit after Ctrl-C' });
    const left = await waitFor(() => processesWith(join(root, '.run', 'start-')).length === 0 && running.every((p) => !alive(p.pid)) ? 'none' : undefined,
      { timeoutMs: 10_000, message: 'the processes of npm start to end' }).catch(() => processesWith(join(root, '.run', 'start-')));
    if (left !== 'none') throw new Error(`after Ctrl-C these processes are still running: ${JSON.stringify(left)}`);
    if (!/stopping code-server/.test(output)) throw new Error(`npm start did not say it was stopping code-server:\n${output.slice(-2000)}`);
    const leftDirs = existsSync(join(root, '.run')) ? readdirSync(join(root, '.run')).filter((d) => d.startsWith('start-')) : [];
    if (leftDirs.length) throw new Error(`npm start left its run folders behind: ${leftDirs.join(', ')}`);
    record(name, true, undefined, Date.now() - t0);
  } catch (e) {
    await page.screenshot({ path: join(artifacts, 'failure.png') }).catch(() => undefined);
    record(name, false, `${errorText(e)}\n(log and screenshot: ${relative(root, artifacts)})`, Date.now() - t0);
  } finally {
    await closeContext().catch(() => undefined);
    await stopStart();
  }
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

// ---------------------------------------------------------------------------------------------------------------
// desktop VS Code through @vscode/test-electron (for machines that have it; CI does not use this)

async function runElectron(workspace) {
  const { runTests } = nodeModulesRequire()('@vscode/test-electron');
  const resultsFile = join(artifactsRoot, 'suite-electron', 'results.json');
  mkdirSync(join(artifactsRoot, 'suite-electron'), { recursive: true });
  rmSync(resultsFile, { force: true });
  const run = prepareRun({ id: `electron-${process.pid}` });
  onCleanup(() => { if (!keep) run.dispose(); });
  let code;
  try {
    code = await runTests({
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
      extensionDevelopmentPath: root,
      extensionTestsPath: suiteEntry,
      extensionTestsEnv: { RETENTION_TEST_RESULTS: resultsFile, ...(grep ? { RETENTION_TEST_GREP: grep.source } : {}) },
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes',
        '--user-data-dir', run.dirs.userData, '--extensions-dir', run.dirs.extensions],
    });
  } catch (e) {
    code = e;
  }
  let res;
  try { res = JSON.parse(readFileSync(resultsFile, 'utf8')); } catch { res = undefined; }
  for (const t of res?.tests ?? []) {
    if (t.state !== 'pending') record(`electron suite › ${t.fullTitle}`, t.state === 'passed', t.error?.stack || t.error?.message, t.durationMs);
  }
  for (const e of res?.errors ?? []) record(`electron suite › ${e.where}`, false, errorText(e));
  if (!res) record('electron suite: ran', false, `VS Code desktop did not run the suite: ${code?.message ?? `exit code ${code}`}. Set VSCODE_EXECUTABLE to an installed VS Code.`);
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  mkdirSync(join(root, '.run'), { recursive: true });
  mkdirSync(artifactsRoot, { recursive: true });
  const workspace = chooseWorkspace();
  console.log(`workspace: ${workspace}`);
  if (flag('--electron')) {
    await runElectron(workspace);
    return;
  }
  ensureSetup({ quiet: true });
  if (!existsSync(join(root, 'dist', 'extension.js'))) {
    record('dist/extension.js exists', false, 'dist/extension.js is missing: run `npm run build` first.');
    return;
  }
  if (only.has('suite') || only.has('e2e') || only.has('start')) {
    const chromiumRun = prepareRun({ id: `chromium-${process.pid}` });
    onCleanup(() => chromiumRun.dispose());
    const browser = await launchChromium({ env: chromiumRun.env });
    onCleanup(() => browser.close());
    if (only.has('suite')) await runSuite(workspace, browser);
    if (only.has('e2e')) await runE2E(workspace, browser);
    if (only.has('start')) await runStart(browser);
  }
  if (only.has('vsix')) await runVsix();
}

try {
  await main();
} catch (e) {
  record('vscode harness', false, errorText(e));
}
finishing = true;
await cleanup();
summaryAndExit();
