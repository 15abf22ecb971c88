/**
 * `npm run bench -- --diff`: comparing two snapshots against analysing one.
 *
 * A child Node process builds a heap (bench/heapBuilder.js), writes a baseline snapshot, grows the heap (a leak of
 * new tree nodes, some objects freed) and writes a target. Then, each in a fresh process:
 *   - one analysis: parse + analyse the target (what a user waits for to open one snapshot), its peak RSS;
 *   - the comparison as `retention diff` runs it: parse + analyse the baseline, keep its digest, drop it, parse +
 *     analyse the target, then the comparison itself (both digests and the per-class comparison and suspects), its
 *     peak RSS.
 * Targets: peak RSS of the comparison <= 1.3x that of one analysis; the comparison itself <= 0.3x one analysis' time.
 *
 *   npm run bench -- --diff                   ~100 MB snapshots
 *   npm run bench -- --diff --sizes 400       ~400 MB snapshots (the target's size)
 */
import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HeapAnalysis } from '../src/core/analysis';
import { compareSnapshots } from '../src/core/comparison';
import { digestBytes, digestSnapshot } from '../src/core/snapshotDigest';
import { parseSnapshotFile } from '../src/core/snapshotParser';

interface OneResult { parseMs: number; analysisMs: number; peakRssBytes: number }
interface DiffResult {
  baseMs: number;
  targetParseMs: number;
  targetAnalysisMs: number;
  baseDigestMs: number;
  targetDigestMs: number;
  compareMs: number;
  digestBytes: number;
  peakRssBytes: number;
  topSuspect: string;
  suspects: number;
}

/** In the child: parse + analyse one file. */
export async function oneChild(file: string): Promise<void> {
  const t0 = performance.now();
  const snapshot = await parseSnapshotFile(file);
  const t1 = performance.now();
  const analysis = HeapAnalysis.fromSnapshot(snapshot);
  const t2 = performance.now();
  const result: OneResult = { parseMs: t1 - t0, analysisMs: t2 - t1, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
  void analysis;
  process.stdout.write(JSON.stringify(result) + '\n');
}

/** In the child: the comparison as `retention diff` makes it (no explicit garbage collection). */
export async function diffChild(baseFile: string, targetFile: string): Promise<void> {
  let t = performance.now();
  let base: HeapAnalysis | null = HeapAnalysis.fromSnapshot(await parseSnapshotFile(baseFile));
  const baseMs = performance.now() - t;
  t = performance.now();
  const baseDigest = digestSnapshot(base);
  const baseDigestMs = performance.now() - t;
  base = null;
  t = performance.now();
  const snapshot = await parseSnapshotFile(targetFile);
  const targetParseMs = performance.now() - t;
  t = performance.now();
  const target = HeapAnalysis.fromSnapshot(snapshot);
  const targetAnalysisMs = performance.now() - t;
  t = performance.now();
  const targetDigest = digestSnapshot(target);
  const targetDigestMs = performance.now() - t;
  t = performance.now();
  const c = compareSnapshots([baseDigest], target, { labels: ['base', 'target'], lastDigest: targetDigest });
  const compareMs = performance.now() - t;
  const result: DiffResult = {
    baseMs, targetParseMs, targetAnalysisMs, baseDigestMs, targetDigestMs, compareMs,
    digestBytes: digestBytes(baseDigest),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    topSuspect: c.suspects.groups[0] ? `${c.suspects.groups[0].className} x${c.suspects.groups[0].count}` : '(none)',
    suspects: c.suspects.count,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

function mb(n: number): string {
  return `${(n / 1024 / 1024).toFixed(0)} MB`;
}

function child<T>(script: string, args: string[]): T {
  const r = spawnSync(process.execPath, ['--max-old-space-size=16000', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${args[0]} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

export function benchDiff(dir: string, sizes: number[], bytesPerNode: number, script: string): void {
  for (const size of sizes) {
    const base = join(dir, `diff-base-${size}.heapsnapshot`);
    const target = join(dir, `diff-target-${size}.heapsnapshot`);
    const nodes = Math.round((size * 1024 * 1024) / bytesPerNode);
    const grow = Math.round(nodes / 20);
    const builder = spawnSync(process.execPath, ['--max-old-space-size=16000', join(__dirname, '../bench/heapBuilder.js'), String(nodes), base, String(grow), target], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (builder.status !== 0) throw new Error(`The heap builder failed: ${builder.stderr}`);
    const one = child<OneResult>(script, ['--one-child', target]);
    const diff = child<DiffResult>(script, ['--diff-child', base, target]);
    const oneMs = one.parseMs + one.analysisMs;
    const comparisonMs = diff.baseDigestMs + diff.targetDigestMs + diff.compareMs;
    console.log(
      `${mb(statSync(base).size).padStart(8)} -> ${mb(statSync(target).size)} (${grow} tree nodes leaked)\n` +
      `          one analysis (parse ${(one.parseMs / 1000).toFixed(2)} s + analysis ${(one.analysisMs / 1000).toFixed(2)} s) ${(oneMs / 1000).toFixed(2)} s, peak RSS ${mb(one.peakRssBytes)}\n` +
      `          diff: baseline parse + analysis ${(diff.baseMs / 1000).toFixed(2)} s, target parse ${(diff.targetParseMs / 1000).toFixed(2)} s + analysis ${(diff.targetAnalysisMs / 1000).toFixed(2)} s; ` +
      `baseline digest ${mb(diff.digestBytes)}\n` +
      `          comparison itself ${(comparisonMs / 1000).toFixed(2)} s (digests ${((diff.baseDigestMs + diff.targetDigestMs) / 1000).toFixed(2)} s, compare + suspects ${(diff.compareMs / 1000).toFixed(2)} s) ` +
      `= ${(comparisonMs / oneMs).toFixed(3)}x one analysis (target <= 0.3x)\n` +
      `          peak RSS ${mb(diff.peakRssBytes)} = ${(diff.peakRssBytes / one.peakRssBytes).toFixed(2)}x one analysis (target <= 1.3x); top suspect ${diff.topSuspect}, ${diff.suspects} suspects`,
    );
    rmSync(base);
    rmSync(target);
  }
}
