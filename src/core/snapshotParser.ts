/**
 * A streaming parser for V8's `.heapsnapshot` JSON.
 *
 * Chunks (text from CDP's `HeapProfiler.addHeapSnapshotChunk`, or bytes from a file) are parsed as they arrive,
 * straight into typed arrays; the document is never held as one string, so snapshots larger than V8's longest
 * string (~512 MiB) parse, and memory stays near the size of the numeric data.
 *
 * Nodes and edges are stored column by column (one typed array per field) rather than in V8's row layout: a node's
 * `edge_count` becomes a prefix sum (`firstEdge`), an edge's `to_node` field offset becomes the target's ordinal, and
 * the type columns take one byte. That is what the analysis reads, and it needs ~35% less memory than the rows.
 *
 * Field positions come from `snapshot.meta` by name, never by position. The top-level sections may come in any order
 * (JSON does not order keys): with the `snapshot` header first, as V8 writes it, everything streams; a numeric section
 * that comes before the header is kept as its bytes until the header says how to read it, then parsed from them.
 *
 * Every malformed input ends in a SnapshotFormatError: one sentence in the parser's own words, with the byte offset.
 */
import { asciiText, concatBytes, utf8Text } from './text';
import { doubled } from './typedArrays';

export class SnapshotFormatError extends Error {
  /** Byte offset in the document where the problem was found. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'SnapshotFormatError';
    this.offset = offset;
  }
}

export interface SnapshotMeta {
  node_fields: string[];
  node_types: (string[] | string)[];
  edge_fields: string[];
  edge_types: (string[] | string)[];
  trace_function_info_fields?: string[];
  trace_node_fields?: string[];
  sample_fields?: string[];
  location_fields?: string[];
}

/** The allocation trace tree, flattened: one row per trace node, parents before children. */
export interface TraceTree {
  count: number;
  /** V8's trace node id (what a node's `trace_node_id` refers to). */
  ids: Uint32Array;
  functionInfoIndex: Uint32Array;
  /** Row of the parent trace node, -1 for the root. */
  parentRow: Int32Array;
}

export interface HeapSnapshot {
  meta: SnapshotMeta;
  nodeCount: number;
  edgeCount: number;
  /** Index into `nodeTypeNames`. */
  nodeType: Uint8Array;
  /** Index into `strings`. */
  nodeName: Uint32Array;
  /** V8 heap object id. */
  nodeId: Uint32Array;
  /** Shallow size in bytes (saturates at 2^32-1). */
  nodeSelfSize: Uint32Array;
  /** Edge ordinal of each node's first edge; `firstEdge[nodeCount] === edgeCount`. */
  firstEdge: Uint32Array;
  /** Allocation trace node id, or null when the snapshot has no `trace_node_id` field. */
  nodeTraceId: Uint32Array | null;
  /** Index into `edgeTypeNames`. */
  edgeType: Uint8Array;
  /** String index for named edges, the element index for `element` and `hidden` edges. */
  edgeNameOrIndex: Uint32Array;
  /** Ordinal of the node the edge points to. */
  edgeTarget: Uint32Array;
  nodeTypeNames: string[];
  edgeTypeNames: string[];
  strings: string[];
  /** `location_fields` rows, flattened: [node ordinal, script id, line, column] (0-based line and column). */
  locations: Int32Array;
  locationCount: number;
  /** `trace_function_info_fields` rows, flattened as in the document. */
  traceFunctionInfos: Float64Array;
  traceTree: TraceTree;
  /** Bytes the document had. */
  byteLength: number;
}

// Character codes.
const QUOTE = 34, BACKSLASH = 92, COMMA = 44, COLON = 58, MINUS = 45;
const OPEN_BRACKET = 91, CLOSE_BRACKET = 93, OPEN_BRACE = 123, CLOSE_BRACE = 125;
const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

const enum State {
  DocumentStart,
  KeyOrEnd, // after `{` or `,` at the top level
  Key,
  Colon,
  Value,
  AfterValue,
  DocumentEnd,
  // Value kinds
  Raw, // a JSON value captured as text (the `snapshot` header) or skipped (unknown keys)
  NumberArrayStart,
  Numbers,
  StringArrayStart,
  Strings,
  TraceTreeStart,
  TraceTree,
}

/** Where the numbers of the current array go. */
const enum Sink { Nodes, Edges, Locations, FunctionInfos, Samples }

const MAX_U32 = 0xffffffff;

/** The most nodes or edges a snapshot can announce: ordinals are kept in 32-bit columns. */
const MAX_COUNT = 0xfffffffe;

/** Sections whose rows the header describes: kept as bytes when they come before it. */
const HEADER_DEPENDENT = new Set(['nodes', 'edges', 'locations', 'trace_function_infos', 'samples']);

/** A section that came before the header: its bytes and where they started in the document. */
interface PendingSection {
  key: string;
  offset: number;
  parts: Uint8Array[];
}

export interface SnapshotParserOptions {
  /**
   * The document's size when it is known (a file): a header announcing more nodes and edges than that many bytes can
   * hold is refused before anything is allocated for them.
   */
  totalBytes?: number;
}

export class SnapshotParser {
  private state = State.DocumentStart;
  private offset = 0; // bytes consumed before the current chunk
  private key = '';
  private keyBytes: number[] = [];
  private seenKeys = new Set<string>();

  // Raw value capture (header) or skipping.
  private rawDepth = 0;
  private rawInString = false;
  private rawEscape = false;
  private rawStore = false;
  private rawParts: Uint8Array[] = [];
  /** The section being kept as bytes (it came before the header), or null. */
  private rawSection: PendingSection | null = null;
  private pending: PendingSection[] = [];
  private nodesDone = false;
  private edgesDone = false;

  // Number arrays.
  private sink = Sink.Nodes;
  private sinkName = '';
  private num = 0;
  private numDigits = 0;
  private numNeg = false;
  private needValue = false; // after a comma: a value must follow
  private row: Float64Array = new Float64Array(16);
  private intRow: Int32Array = new Int32Array(16); // the fast paths' row (numbers of at most 9 digits)
  private rowLength = 1;
  private rowFill = 0;
  private rows = 0; // completed rows in the current array
  private growable: Float64Array = new Float64Array(1024);
  private growableLength = 0;

  // Strings.
  private inString = false;
  private stringEscape = 0; // 0 none, 1 after backslash, 2..5 reading \uXXXX digits
  private stringHex = 0;
  private stringUnits: Uint16Array = new Uint16Array(1024);
  private stringUnitsLength = 0;
  private utf8Need = 0;
  private utf8CodePoint = 0;

