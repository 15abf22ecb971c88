/**
 * The whole live flow for one object: select it by expression, capture the snapshot that contains it, analyse, name
 * the scripts, map locations to original sources. Used by `retention capture` and by the extension's worker.
 */
import { HeapAnalysis } from '../core/analysis';
import type { RetentionReport } from '../core/report';
import type { ReportOptions } from '../core/retention';
import type { CaptureService, ObjectSelection, SelectedObject, SnapshotOptions } from './capture';
import { CaptureError } from './errors';
import { learnScriptUrls, liveSourceMapResolver } from './liveScripts';
import { scriptSources } from './scriptSources';
import { applySourceMaps } from './sourceMaps';
import { ReferenceSiteFinder } from '../core/reportSites';

export interface LiveReportOptions extends SnapshotOptions {
  report?: ReportOptions;
  /** Map locations through source maps (default true). */
  sourceMaps?: boolean;
  /** Find the line that creates each fix's reference (default true). */
  sites?: boolean;
}

export interface LiveReport {
  report: RetentionReport;
  object: SelectedObject;
  analysis: HeapAnalysis;
  /** Bytes of the snapshot document. */
  snapshotBytes: number;
}

/** Selects, captures and analyses. Throws CaptureError sentences (including when the object was collected). */
export async function captureReport(service: CaptureService, selection: ObjectSelection, options: LiveReportOptions = {}): Promise<LiveReport> {
  const captured = await service.captureObject(selection, options);
  const analysis = HeapAnalysis.fromSnapshot(captured.snapshot);
  const { object } = captured;
  if (!analysis.hasObject(object.heapId)) {
    throw new CaptureError('selection',
      `\`${object.expression}\` (${object.description}) was collected before the snapshot: nothing in the program holds it, ` +
      'only the evaluation did. Name an object the program keeps.');
  }
  await nameScripts(service, analysis);
  const report = analysis.report(object.heapId, options.report);
  const resolver = options.sourceMaps !== false ? liveSourceMapResolver(service.connection) : null;
  if (resolver) await applySourceMaps(report, resolver);
  if (options.sites !== false) await new ReferenceSiteFinder(scriptSources(service.connection, resolver)).addTo(report);
  return { report, object, analysis, snapshotBytes: captured.bytes };
}

/** Gives the analysis the URLs of scripts the snapshot does not name, from the live session. */
export async function nameScripts(service: CaptureService, analysis: HeapAnalysis): Promise<void> {
  const unresolved = analysis.unresolvedScriptIds();
  if (unresolved.length === 0 || service.connection.closed) return;
  const urls = await learnScriptUrls(service.connection, unresolved);
  if (urls.size) analysis.setScriptUrls(urls);
}
