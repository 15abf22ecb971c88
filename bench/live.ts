/**
 * The live path of `npm run bench`: end to end (ask -> report ready) over CDP against V8's own in-process
 * `v8.writeHeapSnapshot` on the same heap, and the client's peak memory against the snapshot's size.
 *
 * For each size a target (bench/liveTarget.js, started with --inspect=127.0.0.1:0) builds the benchmark's heap shape
 * to reach about that snapshot size; the floor is `v8.writeHeapSnapshot` run inside the target (asked over stdin, so
 * nothing is added to its globals), measured before and after the live capture and averaged. The live capture runs
 * in a fresh client process (bench/liveClient.ts) so its peak RSS is the client's alone.
 *   node out/bench/live.js [--sizes 100,400] [--build-progress]
 * Targets (issue 3): end to end <= 1.10x the floor; client peak memory <= 1.2x the snapshot size.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LiveClientResult } from './liveClient';

export interface LiveResult {
  /** The size asked for, in MB. */
  sizeMB: number;
  /** Bytes of the snapshot as it streamed over CDP. */
  snapshotBytes: number;
  /** Bytes of the file v8.writeHeapSnapshot wrote for the same heap. */
  fileBytes: number;
  nodeVersion: string | null;
  /** V8's own in-process writeHeapSnapshot (mean of the runs before and after the capture). */
  v8WriteMs: number;
  /** Connect, select, V8 builds and streams, parse, analyse, report ready. */
  endToEndMs: number;
  connectMs: number;
  firstChunkMs: number;
  streamMs: number;
  analysisMs: number;
  /** endToEndMs / v8WriteMs (target <= 1.10). */
  timeRatio: number;
  clientPeakRssBytes: number;
  /** clientPeakRssBytes / snapshotBytes (target <= 1.2). */
  memoryRatio: number;
  /** Whether V8 was asked for its build percentage. */
  buildProgress: boolean;
}

export const LIVE_TIME_TARGET = 1.1;
export const LIVE_MEMORY_TARGET = 1.2;

/** The repository root, whether this runs from out/bench (tsc) or dist/ (the esbuild bench bundle). */
function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('Cannot find the repository root from ' + __dirname);
    dir = up;
  }
  return dir;
}

interface Target {
  proc: ChildProcess;
  address: string;
  command(line: string): Promise<string>;
  kill(): Promise<void>;
}

async function startTarget(root: string): Promise<Target> {
  const proc = spawn(process.execPath, ['--max-old-space-size=16000', '--inspect=127.0.0.1:0', join(root, 'bench/liveTarget.js')], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const kill = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  };
  let out = '';
  let err = '';
  const waiting: ((line: string) => void)[] = [];
  proc.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    let nl;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      waiting.shift()?.(line);
    }
  });
  try {
    const ready = new Promise<string>((r) => waiting.push(r));
    const address = await new Promise<string>((resolve, reject) => {
      proc.stderr.setEncoding('utf8').on('data', (d: string) => {
        err += d;
        const m = /Debugger listening on ws:\/\/([^/\s]+)\//.exec(err);
        if (m) resolve(m[1]);
      });
      proc.once('exit', (code) => reject(new Error(`The benchmark target exited (${code}): ${err}`)));
    });
    await ready;
    return {
      proc,
      address,
      kill,
      command: (line) => {
        const answer = new Promise<string>((resolve, reject) => {
          waiting.push((l) => (l.startsWith(`${line.split(' ')[0]}: `) ? resolve(l.slice(l.indexOf(': ') + 2)) : reject(new Error(l))));
          proc.once('exit', (code) => reject(new Error(`The benchmark target exited (${code}) during "${line}": ${err}`)));
        });
        proc.stdin.write(`${line}\n`);
        return answer;
      },
    };
  } catch (e) {
    await kill();
    throw e;
  }
}

async function write(target: Target, file: string): Promise<{ ms: number; bytes: number }> {
  const r = JSON.parse(await target.command(`write ${file}`)) as { ms: number; bytes: number };
  rmSync(file, { force: true });
  return r;
}

/**
 * `buildProgress`: also ask V8 for its build percentage during the capture, as the extension's progress bar does
 * (default false, as `retention capture` without a terminal).
 */