  // Trace tree: [id, function_info_index, count, size, [children]]*, nested.
  private traceDepth = 0;
  private traceParents: number[] = [];
  private traceFill = 0;
  private traceIds: number[] = [];
  private traceFunctionIndex: number[] = [];
  private traceParent: number[] = [];

  // Header-derived layout.
  private meta: SnapshotMeta | null = null;
  private nodeCount = 0;
  private edgeCount = 0;
  private nodeFieldCount = 0;
  private edgeFieldCount = 0;
  private nodeFieldIndex = { type: -1, name: -1, id: -1, selfSize: -1, edgeCount: -1, traceNodeId: -1 };
  private edgeFieldIndex = { type: -1, nameOrIndex: -1, toNode: -1 };
  private locationFieldIndex = { objectIndex: -1, scriptId: -1, line: -1, column: -1 };
  private nodeTypeNames: string[] = [];
  private edgeTypeNames: string[] = [];

  // Output columns.
  private nodeType = new Uint8Array(0);
  private nodeName = new Uint32Array(0);
  private nodeId = new Uint32Array(0);
  private nodeSelfSize = new Uint32Array(0);
  private firstEdge = new Uint32Array(1);
  private nodeTraceId: Uint32Array | null = null;
  private edgeType = new Uint8Array(0);
  private edgeNameOrIndex = new Uint32Array(0);
  private edgeTarget = new Uint32Array(0);
  private strings: string[] = [];
  private locations = new Int32Array(0);
  private locationCount = 0;
  private traceFunctionInfos = new Float64Array(0);
  private encoder = new TextEncoder();
  private encodeBuffer = new Uint8Array(0);
  private failed: SnapshotFormatError | null = null;

  constructor(private readonly options: SnapshotParserOptions = {}) {}

  /** Bytes received so far. */
  get bytesReceived(): number {
    return this.offset;
  }

  /** Feeds the next chunk. Text chunks are encoded to UTF-8 first (V8 emits ASCII, so this is a copy). */
  write(chunk: string | Uint8Array): void {
    if (this.failed) throw this.failed;
    let bytes: Uint8Array;
    let length: number;
    if (typeof chunk === 'string') {
      if (this.encodeBuffer.length < chunk.length * 3) this.encodeBuffer = new Uint8Array(chunk.length * 3);
      length = this.encoder.encodeInto(chunk, this.encodeBuffer).written;
      bytes = this.encodeBuffer;
    } else {
      bytes = chunk;
      length = chunk.length;
    }
    try {
      this.consume(bytes, length);
    } catch (e) {
      // Anything but our own sentence is a case the checks above missed: still a sentence, never the engine's words.
      this.failed = e instanceof SnapshotFormatError ? e : new SnapshotFormatError(
        `The snapshot is malformed near byte ${this.offset}: it cannot be read as a V8 heap snapshot. Take the snapshot again.`, this.offset);
      throw this.failed;
    }
    this.offset += length;
  }

  /** Ends the document and returns the parsed snapshot; throws if it is truncated or incomplete. */
  end(): HeapSnapshot {
    if (this.failed) throw this.failed;
    if (this.state !== State.DocumentEnd) {
      const where = this.key ? ` inside "${this.key}"` : '';
      const progress = this.progressNote();
      const what = this.offset === 0 ? 'The snapshot is empty' : `The snapshot ends early at byte ${this.offset}${where}${progress}`;
      throw (this.failed = new SnapshotFormatError(`${what}: the file or stream is truncated. Take the snapshot again.`, this.offset));
    }
    if (this.pending.length > 0 && !this.meta) {
      throw (this.failed = new SnapshotFormatError(`The snapshot has no "snapshot" header to describe its "${this.pending[0].key}" section, so it is not a complete V8 heap snapshot.`, this.offset));
    }
    for (const required of ['snapshot', 'nodes', 'edges', 'strings']) {
      if (!this.seenKeys.has(required)) {
        throw (this.failed = new SnapshotFormatError(`The snapshot has no "${required}" section, so it is not a complete V8 heap snapshot.`, this.offset));
      }
    }
    const maxString = this.strings.length;
    const { nodeName, nodeCount, edgeType, edgeNameOrIndex, edgeCount } = this;
    for (let i = 0; i < nodeCount; i++) {
      if (nodeName[i] >= maxString) {
        throw (this.failed = new SnapshotFormatError(`Node ${i} names string ${nodeName[i]}, but the string table has only ${maxString} entries.`, this.offset));
      }
    }
    const stringEdge = new Uint8Array(256);
    for (const t of ['context', 'property', 'internal', 'shortcut', 'weak']) {
      const k = this.edgeTypeNames.indexOf(t);
      if (k >= 0) stringEdge[k] = 1;
    }
    for (let e = 0; e < edgeCount; e++) {
      // The comparison first: it is nearly always false, so the type is rarely looked up.
      if (edgeNameOrIndex[e] >= maxString && stringEdge[edgeType[e]]) {
        throw (this.failed = new SnapshotFormatError(`Edge ${e} names string ${edgeNameOrIndex[e]}, but the string table has only ${maxString} entries.`, this.offset));
      }
    }
    return {
      meta: this.meta!,
      nodeCount: this.nodeCount,
      edgeCount: this.edgeCount,
      nodeType: this.nodeType,
      nodeName: this.nodeName,
      nodeId: this.nodeId,
      nodeSelfSize: this.nodeSelfSize,
      firstEdge: this.firstEdge,
      nodeTraceId: this.nodeTraceId,
      edgeType: this.edgeType,
      edgeNameOrIndex: this.edgeNameOrIndex,
      edgeTarget: this.edgeTarget,
      nodeTypeNames: this.nodeTypeNames,
      edgeTypeNames: this.edgeTypeNames,
      strings: this.strings,
      locations: this.locations.subarray(0, this.locationCount * 4),
      locationCount: this.locationCount,
      traceFunctionInfos: this.traceFunctionInfos,
      traceTree: {
        count: this.traceIds.length,
        ids: Uint32Array.from(this.traceIds),
        functionInfoIndex: Uint32Array.from(this.traceFunctionIndex),
        parentRow: Int32Array.from(this.traceParent),
      },
      byteLength: this.offset,
    };
  }

