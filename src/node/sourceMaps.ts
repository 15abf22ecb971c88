/**
 * Source maps for report locations: a step in compiled JavaScript points at the TypeScript (or other) line it came
 * from. File-based, so `retention analyze` uses it on a saved snapshot as the live capture does; a live session can
 * add the scripts' source text (for scripts with no file, or an inline map) through `scriptSource`.
 *
 * Maps are found the way Node and browsers find them: the script's last `//# sourceMappingURL=` comment (a `data:`
 * URL or a path relative to the script), else a `.map` file beside it.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SourceMapConsumer, type RawSourceMap } from 'source-map-js';
import { toFilePath } from './filePaths';
import type { HeapSummary, ReportNode, RetentionReport, SourceLocation } from '../shared/report';
import { isRuntimeInternal } from '../shared/labels';
import { mapSentenceLocations } from '../core/reportSites';

export interface SourceMapResolverOptions {
  /** The source text of a script by V8 script id, when its file cannot be read (a live session's script source). */
  scriptSource?: (scriptId: number) => Promise<string | null>;
  /** A source map URL a live session already reported for a script URL (`Debugger.scriptParsed.sourceMapURL`). */
  sourceMapUrlFor?: (url: string) => string | undefined;
  /** Scripts larger than this are not read to look for a map comment (default 64 MiB). */
  maxScriptBytes?: number;
}

interface LoadedMap {
  consumer: SourceMapConsumer;
}

/** Where a generated location came from, kept beside the original one. */
export interface GeneratedPosition {
  url: string;
  line: number;
  column: number;
}

/** A location after source mapping: the original position, and the generated one it was mapped from. */
export type MappedSourceLocation = SourceLocation & { generated?: GeneratedPosition };

export class SourceMapResolver {
  private readonly maps = new Map<string, Promise<LoadedMap | null>>();

  constructor(private readonly options: SourceMapResolverOptions = {}) {}

  /**
   * The original position of a generated location (1-based in and out), or null when the script has no source map
   * or the map has no mapping there.
   */
  async originalPosition(loc: SourceLocation): Promise<MappedSourceLocation | null> {
    // Node's own scripts (node:internal/...) carry no source maps.
    if (loc.line < 1 || isRuntimeInternal(loc.url)) return null;
    const key = loc.url ? `url:${loc.url}` : loc.scriptId !== undefined ? `script:${loc.scriptId}` : '';
    if (!key) return null;
    let pending = this.maps.get(key);
    if (!pending) {
      pending = this.load(loc).catch(() => null);
      this.maps.set(key, pending);
    }
    const map = await pending;
    if (!map) return null;
    const at = { line: loc.line, column: Math.max(0, loc.column - 1) };
    let pos = map.consumer.originalPositionFor({ ...at, bias: SourceMapConsumer.GREATEST_LOWER_BOUND });
    if (pos.source == null || pos.line == null) {
      pos = map.consumer.originalPositionFor({ ...at, bias: SourceMapConsumer.LEAST_UPPER_BOUND });
    }
    if (pos.source == null || pos.line == null) return null;
    return {
      ...loc,
      url: styleLike(pos.source, loc.url),
      line: pos.line,
      column: (pos.column ?? 0) + 1,
      generated: { url: loc.url, line: loc.line, column: loc.column },
    };
  }

  private async load(loc: SourceLocation): Promise<LoadedMap | null> {
    const file = loc.url ? toFilePath(loc.url) : null;
    // Where the map's relative `sources` are resolved from: the script's own URL when it has one.
    const base = file ? pathToFileURL(file).href : loc.url && /^[a-z][a-z0-9+.-]*:/i.test(loc.url) ? loc.url : undefined;

    let source: string | null = null;
    if (file) source = await this.readText(file);
    if (source === null && loc.scriptId !== undefined && this.options.scriptSource) {
      source = await this.options.scriptSource(loc.scriptId).catch(() => null);
    }

    let reference = (loc.url && this.options.sourceMapUrlFor?.(loc.url)) || (source !== null ? findSourceMappingUrl(source) : null);
    if (!reference && file && (await isFile(`${file}.map`))) reference = pathToFileURL(`${file}.map`).href;
    if (!reference) return null;

    let raw: string | null;
    let mapUrl: string | undefined;
    if (reference.startsWith('data:')) {
      raw = decodeDataUrl(reference);
      mapUrl = base;
    } else {
      const mapFile = reference.startsWith('file:')
        ? fileURLToPath(reference)
        : isAbsolute(reference) ? reference
          : file ? resolvePath(dirname(file), reference) : null;
      if (!mapFile) return null;
      raw = await this.readText(mapFile);
      mapUrl = pathToFileURL(mapFile).href;
    }
    if (!raw) return null;
    let parsed: RawSourceMap;
    try {
      parsed = JSON.parse(raw) as RawSourceMap;
    } catch {
      return null;
    }
    if (!parsed || typeof parsed !== 'object' || !Array.isArray(parsed.sources)) return null;
    // An index map (`sections`) is rare for Node programs and not supported by the basic consumer.
    if ((parsed as unknown as { sections?: unknown }).sections) return null;
    return { consumer: new SourceMapConsumer(parsed, mapUrl) };
  }

