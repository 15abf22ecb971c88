/**
 * `npm run bench`: the engine's speed and memory against V8's own snapshot writer.
 *
 * For each size, a child Node process builds a heap (bench/heapBuilder.js) and times `v8.writeHeapSnapshot` — the
 * floor. Then a fresh child process of this script parses the same file and runs all of the analysis (graph,
 * distances, dominators and retained sizes, a report for one object, the summary), and reports its times and its
 * peak resident memory. Figures are ratios: analysis time / V8's write time, peak memory / snapshot size.
 *
 *   npm run bench                      ~100 MB and ~400 MB snapshots
 *   npm run bench -- --sizes 50,100    other sizes (MB)
 *   npm run bench -- --huge            adds a ~1.2 GB snapshot
 *   npm run bench -- --live            also the live path over CDP (bench/live.ts)
 *   npm run bench -- --testing         only retention-explorer/testing's checks in a test process with a ~50 MB heap
 *                                      (bench/testingTarget.js; --testing-mb N for another size)
 *   npm run bench -- --diff            comparing two snapshots against analysing one (bench/diff.ts; ~100 MB,
 *                                      --sizes 400 for the ~400 MB target size)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeapAnalysis } from '../src/core/analysis';
import { parseSnapshotFile } from '../src/node/snapshotFile';
import { benchDiff, diffChild, oneChild } from './diff';

interface AnalyzeResult {
  parseMs: number;
  graphMs: number;
  distancesMs: number;
  dominatorsMs: number;
  reportMs: number;
  summaryMs: number;
  totalMs: number;
  peakRssBytes: number;
  startRssBytes: number;
  nodes: number;
  edges: number;
}

/** Runs in the child: parse + all analysis on one file, printing one JSON line. */
async function analyzeChild(file: string): Promise<void> {
  const startRss = process.memoryUsage().rss;
  const t0 = performance.now();
  const snapshot = await parseSnapshotFile(file);
  const t1 = performance.now();
  const analysis = HeapAnalysis.fromSnapshot(snapshot);
  const t2 = performance.now();
  const leaf = analysis.findByClass('TreeNode', 1)[0];
  if (leaf) analysis.report(leaf.id);
  const t3 = performance.now();
  analysis.summary();
  const t4 = performance.now();
  const result: AnalyzeResult = {
    parseMs: t1 - t0,
    ...analysis.timings,
    reportMs: t3 - t2,
    summaryMs: t4 - t3,
    totalMs: t4 - t0,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    startRssBytes: startRss,
    nodes: analysis.nodeCount,
    edges: analysis.edgeCount,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

/** Tree nodes per MB of snapshot, measured on this machine's Node (calibrated once with a small heap). */
function calibrate(dir: string): number {
  const file = join(dir, 'calibrate.heapsnapshot');
  const nodes = 50_000;
  execFileSync(process.execPath, [join(__dirname, '../bench/heapBuilder.js'), String(nodes), file]);
  const base = join(dir, 'base.heapsnapshot');
  execFileSync(process.execPath, [join(__dirname, '../bench/heapBuilder.js'), '1', base]);
  const perNode = (statSync(file).size - statSync(base).size) / nodes;
  rmSync(file);
  rmSync(base);
  return perNode;
}

function mb(n: number): string {
  return `${(n / 1024 / 1024).toFixed(0)} MB`;
}

async function benchmark(): Promise<void> {
  const args = process.argv.slice(2);
  const diff = args.includes('--diff');
  const sizesArg = args.includes('--sizes') ? args[args.indexOf('--sizes') + 1] : diff ? '100' : '100,400';
  const sizes = sizesArg.split(',').map(Number);
  if (args.includes('--huge')) sizes.push(1200);
  const dir = mkdtempSync(join(tmpdir(), 'retention-bench-'));
  const rows: string[] = [];
  try {
    const bytesPerNode = calibrate(dir);
    console.log(`Node ${process.version}; ${bytesPerNode.toFixed(0)} snapshot bytes per tree node`);
    if (diff) {
      benchDiff(dir, sizes, bytesPerNode, __filename);
      return;
    }
    for (const size of sizes) {
      const file = join(dir, `heap-${size}.heapsnapshot`);
      const nodes = Math.round((size * 1024 * 1024) / bytesPerNode);
      const builder = spawnSync(process.execPath, ['--max-old-space-size=16000', join(__dirname, '../bench/heapBuilder.js'), String(nodes), file], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (builder.status !== 0) throw new Error(`The heap builder failed: ${builder.stderr}`);
      const { writeMs } = JSON.parse(builder.stdout.trim().split('\n').pop()!) as { writeMs: number };
      const fileSize = statSync(file).size;
      const child = spawnSync(process.execPath, ['--max-old-space-size=16000', __filename, '--analyze-child', file], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (child.status !== 0) throw new Error(`Analysis of ${mb(fileSize)} failed: ${child.stderr}`);
      const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as AnalyzeResult;
      const ratio = r.totalMs / writeMs;
      const memRatio = r.peakRssBytes / fileSize;
      const growthRatio = (r.peakRssBytes - r.startRssBytes) / fileSize;
      const line =
        `${mb(fileSize).padStart(8)}  nodes ${r.nodes}  edges ${r.edges}\n` +
        `          V8 writeHeapSnapshot ${(writeMs / 1000).toFixed(2)} s (floor)\n` +
        `          parse ${(r.parseMs / 1000).toFixed(2)} s (${(fileSize / 1024 / 1024 / (r.parseMs / 1000)).toFixed(0)} MB/s), graph ${(r.graphMs / 1000).toFixed(2)} s, ` +
        `distances ${(r.distancesMs / 1000).toFixed(2)} s, dominators ${(r.dominatorsMs / 1000).toFixed(2)} s, report ${(r.reportMs / 1000).toFixed(2)} s, summary ${(r.summaryMs / 1000).toFixed(2)} s\n` +
        `          parse + analysis ${(r.totalMs / 1000).toFixed(2)} s = ${ratio.toFixed(3)}x V8's write time (target <= 0.15x)\n` +
        `          peak RSS ${mb(r.peakRssBytes)} = ${memRatio.toFixed(2)}x the snapshot (growth ${growthRatio.toFixed(2)}x; target <= 1.2x)`;
      console.log(line);
      rows.push(line);
      rmSync(file);
    }
    if (args.includes('--live')) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const live = require('./live') as { benchLive(opts: { sizesMB: number[] }): Promise<unknown[]> };
      const results = await live.benchLive({ sizesMB: sizes });
      console.log(JSON.stringify(results, null, 2));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * retention-explorer/testing in a plain `node` process (no flags) holding a heap of `heapMB`: a passing
 * expectCollected (median of 5), a failing one until its report is built, and expectNoGrowth passing and failing.
 * Targets: passing < 2 s, failing with its report < 5 s. V8's own snapshot write in the same process is shown as
 * the floor a failing check cannot go below.
 */
function benchTesting(heapMB: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'retention-bench-testing-'));
  try {
    const child = spawnSync(process.execPath, ['--max-old-space-size=4000', join(__dirname, '../bench/testingTarget.js'), String(heapMB), join(dir, 'floor.heapsnapshot')], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (child.status !== 0) throw new Error(`The testing bench failed: ${child.stderr}`);
    const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, number>;
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`retention-explorer/testing, Node ${process.version}, a test process with ${mb(r.heapUsed)} of heap (${r.nodes} tree nodes), plain node (no flags)`);
    const cpu = (k: string) => `CPU ${s(r[`${k}CpuMs`])}`;
    console.log(`          (wall time, then the process's CPU time: on a loaded machine the CPU time is what to compare with the targets)`);
    console.log(`          V8 writeHeapSnapshot in that process ${s(r.writeMs)}, ${cpu('write')} (the floor of a failing check)`);
    console.log(`          expectCollected passing   ${s(r.passMs)}, ${cpu('pass')} (median of 5, best ${s(r.passMinMs)}; target < 2 s)`);
    console.log(`          expectCollected failing   ${s(r.failMs)}, ${cpu('fail')} with its report (${r.failMessageLines} lines; target < 5 s) = ${(r.failMs / r.writeMs).toFixed(2)}x the write`);
    console.log(`          expectNoGrowth passing    ${s(r.growthPassMs)}, ${cpu('growthPass')} (3 warm-up + 10 runs, 2 snapshots) = ${(r.growthPassMs / r.writeMs).toFixed(2)}x the write`);
    console.log(`          expectNoGrowth failing    ${s(r.growthFailMs)}, ${cpu('growthFail')} (3 warm-up + 2 x 10 runs, 3 snapshots, suspects) = ${(r.growthFailMs / r.writeMs).toFixed(2)}x the write`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--one-child' || process.argv[2] === '--diff-child') {
  (process.argv[2] === '--one-child' ? oneChild(process.argv[3]) : diffChild(process.argv[3], process.argv[4])).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
} else if (process.argv[2] === '--analyze-child') {
  analyzeChild(process.argv[3]).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
} else if (process.argv.includes('--testing')) {
  const i = process.argv.indexOf('--testing-mb');
  try {
    benchTesting(i > 0 ? Number(process.argv[i + 1]) : 50);
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
} else {
  benchmark().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
