/**
 * The live flow for one object, written once: select it by expression, capture the snapshot that contains it,
 * analyse, name the scripts, map locations to original sources. `retention capture` runs it whole
 * (`captureReport`); the extension's worker captures and analyses with its own progress and bookkeeping, then
 * finishes with the same `reportSelected`.
 */
import { HeapAnalysis } from '../core/analysis';
import type { RetentionReport } from '../core/report';
import type { ReportOptions } from '../core/retention';
import { applySourceMaps, type SourceMapResolver } from '../node/sourceMaps';
import type { CaptureService, ObjectSelection, SelectedObject, SnapshotOptions } from './capture';
import { CaptureError } from './errors';
import { learnScriptUrls, liveSourceMapResolver } from './liveScripts';
import { siteFinder } from './scriptSources';
import type { ReferenceSiteFinder } from '../core/reportSites';

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
  const resolver = options.sourceMaps !== false ? liveSourceMapResolver(service.connection) : null;
  const sites = options.sites !== false ? siteFinder(service.connection, resolver) : null;
  const report = await reportSelected(service, analysis, captured.object, { report: options.report, resolver, sites });
  return { report, object: captured.object, analysis, snapshotBytes: captured.bytes };
}

/**
 * The selected object's report from the snapshot captured for it: its scripts named from the live session, its
 * locations source-mapped when a resolver is given, each fix linked to the line that creates its reference when a
 * site finder is given. Throws a CaptureError sentence when only the evaluation held it.
 */
export async function reportSelected(
  service: CaptureService, analysis: HeapAnalysis, object: SelectedObject,
  options: { report?: ReportOptions; resolver: SourceMapResolver | null; sites?: ReferenceSiteFinder | null },
): Promise<RetentionReport> {
  if (!analysis.hasObject(object.heapId)) {
    throw new CaptureError('selection',
      `\`${object.expression}\` (${object.description}) was collected before the snapshot: nothing in the program holds it, ` +
      'only the evaluation did. Name an object the program keeps.');
  }
  await nameScripts(service, analysis);
  const report = analysis.report(object.heapId, options.report);
  if (options.resolver) await applySourceMaps(report, options.resolver);
  if (options.sites) await options.sites.addTo(report);
  return report;
}

/** Gives the analysis the URLs of scripts the snapshot does not name, from the live session. */
export async function nameScripts(service: CaptureService, analysis: HeapAnalysis): Promise<void> {
  const unresolved = analysis.unresolvedScriptIds();
  if (unresolved.length === 0 || service.connection.closed) return;
  const urls = await learnScriptUrls(service.connection, unresolved);
  if (urls.size) analysis.setScriptUrls(urls);
}