  private async readText(file: string): Promise<string | null> {
    try {
      const s = await stat(file);
      if (!s.isFile() || s.size > (this.options.maxScriptBytes ?? 64 * 1024 * 1024)) return null;
      return await readFile(file, 'utf8');
    } catch {
      return null;
    }
  }
}

/** Rewrites every location in a report to its original position (in place) and returns the report. */
export async function applySourceMaps(report: RetentionReport, resolver: SourceMapResolver): Promise<RetentionReport> {
  const nodes: ReportNode[] = [report.object];
  for (const path of [...report.paths, ...(report.debuggerPaths ?? [])]) for (const step of path.steps) collectStep(step, nodes);
  for (const cycle of report.cycles) for (const step of cycle.steps) collectStep(step, nodes);
  // What each fix names (its holder, listener, timer), for the link to the listener's line.
  for (const s of [report.fix, ...report.paths.map((p) => p.suggestion), ...report.cycles.map((c) => c.suggestion)]) {
    const t = s?.target;
    if (t) for (const n of [t.node, t.listener, t.container, t.timer]) if (n) nodes.push(n);
  }
  await mapNodes(nodes, resolver);
  mapSentenceLocations(report);
  return report;
}

/** Rewrites the locations in a heap summary (its largest retainers) in place and returns it. */
export async function applySourceMapsToSummary(summary: HeapSummary, resolver: SourceMapResolver): Promise<HeapSummary> {
  await mapNodes(summary.largestRetainers, resolver);
  return summary;
}

/** Rewrites the locations of any list of report nodes in place. */
export async function applySourceMapsToNodes(nodes: ReportNode[], resolver: SourceMapResolver): Promise<void> {
  await mapNodes(nodes, resolver);
}

function collectStep(step: { from: ReportNode; to: ReportNode; via?: ReportNode[]; folded?: { from: ReportNode; to: ReportNode; via?: ReportNode[] }[] }, into: ReportNode[]): void {
  into.push(step.from, step.to);
  if (step.via) into.push(...step.via);
  for (const f of step.folded ?? []) collectStep(f, into);
}

async function mapNodes(nodes: ReportNode[], resolver: SourceMapResolver): Promise<void> {
  // Nodes may be shared between steps; a location that already carries `generated` has been mapped.
  const done = new Map<SourceLocation, SourceLocation | null>();
  for (const node of nodes) {
    const loc = node.location;
    if (!loc || (loc as { generated?: unknown }).generated) continue;
    let mapped = done.get(loc);
    if (mapped === undefined) {
      mapped = await resolver.originalPosition(loc);
      done.set(loc, mapped);
    }
    if (mapped) node.location = mapped;
  }
}

/** The last `//# sourceMappingURL=` (or `/*# ... *\/`) reference in a script, or null. */
export function findSourceMappingUrl(source: string): string | null {
  const re = /(?:\/\/|\/\*)[#@][ \t]*sourceMappingURL=([^\s'"*]+)[ \t]*(?:\*\/)?[ \t]*$/gm;
  // Only the tail matters (the comment is the last line); scanning the whole of a large bundle is wasted work,
  // but an inline map can itself be large, so look at the last line that carries the marker.
  const at = source.lastIndexOf('sourceMappingURL=');
  if (at < 0) return null;
  const lineStart = source.lastIndexOf('\n', at) + 1;
  re.lastIndex = lineStart;
  let m: RegExpExecArray | null;
  let last: string | null = null;
  while ((m = re.exec(source))) last = m[1];
  return last;
}

function decodeDataUrl(url: string): string | null {
  const comma = url.indexOf(',');
  if (comma < 0) return null;
  const meta = url.slice(5, comma);
  const data = url.slice(comma + 1);
  try {
    return /;base64$/i.test(meta) ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
  } catch {
    return null;
  }
}

/** The original source as a path when the generated script was named by path, as a URL otherwise. */
function styleLike(source: string, generatedUrl: string): string {
  if (source.startsWith('file:') && generatedUrl && !generatedUrl.startsWith('file:') && isAbsolute(generatedUrl)) {
    try {
      return fileURLToPath(source);
    } catch {
      return source;
    }
  }
  return source;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