  private progressNote(): string {
    if (this.state === State.Numbers && this.sink === Sink.Nodes) return ` (${this.rows} of ${this.nodeCount} nodes read)`;
    if (this.state === State.Numbers && this.sink === Sink.Edges) return ` (${this.rows} of ${this.edgeCount} edges read)`;
    if (this.state === State.Strings) return ` (${this.strings.length} strings read)`;
    return '';
  }

  private fail(message: string, pos: number): never {
    throw new SnapshotFormatError(`${message} at byte ${this.offset + pos}.`, this.offset + pos);
  }

  private describe(c: number): string {
    return c >= 32 && c < 127 ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
  }

  private consume(buf: Uint8Array, end: number): void {
    let pos = 0;
    while (pos < end) {
      switch (this.state) {
        case State.Numbers:
          pos = this.parseNumbers(buf, pos, end);
          break;
        case State.Strings:
          pos = this.parseStrings(buf, pos, end);
          break;
        case State.Raw:
          pos = this.parseRaw(buf, pos, end);
          break;
        case State.TraceTree:
          pos = this.parseTraceTree(buf, pos, end);
          break;
        case State.Key:
          pos = this.parseKey(buf, pos, end);
          break;
        default:
          pos = this.parseStructure(buf, pos, end);
      }
    }
  }

  /** One structural character at a time: the top-level object, keys, colons, array openings. */
  private parseStructure(buf: Uint8Array, pos: number, end: number): number {
    const c = buf[pos];
    if (isSpace(c)) return pos + 1;
    switch (this.state) {
      case State.DocumentStart:
        if (c === 0xef && pos + 2 < end && buf[pos + 1] === 0xbb && buf[pos + 2] === 0xbf) return pos + 3; // BOM
        if (c !== OPEN_BRACE) this.fail(`This is not a V8 heap snapshot: it should start with '{' but starts with ${this.describe(c)}`, pos);
        this.state = State.KeyOrEnd;
        return pos + 1;
      case State.KeyOrEnd:
        if (c === CLOSE_BRACE && this.seenKeys.size === 0) { this.state = State.DocumentEnd; return pos + 1; }
        if (c !== QUOTE) this.fail(`Expected a key in the snapshot's top-level object, found ${this.describe(c)}`, pos);
        this.keyBytes.length = 0;
        this.state = State.Key;
        return pos + 1;
      case State.Colon:
        if (c !== COLON) this.fail(`Expected ':' after "${this.key}", found ${this.describe(c)}`, pos);
        this.state = State.Value;
        return pos + 1;
      case State.Value:
        return this.startValue(pos);
      case State.NumberArrayStart:
      case State.StringArrayStart:
      case State.TraceTreeStart:
        if (c !== OPEN_BRACKET) this.fail(`Expected "${this.key}" to be an array, found ${this.describe(c)}`, pos);
        this.state = this.state === State.NumberArrayStart ? State.Numbers : this.state === State.StringArrayStart ? State.Strings : State.TraceTree;
        this.needValue = false;
        return pos + 1;
      case State.AfterValue:
        if (c === COMMA) { this.state = State.KeyOrEnd; return pos + 1; }
        if (c === CLOSE_BRACE) { this.state = State.DocumentEnd; return pos + 1; }
        this.fail(`Expected ',' or '}' after "${this.key}", found ${this.describe(c)}`, pos);
      // falls through (fail throws)
      case State.DocumentEnd:
        this.fail(`Unexpected ${this.describe(c)} after the end of the snapshot`, pos);
      // falls through (fail throws)
      default:
        this.fail(`Parser in an unexpected state ${this.state}`, pos);
    }
  }

  private parseKey(buf: Uint8Array, pos: number, end: number): number {
    while (pos < end) {
      const c = buf[pos++];
      if (c === QUOTE) {
        this.key = utf8Text(Uint8Array.from(this.keyBytes));
        if (this.seenKeys.has(this.key)) this.fail(`The key "${this.key}" appears twice`, pos - 1);
        this.seenKeys.add(this.key);
        this.state = State.Colon;
        return pos;
      }
      if (this.keyBytes.length > 256) this.fail('A top-level key is longer than 256 bytes', pos);
      this.keyBytes.push(c);
    }
    return pos;
  }

  private startValue(pos: number): number {
    const key = this.key;
    if (!this.meta && HEADER_DEPENDENT.has(key)) {
      // Its rows cannot be read before the header: keep its bytes, parse them when the header comes.
      this.beginRaw(false);
      this.rawSection = { key, offset: this.offset + pos, parts: [] };
      return pos;
    }
    switch (key) {
      case 'snapshot':
        this.beginRaw(true);
        return pos;
      case 'nodes':
        this.beginNumbers(Sink.Nodes, this.nodeFieldCount);
        return pos;
      case 'edges':
        this.beginNumbers(Sink.Edges, this.edgeFieldCount);
        return pos;
      case 'locations':
        this.beginNumbers(Sink.Locations, this.meta!.location_fields?.length ?? 4);
        return pos;
      case 'trace_function_infos':
        this.beginNumbers(Sink.FunctionInfos, this.meta?.trace_function_info_fields?.length || 1);
        return pos;
      case 'samples':
        this.beginNumbers(Sink.Samples, this.meta?.sample_fields?.length || 1);
        return pos;
      case 'strings':
        this.state = State.StringArrayStart;
        return pos;
      case 'trace_tree':
        this.state = State.TraceTreeStart;
        return pos;
      default:
        this.beginRaw(false); // an unknown section: skip it
        return pos;
    }
  }

  // ---- Raw JSON values: the header is captured, unknown sections skipped. ----

  private beginRaw(store: boolean): void {
    this.state = State.Raw;
    this.rawDepth = 0;
    this.rawInString = false;
    this.rawEscape = false;
    this.rawStore = store;
    this.rawParts = [];
    this.rawSection = null;
  }

