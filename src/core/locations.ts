/**
 * Source locations for heap nodes.
 *
 * - V8's `locations` section gives closures (and, in recent V8, objects through their constructor) a script id,
 *   line and column (0-based).
 * - Script ids are mapped to URLs from the snapshot itself: a closure's `shared` function info points at its Script
 *   node (`script_or_debug_info`/`script`), and a Script node is named by its URL. A live session can add more.
 * - Plain objects without a location of their own fall back to their constructor: `map` -> `constructor`.
 * - With allocation tracking, `trace_node_id` leads to the stack that allocated the object (1-based positions).
 */
import type { HeapGraph } from './heapGraph';
import type { SourceLocation } from './report';

export class LocationIndex {
  /** Location rows ordered by node ordinal (V8 writes them in node order; sorted here if not). */
  private readonly rowsByNode: Uint32Array;
  private scriptUrls: Map<number, string> | null = null;
  private readonly extraUrls = new Map<number, string>();
  private traceRowOfId: Map<number, number> | null = null;

  constructor(private readonly graph: HeapGraph) {
    const { locations, locationCount } = graph.snapshot;
    const rows = new Uint32Array(locationCount);
    let sorted = true;
    for (let row = 0; row < locationCount; row++) {
      rows[row] = row;
      if (row > 0 && locations[row * 4] < locations[(row - 1) * 4]) sorted = false;
    }
    if (!sorted) sortRowsByNode(rows, locations);
    this.rowsByNode = rows;
  }

