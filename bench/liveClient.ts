/**
 * One live capture for the benchmark, in a fresh process so its peak memory is the client's alone:
 * connect -> select the object -> stream the snapshot into the parser -> analyse -> report ready.
 *   node out/bench/liveClient.js HOST:PORT EXPRESSION [--build-progress]
 * Prints one JSON line (LiveClientResult).
 */
import { CaptureService } from '../src/cdp/capture';
import { connect } from '../src/cdp/connect';
import { captureReport } from '../src/cdp/liveReport';

export interface LiveClientResult {
  connectMs: number;
  /** Ask -> the first snapshot chunk: selection plus V8 building the snapshot in the target. */
  firstChunkMs: number;
  /** First chunk -> last chunk parsed. */
  streamMs: number;
  /** Last chunk -> report ready (analysis, dominators, report, script names, source maps). */
  analysisMs: number;
  /** Connect -> report ready. */
  totalMs: number;
  snapshotBytes: number;
  peakRssBytes: number;
  nodeVersion: string | null;
  objectName: string;
  paths: number;
}

async function main(): Promise<void> {
  const [address, expression, progressFlag] = process.argv.slice(2);
  // As `retention capture` without a terminal: no V8 build percentage (it costs V8 an extra pass over the heap).
  const buildProgress = progressFlag === '--build-progress';
  const t0 = performance.now();
  const conn = await connect({ kind: 'inspector', address });
  const tConnected = performance.now();
  const service = new CaptureService(conn);
  let tFirstChunk = 0;
  let tDone = 0;
  try {
    const live = await captureReport(service, { expression }, {
      buildProgress,
      onProgress: (p) => {
        if (p.phase === 'streaming' && !tFirstChunk) tFirstChunk = performance.now();
        if (p.phase === 'done') tDone = performance.now();
      },
    });
    const tReport = performance.now();
    const result: LiveClientResult = {
      connectMs: tConnected - t0,
      firstChunkMs: tFirstChunk - tConnected,
      streamMs: tDone - tFirstChunk,
      analysisMs: tReport - tDone,
      totalMs: tReport - t0,
      snapshotBytes: live.snapshotBytes,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      nodeVersion: conn.target.nodeVersion,
      objectName: live.report.object.name,
      paths: live.report.paths.length,
    };
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    await service.dispose();
    await conn.close();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
