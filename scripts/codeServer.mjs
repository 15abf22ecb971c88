// @ts-check
// Shared helpers for running the real VS Code (code-server) and driving it with Debian's Chromium (playwright-core).
// Everything a run writes lives under .run/<id>/ (HOME, XDG dirs, TMPDIR, user data, extensions) and is removed when
// the run stops; processes are started in their own process group and stopped with it.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths, root } from './setup-vscode.mjs';

export { root, paths };

/** User settings that keep a test or demo window quiet and deterministic. */
export const quietSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'git.enabled': false,
  'git.autofetch': false,
  'github.gitAuthentication': false,
  'npm.fetchOnlinePackageInfo': false,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'terminal.integrated.enablePersistentSessions': false,
  'workbench.localHistory.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'window.restoreWindows': 'none',
};

// Process groups and run folders made here; killed and removed synchronously if this process exits (even by an
// uncaught exception) without stopping them.
const liveGroups = new Set();
const liveRunDirs = new Set();
process.on('exit', () => {
  for (const pid of liveGroups) {
    try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  for (const dirs of liveRunDirs) {
    try { removeRunDir(dirs); } catch { /* best effort */ }
  }
});

/** A free TCP port on 127.0.0.1 (or `preferred` if it is free). */
export function freePort(preferred) {
  const tryPort = (p) => new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen(p, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
  return (async () => {
    if (preferred) {
      const p = await tryPort(preferred);
      if (p) return p;
    }
    const p = await tryPort(0);
    if (!p) throw new Error('no free TCP port on 127.0.0.1');
    return p;
  })();
}

/** Creates .run/<id>/ with isolated HOME, XDG_* and TMPDIR; returns the folders and the environment to use. */
export function makeRunDir(id) {
  const runDir = join(root, '.run', id);
  rmSync(runDir, { recursive: true, force: true });
  const dirs = {
    runDir,
    home: join(runDir, 'home'),
    config: join(runDir, 'xdg-config'),
    data: join(runDir, 'xdg-data'),
    cache: join(runDir, 'xdg-cache'),
    userData: join(runDir, 'user-data'),
    extensions: join(runDir, 'extensions'),
    tmp: join(runDir, 'tmp'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  liveRunDirs.add(dirs);
  // Unix sockets (VS Code's IPC, Chromium's singleton) must fit in 107 bytes: a deep checkout gets a short TMPDIR.
  if (dirs.tmp.length > 50) {
    dirs.tmp = mkdtempSync(join(tmpdir(), 're-run-'));
    dirs.externalTmp = true;
  }
  const env = { ...process.env };
  // Nothing from an enclosing VS Code, Node or code-server configuration (code-server reads $PORT over --bind-addr) may
  // leak into the one we start.
  for (const k of Object.keys(env)) {
    if (/^(VSCODE_|ELECTRON_|NODE_OPTIONS$|NODE_INSPECT|npm_|PORT$|PASSWORD$|HASHED_PASSWORD$|GITHUB_TOKEN$|CODE_SERVER_)/.test(k)) delete env[k];
  }
  Object.assign(env, {
    HOME: dirs.home,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: dirs.cache,
    XDG_RUNTIME_DIR: dirs.tmp,
    TMPDIR: dirs.tmp,
  });
  return { dirs, env };
}

function removeRunDir(dirs) {
  // Retries: a browser that just closed may still be flushing its profile for a moment.
  const opts = { recursive: true, force: true, maxRetries: 10, retryDelay: 200 };
  rmSync(dirs.runDir, opts);
  if (dirs.externalTmp) rmSync(dirs.tmp, opts);
  liveRunDirs.delete(dirs);
}

function writeSettings(dirs, settings) {
  const userDir = join(dirs.userData, 'User');
  mkdirSync(userDir, { recursive: true });
  writeFileSync(join(userDir, 'settings.json'), JSON.stringify({ ...quietSettings, ...settings }, null, 2) + '\n');
}

function codeServerArgs(dirs, port) {
  return [
    paths.codeServerEntry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--config', join(dirs.runDir, 'config.yaml'),
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
}

/** Runs the code-server CLI once (install/list extensions) with the run's isolation; returns stdout. */
export function codeServerCli(run, args) {
  const r = spawnSync(paths.node, [
    paths.codeServerEntry,
    '--config', join(run.dirs.runDir, 'config.yaml'),
    '--user-data-dir', run.dirs.userData,
    '--extensions-dir', run.dirs.extensions,
    ...args,
  ], { env: run.env, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw new Error(`code-server ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`code-server ${args.join(' ')} exited with ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * Prepares an isolated run folder without starting a server (for CLI-only uses such as installing a vsix).
 * @returns {{dirs: object, env: NodeJS.ProcessEnv, dispose(): void}}
 */
export function prepareRun({ id = `cs-${process.pid}-${Date.now() % 100000}`, settings = {} } = {}) {
  const { dirs, env } = makeRunDir(id);
  writeFileSync(join(dirs.runDir, 'config.yaml'), 'auth: none\ncert: false\n');
  writeSettings(dirs, settings);
  return { dirs, env, dispose: () => removeRunDir(dirs) };
}

/**
 * Starts code-server on 127.0.0.1.
 * @param {object} o
 * @param {string} [o.id]             name of the run folder under .run/
 * @param {number} [o.port]           preferred port (a free one is used if it is taken or not given)
 * @param {boolean} [o.smokeTestDriver] pass `--vscode-option enable-smoke-test-driver` (extension-test payloads)
 * @param {object} [o.settings]       extra user settings
 * @param {object} [o.env]            extra environment for code-server (and its extension host)
 * @param {string[]} [o.vsix]         packaged extensions to install into the run's extensions dir before starting
 * @param {boolean} [o.keep]          keep .run/<id>/ after stop (for debugging the harness)
 * @param {(line: string) => void} [o.onLine] every output line of code-server
 */
export async function startCodeServer(o = {}) {
  if (!existsSync(paths.codeServerEntry)) throw new Error('code-server is not installed: run `node scripts/setup-vscode.mjs`');
  const run = prepareRun({ id: o.id, settings: o.settings });
  const { dirs } = run;
  const env = { ...run.env, ...(o.env ?? {}) };
  for (const vsix of o.vsix ?? []) codeServerCli(run, ['--install-extension', vsix, '--force']);
  const port = await freePort(o.port);
  const args = codeServerArgs(dirs, port);
  if (o.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  const logFile = join(dirs.runDir, 'code-server.log');
  const logStream = createWriteStream(logFile);
  const child = spawn(paths.node, args, { cwd: dirs.home, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  liveGroups.add(child.pid);
  const tail = [];
  let exited = false;
  const exitPromise = new Promise((resolve) => child.once('exit', (code, signal) => { exited = true; liveGroups.delete(child.pid); resolve({ code, signal }); }));

  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not print "HTTP server listening" within 60 s:\n${tail.join('\n')}`)), 60_000);
    let buf = '';
    const onData = (chunk) => {
      logStream.write(chunk);
      buf += chunk.toString('utf8');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        tail.push(line);
        if (tail.length > 40) tail.shift();
        o.onLine?.(line);
        if (line.includes('HTTP server listening')) { clearTimeout(timer); resolve(undefined); }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exitPromise.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`code-server exited (${code ?? signal}) before it was ready:\n${tail.join('\n')}`)); });
  });

  const pid = /** @type {number} */ (child.pid);
  let stopped;
  const stop = () => {
    stopped ??= (async () => {
      if (!exited) {
        try { process.kill(-pid, 'SIGTERM'); } catch { /* gone */ }
        const t = setTimeout(() => { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
        await exitPromise;
        clearTimeout(t);
      }
      // Extension hosts and debuggees in the group may outlive the server by a moment.
      try { process.kill(-pid, 'SIGKILL'); } catch { /* all gone */ }
      liveGroups.delete(pid);
      await new Promise((r) => logStream.end(r));
      if (!o.keep) removeRunDir(dirs);
      else liveRunDirs.delete(dirs);
    })();
    return stopped;
  };

  try {
    await ready;
  } catch (e) {
    await stop();
    throw e;
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    port,
    baseUrl,
    dirs,
    env,
    logFile,
    pid: child.pid,
    tail: () => tail.join('\n'),
    exited: exitPromise,
    /** vscode-remote URI of a path on this server (for payloads). */
    remoteUri: (p) => `vscode-remote://127.0.0.1:${port}${encodeURI(p)}`,
    /** Workbench URL opening `folder`, optionally with a smoke-test payload of [key, value] pairs. */
    url: (folder, payload) => {
      const q = new globalThis.URLSearchParams();
      if (folder) q.set('folder', folder);
      if (payload) q.set('payload', JSON.stringify(payload));
      return `${baseUrl}/?${q.toString()}`;
    },
    cli: (args) => codeServerCli({ dirs, env }, args),
    stop,
  };
}

export const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-crash-reporter', '--disable-breakpad',
  '--disable-dev-shm-usage', '--no-default-browser-check', '--password-store=basic',
];

/**
 * Launches Debian's Chromium headless through playwright-core, isolated like code-server.
 * Returns the playwright Browser; close it with `close()` (also removes its folders).
 */
/** @param {{ env?: NodeJS.ProcessEnv, headless?: boolean }} [options] */
export async function launchChromium({ env, headless = process.env.HEADED !== '1' } = {}) {
  const { chromium } = await import('playwright-core');
  // Playwright makes its profile and artifacts folders in os.tmpdir() at launch: point that at the run's TMPDIR so
  // nothing lands in /tmp, even if this process is killed.
  const savedTmp = process.env.TMPDIR;
  if (env?.TMPDIR) process.env.TMPDIR = env.TMPDIR;
  try {
    return await chromium.launch({
      executablePath: paths.chromium,
      headless,
      args: chromiumArgs,
      env: env ?? process.env,
      timeout: 60_000,
      // The caller closes the browser in its own cleanup (after the pages it drives); Playwright killing it first on
      // a signal would skip removing its profile folder.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  }
}

/** Resolves when `fn` returns truthy; rejects with `message` after `timeoutMs`. */
export async function waitFor(fn, { timeoutMs = 30_000, intervalMs = 200, message = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