  private parseRaw(buf: Uint8Array, pos: number, end: number): number {
    const start = pos;
    let done = false;
    while (pos < end) {
      const c = buf[pos++];
      if (this.rawInString) {
        if (this.rawEscape) this.rawEscape = false;
        else if (c === BACKSLASH) this.rawEscape = true;
        else if (c === QUOTE) {
          this.rawInString = false;
          if (this.rawDepth === 0) { done = true; break; }
        }
        continue;
      }
      if (this.rawDepth === 0 && (c === COMMA || c === CLOSE_BRACE)) {
        // A scalar value ended: give the delimiter back to the structure parser.
        pos--;
        done = true;
        break;
      }
      if (c === QUOTE) this.rawInString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.rawDepth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (this.rawDepth === 0) this.fail(`Unbalanced ${this.describe(c)} in "${this.key}"`, pos - 1);
        if (--this.rawDepth === 0) { done = true; break; }
      }
    }
    if (this.rawStore) {
      this.rawParts.push(buf.slice(start, pos));
      if (this.rawParts.length > 4096) this.fail(`The "${this.key}" header is implausibly large`, pos);
    } else if (this.rawSection) {
      this.rawSection.parts.push(buf.slice(start, pos));
    }
    if (done) {
      this.state = State.AfterValue;
      if (this.rawSection) {
        this.pending.push(this.rawSection);
        this.rawSection = null;
      }
      if (this.rawStore) {
        this.readHeader(utf8Text(concatBytes(this.rawParts)), pos);
        this.rawParts = [];
        this.replayPending();
      }
      this.rawParts = [];
    }
    return pos;
  }

  private readHeader(text: string, pos: number): void {
    let header: { meta?: SnapshotMeta; node_count?: number; edge_count?: number; trace_function_count?: number };
    try {
      header = JSON.parse(text) as typeof header;
    } catch {
      this.fail('The "snapshot" header is not valid JSON', pos);
    }
    if (!isObject(header)) this.fail(`The "snapshot" header is ${kindOf(header)}, not an object, so this is not a V8 heap snapshot`, pos);
    const meta = header.meta;
    if (!isObject(meta) || !isStringArray(meta.node_fields) || !isStringArray(meta.edge_fields)) {
      this.fail('The "snapshot" header has no meta.node_fields/edge_fields, so this is not a V8 heap snapshot', pos);
    }
    for (const [name, value] of [['node_count', header.node_count], ['edge_count', header.edge_count]] as const) {
      if (!Number.isInteger(value) || value! < 0) {
        this.fail(`The "snapshot" header's ${name} is ${JSON.stringify(value) ?? 'missing'}, not a count`, pos);
      }
      if (value! > MAX_COUNT) this.fail(`The "snapshot" header's ${name} is ${value}, more than a heap snapshot can hold (at most ${MAX_COUNT})`, pos);
    }
    for (const list of ['location_fields', 'trace_function_info_fields', 'trace_node_fields', 'sample_fields'] as const) {
      if (meta[list] !== undefined && !isStringArray(meta[list])) this.fail(`meta.${list} is not a list of field names`, pos);
    }
    if (!Array.isArray(meta.node_types) || !Array.isArray(meta.edge_types)) {
      this.fail('meta.node_types/edge_types are not lists, so this is not a V8 heap snapshot', pos);
    }
    const total = this.options.totalBytes;
    if (total !== undefined) {
      // Each number takes at least one digit and a separator.
      const least = header.node_count! * meta.node_fields.length * 2 + header.edge_count! * meta.edge_fields.length * 2;
      if (least > total) {
        this.fail(`The "snapshot" header announces ${header.node_count} nodes and ${header.edge_count} edges, more than a document of ${total} bytes can hold`, pos);
      }
    }
    const nodeField = (name: string, required: boolean) => {
      const i = meta.node_fields.indexOf(name);
      if (i < 0 && required) this.fail(`meta.node_fields has no "${name}" field`, pos);
      return i;
    };
    const edgeField = (name: string) => {
      const i = meta.edge_fields.indexOf(name);
      if (i < 0) this.fail(`meta.edge_fields has no "${name}" field`, pos);
      return i;
    };
    this.nodeFieldIndex = {
      type: nodeField('type', true),
      name: nodeField('name', true),
      id: nodeField('id', true),
      selfSize: nodeField('self_size', true),
      edgeCount: nodeField('edge_count', true),
      traceNodeId: nodeField('trace_node_id', false),
    };
    this.edgeFieldIndex = { type: edgeField('type'), nameOrIndex: edgeField('name_or_index'), toNode: edgeField('to_node') };
    const typeNames = (types: (string[] | string)[] | undefined, index: number, what: string): string[] => {
      const t = types?.[index];
      if (!isStringArray(t)) this.fail(`meta.${what} does not list the type names`, pos);
      if (t.length > 255) this.fail(`meta.${what} lists ${t.length} types, more than a heap snapshot has`, pos);
      return t;
    };
    this.nodeTypeNames = typeNames(meta.node_types, this.nodeFieldIndex.type, 'node_types');
    this.edgeTypeNames = typeNames(meta.edge_types, this.edgeFieldIndex.type, 'edge_types');
    const lf = meta.location_fields ?? ['object_index', 'script_id', 'line', 'column'];
    this.locationFieldIndex = {
      objectIndex: lf.indexOf('object_index'),
      scriptId: lf.indexOf('script_id'),
      line: lf.indexOf('line'),
      column: lf.indexOf('column'),
    };
    this.meta = meta;
    this.nodeFieldCount = meta.node_fields.length;
    this.edgeFieldCount = meta.edge_fields.length;
    this.nodeCount = header.node_count!;
    this.edgeCount = header.edge_count!;
    const n = this.nodeCount;
    try {
      this.nodeType = new Uint8Array(n);
      this.nodeName = new Uint32Array(n);
      this.nodeId = new Uint32Array(n);
      this.nodeSelfSize = new Uint32Array(n);
      this.firstEdge = new Uint32Array(n + 1);
      // Trace ids mean something only when allocations were recorded; otherwise they are all 0 and not kept.
      this.nodeTraceId = this.nodeFieldIndex.traceNodeId >= 0 && Number(header.trace_function_count ?? 0) > 0 ? new Uint32Array(n) : null;
      this.edgeType = new Uint8Array(this.edgeCount);
      this.edgeNameOrIndex = new Uint32Array(this.edgeCount);
      this.edgeTarget = new Uint32Array(this.edgeCount);
    } catch {
      this.fail(`The "snapshot" header announces ${n} nodes and ${this.edgeCount} edges; there is not enough memory to hold them`, pos);
    }
  }

  /** Parses the sections that came before the header, from their bytes, with their own byte offsets. */
  private replayPending(): void {
    const pending = this.pending;
    this.pending = [];
    const offset = this.offset;
    const key = this.key;
    for (const section of pending) {
      this.key = section.key;
      this.state = State.Value;
      this.offset = section.offset;
      for (const part of section.parts) {
        this.consume(part, part.length);
        this.offset += part.length;
      }
      if ((this.state as State) !== State.AfterValue) this.fail(`"${section.key}" ends early`, 0);
    }
    this.offset = offset;
    this.key = key;
    this.state = State.AfterValue;
  }