export async function benchLive(opts: { sizesMB: number[]; buildProgress?: boolean; log?: (line: string) => void }): Promise<LiveResult[]> {
  const root = repoRoot();
  const client = join(root, 'out/bench/liveClient.js');
  if (!existsSync(client)) throw new Error(`${client} is missing; run node scripts/build.mjs first.`);
  const log = opts.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'retention-live-'));
  const results: LiveResult[] = [];
  try {
    for (const sizeMB of opts.sizesMB) {
      const target = await startTarget(root);
      try {
        // Calibrate on this target: snapshot bytes per tree node, then grow to the size asked for.
        const base = await write(target, join(dir, 'base.heapsnapshot'));
        const probeNodes = 50_000;
        await target.command(`grow ${probeNodes}`);
        const probe = await write(target, join(dir, 'probe.heapsnapshot'));
        const perNode = (probe.bytes - base.bytes) / probeNodes;
        const wanted = Math.max(0, Math.round((sizeMB * 1024 * 1024 - probe.bytes) / perNode));
        await target.command(`grow ${wanted}`);

        const before = await write(target, join(dir, 'floor.heapsnapshot'));
        log(`  ${sizeMB} MB: V8 writeHeapSnapshot ${(before.ms / 1000).toFixed(2)} s for ${(before.bytes / 1048576).toFixed(0)} MB; capturing live...`);
        const run = spawnSync(process.execPath, ['--max-old-space-size=16000', client, target.address, 'benchRoot.first.first',
          ...(opts.buildProgress ? ['--build-progress'] : [])], {
          encoding: 'utf8', maxBuffer: 1 << 20,
        });
        if (run.status !== 0) throw new Error(`The live capture of ${sizeMB} MB failed: ${run.stderr.trim()}`);
        const live = JSON.parse(run.stdout.trim().split('\n').pop()!) as LiveClientResult;
        const after = await write(target, join(dir, 'floor.heapsnapshot'));
        const v8WriteMs = (before.ms + after.ms) / 2;
        results.push({
          sizeMB,
          snapshotBytes: live.snapshotBytes,
          fileBytes: before.bytes,
          nodeVersion: live.nodeVersion,
          v8WriteMs,
          endToEndMs: live.totalMs,
          connectMs: live.connectMs,
          firstChunkMs: live.firstChunkMs,
          streamMs: live.streamMs,
          analysisMs: live.analysisMs,
          timeRatio: live.totalMs / v8WriteMs,
          clientPeakRssBytes: live.peakRssBytes,
          memoryRatio: live.peakRssBytes / live.snapshotBytes,
          buildProgress: !!opts.buildProgress,
        });
      } finally {
        await target.kill();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

/** A few lines per size for the benchmark's output and the README. */
export function formatLiveResults(results: LiveResult[]): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
  return results.map((r) =>
    `${mb(r.snapshotBytes).padStart(8)}  live capture over CDP (target Node ${r.nodeVersion ?? '?'}; V8 build progress ${r.buildProgress ? 'on' : 'off'})\n` +
    `          V8 writeHeapSnapshot in the target ${s(r.v8WriteMs)} (floor)\n` +
    `          connect ${s(r.connectMs)}, select + V8 build ${s(r.firstChunkMs)}, stream + parse ${s(r.streamMs)}, analysis + report ${s(r.analysisMs)}\n` +
    `          ask -> report ready ${s(r.endToEndMs)} = ${r.timeRatio.toFixed(2)}x V8's write time (target <= ${LIVE_TIME_TARGET.toFixed(2)}x)\n` +
    `          client peak RSS ${mb(r.clientPeakRssBytes)} = ${r.memoryRatio.toFixed(2)}x the snapshot (target <= ${LIVE_MEMORY_TARGET}x)`,
  ).join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const sizes = (args.includes('--sizes') ? args[args.indexOf('--sizes') + 1] : '100,400').split(',').map(Number);
  benchLive({ sizesMB: sizes, buildProgress: args.includes('--build-progress'), log: (l) => console.log(l) }).then(
    (r) => console.log(formatLiveResults(r)),
    (e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); },
  );
}
