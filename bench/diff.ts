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
import { parseSnapshotFile } from '../src/node/snapshotFile';
import { releaseMemory } from '../src/cli/diffCommand';

/** Wall and CPU milliseconds of a phase (the machine is shared: CPU time moves less with other load). */
interface Phase { ms: number; cpuMs: number }
interface OneResult { parse: Phase; analysis: Phase; peakRssBytes: number }
interface DiffResult {
  base: Phase;
  /** The collection that frees the baseline's analysis. */
  release: Phase;
  targetParse: Phase;
  targetAnalysis: Phase;
  baseDigest: Phase;
  targetDigest: Phase;
  compare: Phase;
  digestBytes: number;
  peakRssBytes: number;
  topSuspect: string;
  suspects: number;
}

async function timed<T>(work: () => T | Promise<T>): Promise<[T, Phase]> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const value = await work();
  const used = process.cpuUsage(cpu);
  return [value, { ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000 }];
}

/** In the child: parse + analyse one file. */
export async function oneChild(file: string): Promise<void> {
  const [snapshot, parse] = await timed(() => parseSnapshotFile(file));
  const [analysis, analysisPhase] = await timed(() => HeapAnalysis.fromSnapshot(snapshot));
  const result: OneResult = { parse, analysis: analysisPhase, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
  void analysis;
  process.stdout.write(JSON.stringify(result) + '\n');
}

/** In the child: the comparison as `retention diff` makes it (no explicit garbage collection). */
export async function diffChild(baseFile: string, targetFile: string): Promise<void> {
  // eslint-disable-next-line prefer-const -- `base` is dropped below; `basePhase` is kept
  let [base, basePhase] = await timed(async () => HeapAnalysis.fromSnapshot(await parseSnapshotFile(baseFile)));
  const [baseDigest, baseDigestPhase] = await timed(() => digestSnapshot(base));
  base = null as unknown as HeapAnalysis; // dropped and collected, as `retention diff` does
  const [, release] = await timed(() => releaseMemory());
  const [snapshot, targetParse] = await timed(() => parseSnapshotFile(targetFile));
  const [target, targetAnalysis] = await timed(() => HeapAnalysis.fromSnapshot(snapshot));
  // As `retention diff` does: the comparison makes the target's digest itself, sharing its pass that classes the
  // objects. Timed apart, that digest is what the extension makes when it keeps a snapshot.
  const [, targetDigestPhase] = await timed(() => digestSnapshot(target));
  const [c, compareWithDigest] = await timed(() => compareSnapshots([baseDigest], target, { labels: ['base', 'target'] }));
  const compare = { ms: Math.max(0, compareWithDigest.ms - targetDigestPhase.ms), cpuMs: Math.max(0, compareWithDigest.cpuMs - targetDigestPhase.cpuMs) };
  const result: DiffResult = {
    base: basePhase, release, targetParse, targetAnalysis, baseDigest: baseDigestPhase, targetDigest: targetDigestPhase, compare,
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
    const s = (p: Phase) => `${(p.ms / 1000).toFixed(2)} s`;
    const oneMs = one.parse.ms + one.analysis.ms;
    const oneCpu = one.parse.cpuMs + one.analysis.cpuMs;
    // "One analysis" in the same process as the comparison, too: the target's parse + analysis there.
    const sameMs = diff.targetParse.ms + diff.targetAnalysis.ms;
    const sameCpu = diff.targetParse.cpuMs + diff.targetAnalysis.cpuMs;
    const comparisonMs = diff.baseDigest.ms + diff.targetDigest.ms + diff.compare.ms;
    const comparisonCpu = diff.baseDigest.cpuMs + diff.targetDigest.cpuMs + diff.compare.cpuMs;
    console.log(
      `${mb(statSync(base).size).padStart(8)} -> ${mb(statSync(target).size)} (${grow} tree nodes leaked)\n` +
      `          one analysis (own process): parse ${s(one.parse)} + analysis ${s(one.analysis)}, CPU ${(oneCpu / 1000).toFixed(2)} s, peak RSS ${mb(one.peakRssBytes)}\n` +
      `          diff: baseline parse + analysis ${s(diff.base)}, collected in ${s(diff.release)}; target parse ${s(diff.targetParse)} + analysis ${s(diff.targetAnalysis)}; baseline digest ${mb(diff.digestBytes)}\n` +
      `          comparison itself ${(comparisonMs / 1000).toFixed(2)} s, CPU ${(comparisonCpu / 1000).toFixed(2)} s (digests ${s(diff.baseDigest)} + ${s(diff.targetDigest)}, compare + suspects ${s(diff.compare)})\n` +
      `            = ${(comparisonMs / sameMs).toFixed(3)}x wall, ${(comparisonCpu / sameCpu).toFixed(3)}x CPU of the target's analysis in the same process; ` +
      `${(comparisonMs / oneMs).toFixed(3)}x wall, ${(comparisonCpu / oneCpu).toFixed(3)}x CPU of the separate one (target <= 0.3x)\n` +
      `          without the digests (made when each snapshot is kept, as the extension keeps them): compare + suspects ` +
      `${(diff.compare.ms / sameMs).toFixed(3)}x wall, ${(diff.compare.cpuMs / sameCpu).toFixed(3)}x CPU of the target's analysis\n` +
      `          peak RSS ${mb(diff.peakRssBytes)} = ${(diff.peakRssBytes / one.peakRssBytes).toFixed(2)}x one analysis (target <= 1.3x); top suspect ${diff.topSuspect}, ${diff.suspects} suspects`,
    );
    rmSync(base);
    rmSync(target);
  }
}