  // ---- Number arrays ----

  private beginNumbers(sink: Sink, rowLength: number): void {
    this.state = State.NumberArrayStart;
    this.sink = sink;
    this.sinkName = this.key;
    this.rowLength = rowLength;
    if (this.row.length < rowLength) this.row = new Float64Array(rowLength);
    if (this.intRow.length < rowLength) this.intRow = new Int32Array(rowLength);
    this.rowFill = 0;
    this.rows = 0;
    this.num = 0;
    this.numDigits = 0;
    this.numNeg = false;
    this.growableLength = 0;
  }

  /**
   * The hot loop: digits, commas and newlines. Nodes and edges (nearly all of the document) are stored column by
   * column as each row completes, with everything the loop touches held in locals.
   */
  private parseNumbers(buf: Uint8Array, pos: number, end: number): number {
    const sink = this.sink;
    const rowLength = this.rowLength;
    const row = this.row;
    let num = this.num;
    let digits = this.numDigits;
    let fill = this.rowFill;
    let needValue = this.needValue;
    let rows = this.rows;
    let neg = this.numNeg;
    // Column layout, resolved once.
    const isNodes = sink === Sink.Nodes;
    const isEdges = sink === Sink.Edges;
    const nf = this.nodeFieldIndex;
    const ef = this.edgeFieldIndex;
    const nodeFieldCount = this.nodeFieldCount;
    const nodeCount = this.nodeCount;
    const edgeCount = this.edgeCount;
    const nodeTypeCount = this.nodeTypeNames.length;
    const edgeTypeCount = this.edgeTypeNames.length;
    const { nodeType, nodeName, nodeId, nodeSelfSize, firstEdge, nodeTraceId, edgeType, edgeNameOrIndex, edgeTarget } = this;
    const fast = isNodes || isEdges || sink === Sink.Locations;
    const fastMin = rowLength * 11 + 4;
    let result = -1;
    while (pos < end) {
      if (fast && fill === 0 && digits === 0 && end - pos >= fastMin) {
        // Whole rows in V8's exact layout go through the fast path; it stops before anything else.
        this.rows = rows;
        this.needValue = needValue;
        pos = isEdges ? this.fastEdges(buf, pos, end) : isNodes ? this.fastNodes(buf, pos, end) : this.fastLocations(buf, pos, end);
        rows = this.rows;
        needValue = this.needValue;
        if (pos >= end) break;
      }
      let c = buf[pos++];
      if (c >= 48 && c <= 57) {
        // A tight inner loop for the digits of one number.
        num = num * 10 + (c - 48);
        digits++;
        while (pos < end) {
          c = buf[pos];
          if (c < 48 || c > 57) break;
          num = num * 10 + (c - 48);
          digits++;
          pos++;
        }
        if (pos === end) break;
        pos++;
      }
      if (digits > 0) {
        row[fill++] = neg ? -num : num;
        num = 0;
        digits = 0;
        needValue = false;
        neg = false;
        if (fill === rowLength) {
          fill = 0;
          const i = rows++;
          if (isEdges) {
            if (i >= edgeCount) this.fail(`"edges" holds more than the ${edgeCount} edges the header announces`, pos - 1);
            const type = row[ef.type];
            const to = row[ef.toNode];
            const target = to / nodeFieldCount;
            if (!(type < edgeTypeCount && type >= 0)) this.fail(`Edge ${i} has type ${type}, which meta.edge_types does not define`, pos - 1);
            if (!(target < nodeCount && target >= 0 && target === Math.floor(target))) {
              this.fail(`Edge ${i} points at node offset ${to}, which is not the start of one of the ${nodeCount} nodes`, pos - 1);
            }
            edgeType[i] = type;
            edgeNameOrIndex[i] = row[ef.nameOrIndex];
            edgeTarget[i] = target;
          } else if (isNodes) {
            if (i >= nodeCount) this.fail(`"nodes" holds more than the ${nodeCount} nodes the header announces`, pos - 1);
            const type = row[nf.type];
            if (!(type < nodeTypeCount && type >= 0)) this.fail(`Node ${i} has type ${type}, which meta.node_types does not define`, pos - 1);
            nodeType[i] = type;
            nodeName[i] = row[nf.name];
            nodeId[i] = row[nf.id];
            const size = row[nf.selfSize];
            nodeSelfSize[i] = size > MAX_U32 ? MAX_U32 : size;
            const next = firstEdge[i] + row[nf.edgeCount];
            if (next > edgeCount) this.fail(`Node ${i}'s edges run past the ${edgeCount} edges the header announces`, pos - 1);
            firstEdge[i + 1] = next;
            if (nodeTraceId) nodeTraceId[i] = row[nf.traceNodeId];
          } else {
            this.rows = rows - 1;
            this.flushRow(pos - 1);
          }
        }
      } else if (neg) {
        this.fail(`A lone '-' in "${this.sinkName}"`, pos - 1);
      }
      if (c === COMMA) {
        if (needValue || (fill === 0 && rows === 0)) this.fail(`Two commas without a number between them in "${this.sinkName}"`, pos - 1);
        needValue = true;
      } else if (c === CLOSE_BRACKET) {
        if (needValue) this.fail(`A trailing comma ends "${this.sinkName}"`, pos - 1);
        result = pos;
        break;
      } else if (c === MINUS && !isNodes && !isEdges) {
        neg = true;
      } else if (!(c === 10 || c === 32 || c === 13 || c === 9)) {
        this.fail(`Expected a number in "${this.sinkName}", found ${this.describe(c)}`, pos - 1);
      }
    }
    this.num = num;
    this.numDigits = digits;
    this.rowFill = fill;
    this.needValue = needValue;
    this.rows = rows;
    this.numNeg = neg;
    if (result >= 0) {
      this.finishNumbers(result - 1);
      this.state = State.AfterValue;
      return result;
    }
    return pos;
  }