  /** Binary search for the node's location row; -1 when it has none. */
  private rowOf(node: number): number {
    const { locations } = this.graph.snapshot;
    const rows = this.rowsByNode;
    let lo = 0;
    let hi = rows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = locations[rows[mid] * 4];
      if (v === node) return rows[mid];
      if (v < node) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Script id -> URL learned elsewhere (a live session's Debugger.scriptParsed or getScriptSource). */
  addScriptUrls(urls: Map<number, string>): void {
    for (const [id, url] of urls) if (url) this.extraUrls.set(id, url);
  }

  /** Script ids used by locations that the snapshot does not name. */
  unresolvedScriptIds(): number[] {
    const urls = this.urls();
    const ids = new Set<number>();
    const { locations, locationCount } = this.graph.snapshot;
    for (let row = 0; row < locationCount; row++) {
      const id = locations[row * 4 + 1];
      if (!urls.has(id) && !this.extraUrls.has(id)) ids.add(id);
    }
    return [...ids];
  }

  urlOf(scriptId: number): string {
    return this.extraUrls.get(scriptId) ?? this.urls().get(scriptId) ?? '';
  }

  /** The node's own location, or its constructor's. */
  locate(node: number): SourceLocation | null {
    const own = this.ownLocation(node, 'function');
    if (own) {
      if (this.graph.nodeType[node] !== this.graph.types.closure) own.origin = 'constructor';
      return own;
    }
    const ctor = this.constructorOf(node);
    if (ctor >= 0) {
      const loc = this.ownLocation(ctor, 'constructor');
      if (loc) return loc;
    }
    return this.allocationStack(node)[0] ?? null;
  }

  /** Frames of the allocation stack, innermost first; empty without allocation tracking. */
  allocationStack(node: number, limit = 8): SourceLocation[] {
    const traceIds = this.graph.snapshot.nodeTraceId;
    if (!traceIds || traceIds[node] === 0) return [];
    const tree = this.graph.snapshot.traceTree;
    if (!this.traceRowOfId) {
      this.traceRowOfId = new Map();
      for (let row = 0; row < tree.count; row++) this.traceRowOfId.set(tree.ids[row], row);
    }
    const infos = this.graph.snapshot.traceFunctionInfos;
    const fieldsPerInfo = this.graph.snapshot.meta.trace_function_info_fields?.length ?? 6;
    const f = this.graph.snapshot.meta.trace_function_info_fields ?? ['function_id', 'name', 'script_name', 'script_id', 'line', 'column'];
    const scriptName = f.indexOf('script_name');
    const scriptId = f.indexOf('script_id');
    const lineField = f.indexOf('line');
    const columnField = f.indexOf('column');
    const frames: SourceLocation[] = [];
    let row = this.traceRowOfId.get(traceIds[node]) ?? -1;
    while (row >= 0 && frames.length < limit) {
      const info = tree.functionInfoIndex[row] * fieldsPerInfo;
      const line = infos[info + lineField];
      if (line > 0) {
        const id = infos[info + scriptId];
        const url = this.graph.strings[infos[info + scriptName]] || this.urlOf(id);
        frames.push({ url, line, column: Math.max(1, infos[info + columnField]), scriptId: id, origin: 'allocation' });
      }
      row = tree.parentRow[row];
    }
    return frames;
  }

  private ownLocation(node: number, origin: SourceLocation['origin']): SourceLocation | null {
    const row = this.rowOf(node);
    if (row < 0) return null;
    const l = this.graph.snapshot.locations;
    const scriptId = l[row * 4 + 1];
    return { url: this.urlOf(scriptId), line: l[row * 4 + 2] + 1, column: l[row * 4 + 3] + 1, scriptId, origin };
  }

  /** The closure that constructed an object: object -map-> Map -constructor-> closure. */
  private constructorOf(node: number): number {
    const g = this.graph;
    if (g.nodeType[node] !== g.types.object) return -1;
    for (let e = g.firstEdge[node], end = g.firstEdge[node + 1]; e < end; e++) {
      if (g.edgeType[e] !== g.edges.internal || !g.edgeNamed(e, 'map')) continue;
      const map = g.edgeTarget[e];
      for (let f = g.firstEdge[map], fend = g.firstEdge[map + 1]; f < fend; f++) {
        const t = g.edgeTarget[f];
        if (g.edgeNamed(f, 'constructor') && g.nodeType[t] === g.types.closure) return t;
      }
    }
    return -1;
  }

  /** Script id -> URL from the snapshot: closure -shared-> SharedFunctionInfo -script-> Script (named by its URL). */
  private urls(): Map<number, string> {
    if (this.scriptUrls) return this.scriptUrls;
    const g = this.graph;
    const urls = new Map<number, string>();
    const { locations, locationCount } = g.snapshot;
    for (let row = 0; row < locationCount; row++) {
      const node = locations[row * 4];
      const scriptId = locations[row * 4 + 1];
      if (urls.has(scriptId) || g.nodeType[node] !== g.types.closure) continue;
      const url = this.scriptNameOfClosure(node);
      if (url) urls.set(scriptId, url);
    }
    this.scriptUrls = urls;
    return urls;
  }

  private scriptNameOfClosure(closure: number): string {
    const g = this.graph;
    const shared = this.child(closure, 'shared');
    if (shared < 0) return '';
    let script = this.child(shared, 'script_or_debug_info');
    if (script < 0) script = this.child(shared, 'script');
    if (script < 0) return '';
    // While a debugger is attached the slot can hold a DebugInfo that points at the script.
    if (g.name(script).startsWith('system / DebugInfo')) {
      const inner = this.child(script, 'script');
      if (inner < 0) return '';
      script = inner;
    }
    const name = g.name(script);
    return name.startsWith('system / ') ? '' : name;
  }

  private child(node: number, edgeName: string): number {
    const g = this.graph;
    for (let e = g.firstEdge[node], end = g.firstEdge[node + 1]; e < end; e++) {
      if (g.edgeNamed(e, edgeName)) return g.edgeTarget[e];
    }
    return -1;
  }
}

/**
 * Orders location rows by their node (V8 writes locations in the order it visits objects, not in node order): a
 * stable radix sort of (node, row) pairs, 12 bits of the node ordinal a pass, as many passes as the largest ordinal
 * needs. The keys are read once into their own array so the passes stream through memory. A comparator sort over
 * 1.8 M rows took 0.5 s.
 */
export function sortRowsByNode(rows: Uint32Array, locations: Int32Array): void {
  const count = rows.length;
  let keys: Uint32Array = new Uint32Array(count);
  let max = 0;
  for (let row = 0; row < count; row++) {
    const k = locations[row * 4];
    keys[row] = k;
    if (k > max) max = k;
  }
  let rowsIn: Uint32Array = rows;
  let keysOut: Uint32Array = new Uint32Array(count);
  let rowsOut: Uint32Array = new Uint32Array(count);
  const buckets = new Uint32Array(4096);
  for (let shift = 0; shift === 0 || (shift < 32 && max >>> shift > 0); shift += 12) {
    buckets.fill(0);
    for (let i = 0; i < count; i++) buckets[(keys[i] >>> shift) & 4095]++;
    for (let b = 0, sum = 0; b < 4096; b++) {
      const c = buckets[b];
      buckets[b] = sum;
      sum += c;
    }
    for (let i = 0; i < count; i++) {
      const k = keys[i];
      const at = buckets[(k >>> shift) & 4095]++;
      keysOut[at] = k;
      rowsOut[at] = rowsIn[i];
    }
    [keys, keysOut] = [keysOut, keys];
    [rowsIn, rowsOut] = [rowsOut, rowsIn];
  }
  if (rowsIn !== rows) rows.set(rowsIn);
}
