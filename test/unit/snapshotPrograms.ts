/**
 * Real snapshots of real programs: each fixture under test/fixtures/engine builds a heap and writes it with
 * `v8.writeHeapSnapshot(process.argv[2])`. The child is awaited (and killed if it overstays); the snapshot goes to
 * a fresh directory under os.tmpdir() that `cleanup()` removes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root (tests run from out/test/unit). */
export const ROOT = resolve(__dirname, '../../..');
export const ENGINE_FIXTURES = join(ROOT, 'test/fixtures/engine');

export interface SnapshotDir {
  dir: string;
  /**
   * Runs a fixture (a file name under test/fixtures/engine, or an absolute path) and returns its snapshot's path.
   * `nodeArgs` go before the script (e.g. --track-heap-objects, for allocation stacks), `args` after the output path.
   */
  snapshot(fixture: string, options?: { name?: string; nodeArgs?: string[]; args?: string[] }): Promise<string>;
  cleanup(): void;
}

export function snapshotDir(): SnapshotDir {
  const dir = mkdtempSync(join(tmpdir(), 'retention-unit-'));
  let n = 0;
  return {
    dir,
    snapshot: async (fixture, { name, nodeArgs = [], args = [] } = {}) => {
      const file = join(dir, `${name ?? `s${n++}`}.heapsnapshot`);
      const script = fixture.startsWith('/') ? fixture : join(ENGINE_FIXTURES, fixture);
      await runNode([...nodeArgs, script, file, ...args], 30_000);
      if (!statSync(file).size) throw new Error(`${fixture} wrote an empty snapshot`);
      return file;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs `node ...args` to completion; rejects with its stderr on a non-zero exit, kills it after `timeoutMs`. */
export function runNode(args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise();
      else reject(new Error(`node ${args.join(' ')} ended with ${signal ?? code}: ${stderr}`));
    });
  });
}