  /**
   * Edge rows as V8 writes them (`1,2,3` then `\n,` or `,`; no number longer than 9 digits), parsed and validated
   * with integer arithmetic and stored straight into the columns. Stops, without consuming it, at the first row that
   * is laid out otherwise, is invalid, or might run past `end`; the general loop then takes that row (and reports any
   * error exactly as before). Consumes a separator only when a comma follows the row.
   */
  private fastEdges(buf: Uint8Array, pos: number, end: number): number {
    const rowLength = this.rowLength;
    const limit = end - (rowLength * 11 + 4);
    const vals = this.intRow;
    const ef = this.edgeFieldIndex;
    const typeAt = ef.type, nameAt = ef.nameOrIndex, toAt = ef.toNode;
    const edgeCount = this.edgeCount;
    const nodeCount = this.nodeCount;
    const nff = this.nodeFieldCount;
    const edgeTypeCount = this.edgeTypeNames.length;
    const { edgeType, edgeNameOrIndex, edgeTarget } = this;
    let rows = this.rows;
    let needValue = this.needValue;
    if (rowLength === 3 && typeAt === 0 && nameAt === 1 && toAt === 2) {
      // V8's own layout, unrolled: type,name_or_index,to_node.
      while (pos <= limit) {
        let p = pos;
        let d = buf[p] - 48;
        if (d < 0 || d > 9) break;
        let type = d;
        d = buf[++p] - 48;
        while (d >= 0 && d <= 9 && p - pos < 9) {
          type = type * 10 + d;
          d = buf[++p] - 48;
        }
        if (d !== COMMA - 48) break;
        const nameStart = ++p;
        d = buf[p] - 48;
        if (d < 0 || d > 9) break;
        let name = d;
        d = buf[++p] - 48;
        while (d >= 0 && d <= 9 && p - nameStart < 9) {
          name = name * 10 + d;
          d = buf[++p] - 48;
        }
        if (d !== COMMA - 48) break;
        const toStart = ++p;
        d = buf[p] - 48;
        if (d < 0 || d > 9) break;
        let to = d;
        d = buf[++p] - 48;
        while (d >= 0 && d <= 9 && p - toStart < 9) {
          to = to * 10 + d;
          d = buf[++p] - 48;
        }
        if (d >= 0 && d <= 9) break;
        const i = rows;
        if (i >= edgeCount || type >= edgeTypeCount) break;
        const target = (to / nff) | 0;
        if (target * nff !== to || target >= nodeCount) break;
        edgeType[i] = type;
        edgeNameOrIndex[i] = name;
        edgeTarget[i] = target;
        rows = i + 1;
        needValue = false;
        let c = buf[p];
        if (c === 10) c = buf[++p];
        if (c === COMMA) {
          pos = p + 1;
          needValue = true;
          continue;
        }
        pos = p;
        break;
      }
      this.rows = rows;
      this.needValue = needValue;
      return pos;
    }
    while (pos <= limit) {
      let p = readRow(buf, pos, rowLength, vals);
      if (p < 0) break;
      const i = rows;
      if (i >= edgeCount) break;
      const type = vals[typeAt];
      if (type >= edgeTypeCount) break;
      const to = vals[toAt];
      const target = (to / nff) | 0;
      if (target * nff !== to || target >= nodeCount) break;
      edgeType[i] = type;
      edgeNameOrIndex[i] = vals[nameAt];
      edgeTarget[i] = target;
      rows = i + 1;
      needValue = false;
      let c = buf[p];
      if (c === 10) c = buf[++p];
      if (c === COMMA) {
        pos = p + 1;
        needValue = true;
        continue;
      }
      pos = p;
      break;
    }
    this.rows = rows;
    this.needValue = needValue;
    return pos;
  }

  /** Node rows as V8 writes them; see `fastEdges`. */
  private fastNodes(buf: Uint8Array, pos: number, end: number): number {
    const rowLength = this.rowLength;
    const limit = end - (rowLength * 11 + 4);
    const vals = this.intRow;
    const nf = this.nodeFieldIndex;
    const typeAt = nf.type, nameAt = nf.name, idAt = nf.id, sizeAt = nf.selfSize, countAt = nf.edgeCount, traceAt = nf.traceNodeId;
    const edgeCount = this.edgeCount;
    const nodeCount = this.nodeCount;
    const nodeTypeCount = this.nodeTypeNames.length;
    const { nodeType, nodeName, nodeId, nodeSelfSize, firstEdge, nodeTraceId } = this;
    let rows = this.rows;
    let needValue = this.needValue;
    let first = rows < nodeCount ? firstEdge[rows] : 0;
    if (typeAt === 0 && nameAt === 1 && idAt === 2 && sizeAt === 3 && countAt === 4 && (traceAt < 0 || traceAt >= 5)) {
      // V8's own layout: type,name,id,self_size,edge_count then trace_node_id (and detachedness), unrolled.
      rowLoop: while (pos <= limit) {
        let p = pos;
        let d = buf[p] - 48;
        if (d < 0 || d > 9) break;
        let type = d;
        d = buf[++p] - 48;
        while (d >= 0 && d <= 9 && p - pos < 9) {
          type = type * 10 + d;
          d = buf[++p] - 48;
        }
        if (d !== COMMA - 48) break;
        const nameStart = ++p;
        d = buf[p] - 48;
        if (d < 0 || d > 9) break;
        let name = d;
        d = buf[++p] - 48;
        while (d >= 0 && d <= 9 && p - nameStart < 9) {
          name = name * 10 + d;
          d = buf[++p] - 48;
        }
        if (d !== COMMA - 48) break;
        const idStart = ++p;
        d = buf[p] - 48;
        if (d < 0 || d > 9) break;
        let id = d;
        d = buf[++p] - 48;
        while (d >= 0 && d <= 9 && p - idStart < 9) {
          id = id * 10 + d;
          d = buf[++p] - 48;
        }
        if (d !== COMMA - 48) break;
        const sizeStart = ++p;
        d = buf[p] - 48;
        if (d < 0 || d > 9) break;
        let size = d;
        d = buf[++p] - 48;
        while (d >= 0 && d <= 9 && p - sizeStart < 9) {
          size = size * 10 + d;
          d = buf[++p] - 48;
        }
        if (d !== COMMA - 48) break;
        const countStart = ++p;
        d = buf[p] - 48;
        if (d < 0 || d > 9) break;
        let count = d;
        d = buf[++p] - 48;
        while (d >= 0 && d <= 9 && p - countStart < 9) {
          count = count * 10 + d;
          d = buf[++p] - 48;
        }
        let trace = 0;
        for (let k = 5; k < rowLength; k++) {
          if (d !== COMMA - 48) break rowLoop;
          const start = ++p;
          d = buf[p] - 48;
          if (d < 0 || d > 9) break rowLoop;
          let n = d;
          d = buf[++p] - 48;
          while (d >= 0 && d <= 9 && p - start < 9) {
            n = n * 10 + d;
            d = buf[++p] - 48;
          }
          if (k === traceAt) trace = n;
        }
        if (d >= 0 && d <= 9) break;
        const i = rows;
        if (i >= nodeCount || type >= nodeTypeCount) break;
        const next = first + count;
        if (next > edgeCount) break;
        nodeType[i] = type;
        nodeName[i] = name;
        nodeId[i] = id;
        nodeSelfSize[i] = size;
        firstEdge[i + 1] = next;
        first = next;
        if (nodeTraceId) nodeTraceId[i] = trace;
        rows = i + 1;
        needValue = false;
        let c = buf[p];
        if (c === 10) c = buf[++p];
        if (c === COMMA) {
          pos = p + 1;
          needValue = true;
          continue;
        }
        pos = p;
        break;
      }
      this.rows = rows;
      this.needValue = needValue;
      return pos;
    }
    while (pos <= limit) {
      let p = readRow(buf, pos, rowLength, vals);
      if (p < 0) break;
      const i = rows;
      if (i >= nodeCount) break;
      const type = vals[typeAt];
      if (type >= nodeTypeCount) break;
      const next = first + vals[countAt];
      if (next > edgeCount) break;
      nodeType[i] = type;
      nodeName[i] = vals[nameAt];
      nodeId[i] = vals[idAt];
      nodeSelfSize[i] = vals[sizeAt];
      firstEdge[i + 1] = next;
      first = next;
      if (nodeTraceId) nodeTraceId[i] = vals[traceAt];
      rows = i + 1;
      needValue = false;
      let c = buf[p];
      if (c === 10) c = buf[++p];
      if (c === COMMA) {
        pos = p + 1;
        needValue = true;
        continue;
      }
      pos = p;
      break;
    }
    this.rows = rows;
    this.needValue = needValue;
    return pos;
  }

  /** Location rows as V8 writes them; see `fastEdges`. */
  private fastLocations(buf: Uint8Array, pos: number, end: number): number {
    const rowLength = this.rowLength;
    const limit = end - (rowLength * 11 + 4);
    const vals = this.intRow;
    const objectAt = this.locationFieldIndex.objectIndex;
    if (objectAt < 0) return pos;
    const nff = this.nodeFieldCount;
    const nodeCount = this.nodeCount;
    let rows = this.rows;
    let needValue = this.needValue;
    while (pos <= limit) {
      let p = readRow(buf, pos, rowLength, vals);
      if (p < 0) break;
      const at = vals[objectAt];
      const object = (at / nff) | 0;
      if (object * nff !== at || object >= nodeCount) break;
      this.storeLocation(rows, object, vals);
      rows++;
      needValue = false;
      let c = buf[p];
      if (c === 10) c = buf[++p];
      if (c === COMMA) {
        pos = p + 1;
        needValue = true;
        continue;
      }
      pos = p;
      break;
    }
    this.rows = rows;
    this.needValue = needValue;
    return pos;
  }

  /** Location row `i`: its object as a node ordinal, the other fields from `row` (-1 where the snapshot has none). */
  private storeLocation(i: number, object: number, row: ArrayLike<number>): void {
    if ((i + 1) * 4 > this.locations.length) this.locations = doubled(this.locations, 1024);
    const f = this.locationFieldIndex;
    const o = i * 4;
    this.locations[o] = object;
    this.locations[o + 1] = f.scriptId >= 0 ? row[f.scriptId] : -1;
    this.locations[o + 2] = f.line >= 0 ? row[f.line] : -1;
    this.locations[o + 3] = f.column >= 0 ? row[f.column] : -1;
    this.locationCount = i + 1;
  }

  /** Rows of the small sections (locations, trace function infos, samples). */
  private flushRow(pos: number): void {
    const row = this.row;
    const i = this.rows++;
    switch (this.sink) {
      case Sink.Locations: {
        const at = row[this.locationFieldIndex.objectIndex];
        const object = at / this.nodeFieldCount;
        if (object !== Math.floor(object) || object >= this.nodeCount) {
          this.fail(`Location ${i} refers to node offset ${at}, which is not a node`, pos);
        }
        this.storeLocation(i, object, row);
        return;
      }
      default: {
        // Small arrays kept whole: trace function infos and samples.
        const need = this.growableLength + this.rowLength;
        if (need > this.growable.length) this.growable = doubled(this.growable, need);
        this.growable.set(row.subarray(0, this.rowLength), this.growableLength);
        this.growableLength = need;
      }
    }
  }

  private finishNumbers(pos: number): void {
    if (this.rowFill !== 0) this.fail(`"${this.sinkName}" ends in the middle of a row (${this.rowFill} of ${this.rowLength} fields)`, pos);
    if (this.sink === Sink.Nodes) {
      if (this.rows !== this.nodeCount) this.fail(`"nodes" holds ${this.rows} nodes, but the header announces ${this.nodeCount}`, pos);
      this.nodesDone = true;
    }
    if (this.sink === Sink.Edges) {
      if (this.rows !== this.edgeCount) this.fail(`"edges" holds ${this.rows} edges, but the header announces ${this.edgeCount}`, pos);
      this.edgesDone = true;
    }
    // Whichever of the two comes second checks that they agree.
    if (this.nodesDone && this.edgesDone && (this.sink === Sink.Nodes || this.sink === Sink.Edges) && this.firstEdge[this.nodeCount] !== this.edgeCount) {
      this.fail(`The nodes' edge counts add up to ${this.firstEdge[this.nodeCount]}, but "edges" holds ${this.edgeCount}`, pos);
    }
    if (this.sink === Sink.FunctionInfos) this.traceFunctionInfos = this.growable.slice(0, this.growableLength);
    // Samples are not used by the analysis; they are validated and dropped.
  }

  // ---- The string table ----

  private parseStrings(buf: Uint8Array, pos: number, end: number): number {
    while (pos < end) {
      if (this.inString) {
        pos = this.parseStringBody(buf, pos, end);
        continue;
      }
      const c = buf[pos++];
      if (c === QUOTE) {
        this.inString = true;
        this.stringUnitsLength = 0;
        this.needValue = false;
      } else if (c === COMMA) {
        if (this.needValue || this.strings.length === 0) this.fail('Two commas without a string between them in "strings"', pos - 1);
        this.needValue = true;
      } else if (c === CLOSE_BRACKET) {
        if (this.needValue) this.fail('A trailing comma ends "strings"', pos - 1);
        this.state = State.AfterValue;
        return pos;
      } else if (!isSpace(c)) {
        this.fail(`Expected a string in "strings", found ${this.describe(c)}`, pos - 1);
      }
    }
    return pos;
  }

  private parseStringBody(buf: Uint8Array, pos: number, end: number): number {
    // Fast path: a whole ASCII string without escapes inside this chunk.
    if (this.stringUnitsLength === 0 && this.stringEscape === 0 && this.utf8Need === 0) {
      let p = pos;
      while (p < end) {
        const c = buf[p];
        if (c === QUOTE || c === BACKSLASH || c >= 128) break;
        p++;
      }
      if (p < end && buf[p] === QUOTE) {
        this.strings.push(asciiText(buf, pos, p));
        this.inString = false;
        return p + 1;
      }
    }
    while (pos < end) {
      const c = buf[pos++];
      if (this.stringEscape === 1) {
        this.stringEscape = 0;
        switch (c) {
          case QUOTE: this.pushUnit(34); break;
          case BACKSLASH: this.pushUnit(92); break;
          case 47: this.pushUnit(47); break; // '/'
          case 98: this.pushUnit(8); break; // b
          case 102: this.pushUnit(12); break; // f
          case 110: this.pushUnit(10); break; // n
          case 114: this.pushUnit(13); break; // r
          case 116: this.pushUnit(9); break; // t
          case 117: this.stringEscape = 2; this.stringHex = 0; break; // u
          default: this.fail(`Invalid escape '\\${String.fromCharCode(c)}' in string ${this.strings.length}`, pos - 1);
        }
        continue;
      }
      if (this.stringEscape >= 2) {
        const h = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
        if (h < 0) this.fail(`Invalid \\u escape in string ${this.strings.length}`, pos - 1);
        this.stringHex = this.stringHex * 16 + h;
        if (++this.stringEscape === 6) {
          this.stringEscape = 0;
          this.pushUnit(this.stringHex);
        }
        continue;
      }
      if (this.utf8Need > 0) {
        if ((c & 0xc0) !== 0x80) this.fail(`Invalid UTF-8 in string ${this.strings.length}`, pos - 1);
        this.utf8CodePoint = (this.utf8CodePoint << 6) | (c & 0x3f);
        if (--this.utf8Need === 0) {
          const cp = this.utf8CodePoint;
          if (cp >= 0x10000) {
            this.pushUnit(0xd800 + ((cp - 0x10000) >> 10));
            this.pushUnit(0xdc00 + ((cp - 0x10000) & 0x3ff));
          } else this.pushUnit(cp);
        }
        continue;
      }
      if (c === QUOTE) {
        this.strings.push(this.takeString());
        this.inString = false;
        return pos;
      }
      if (c === BACKSLASH) this.stringEscape = 1;
      else if (c < 0x80) this.pushUnit(c);
      else if (c >= 0xc2 && c < 0xe0) { this.utf8Need = 1; this.utf8CodePoint = c & 0x1f; }
      else if (c >= 0xe0 && c < 0xf0) { this.utf8Need = 2; this.utf8CodePoint = c & 0x0f; }
      else if (c >= 0xf0 && c < 0xf5) { this.utf8Need = 3; this.utf8CodePoint = c & 0x07; }
      else this.fail(`Invalid UTF-8 in string ${this.strings.length}`, pos - 1);
    }
    return pos;
  }

  private pushUnit(unit: number): void {
    if (this.stringUnitsLength === this.stringUnits.length) this.stringUnits = doubled(this.stringUnits);
    this.stringUnits[this.stringUnitsLength++] = unit;
  }

  private takeString(): string {
    const units = this.stringUnits;
    const n = this.stringUnitsLength;
    let s = '';
    for (let i = 0; i < n; i += 8192) s += String.fromCharCode.apply(null, units.subarray(i, Math.min(n, i + 8192)) as unknown as number[]);
    this.stringUnitsLength = 0;
    return s;
  }

  // ---- The allocation trace tree ----

  private parseTraceTree(buf: Uint8Array, pos: number, end: number): number {
    while (pos < end) {
      const c = buf[pos++];
      const d = c - 48;
      if (d >= 0 && d <= 9) {
        this.num = this.num * 10 + d;
        this.numDigits++;
        continue;
      }
      if (this.numDigits > 0) this.traceValue(pos - 1);
      if (c === OPEN_BRACKET) {
        // A children array: its parent is the node whose four fields were just read.
        if (this.traceFill !== 0) this.fail('A trace node\'s children start before its four fields end in "trace_tree"', pos - 1);
        this.traceParents.push(this.traceIds.length - 1);
        this.traceDepth++;
      } else if (c === CLOSE_BRACKET) {
        if (this.traceFill !== 0) this.fail('A trace node is cut short in "trace_tree"', pos - 1);
        if (this.traceDepth === 0) { this.state = State.AfterValue; return pos; }
        this.traceDepth--;
        this.traceParents.pop();
      } else if (c !== COMMA && !isSpace(c)) {
        this.fail(`Expected a number in "trace_tree", found ${this.describe(c)}`, pos - 1);
      }
    }
    return pos;
  }

  private traceValue(pos: number): void {
    const v = this.num;
    this.num = 0;
    this.numDigits = 0;
    // Fields: id, function_info_index, count, size (the children array follows).
    if (this.traceFill === 0) {
      this.traceIds.push(v);
      this.traceParent.push(this.traceParents.length ? this.traceParents[this.traceParents.length - 1] : -1);
    } else if (this.traceFill === 1) this.traceFunctionIndex.push(v);
    this.traceFill = (this.traceFill + 1) % 4;
    if (this.traceIds.length > 50_000_000) this.fail('"trace_tree" is implausibly large', pos);
  }
}

function isObject(v: unknown): v is Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : `a ${typeof v}`;
}

/**
 * The fast paths' general row reader: `rowLength` comma-separated numbers of at most 9 digits from `p` into `vals`.
 * Returns the position after the row's last digit, or -1 when the row is laid out otherwise (the general loop then
 * takes it and reports any error).
 */
function readRow(buf: Uint8Array, p: number, rowLength: number, vals: Int32Array): number {
  for (let k = 0; k < rowLength; k++) {
    let d = buf[p] - 48;
    if (d < 0 || d > 9) return -1;
    let n = d;
    const stop = p + 9;
    d = buf[++p] - 48;
    while (d >= 0 && d <= 9) {
      if (p === stop) return -1;
      n = n * 10 + d;
      d = buf[++p] - 48;
    }
    vals[k] = n;
    if (k + 1 < rowLength) {
      if (buf[p] !== COMMA) return -1;
      p++;
    }
  }
  return p;
}
