/**
 * Builds real V8 `.heapsnapshot` JSON text from a small description, so unit tests go through the real
 * SnapshotParser rather than hand-made typed arrays:
 *
 *     const b = new SnapshotBuilder();
 *     const g = b.global();                                  // root -shortcut-> global, as V8 lays it out
 *     const w = b.node('object', 'Widget', { size: 40 });
 *     b.edge(g, 'property', 'widget', w);
 *     const text = b.serialize();
 *
 * Layout as V8 writes it: ordinal 0 is the synthetic root (id 1, name ''), ordinal 1 is `(GC roots)` (id 3),
 * reached by `element 1`; sub-roots such as `(Handle scope)` hang off `(GC roots)` by element edges; user roots
 * (the global object) are reached from the root by shortcut edges. The builder's node numbers are the ordinals the
 * parser assigns (nodes are written in creation order).
 */
import { SnapshotParser, type HeapSnapshot } from '../../src/core/snapshotParser';

export const NODE_TYPES = [
  'hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic',
  'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape',
] as const;
export const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'] as const;
export type NodeType = (typeof NODE_TYPES)[number];
export type EdgeType = (typeof EDGE_TYPES)[number];

export const NODE_FIELDS = ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'];
export const EDGE_FIELDS = ['type', 'name_or_index', 'to_node'];

export interface BuiltEdge {
  type: EdgeType;
  /** A string for named edges, the index for `element` and `hidden` edges. */
  nameOrIndex: string | number;
  to: number;
}

export interface BuiltNode {
  type: NodeType;
  name: string;
  id: number;
  size: number;
  traceNodeId: number;
  detachedness: number;
  edges: BuiltEdge[];
}

export interface NodeOptions {
  size?: number;
  id?: number;
  traceNodeId?: number;
  detachedness?: number;
}

export interface SerializeOptions {
  /** Order of `meta.node_fields` (a permutation of NODE_FIELDS, possibly with extra fields, written as 0). */
  nodeFields?: string[];
  /** Order of `meta.edge_fields`. */
  edgeFields?: string[];
  /** Order of the top-level sections (any: the parser streams them after the header and keeps those before it). */
  sections?: string[];
  /** 'v8' writes every non-ASCII character as \uXXXX, as V8 does; 'utf8' writes them raw (JSON.stringify). */
  strings?: 'v8' | 'utf8';
  /** Overrides of header values (node_count, edge_count, ...), for malformed inputs. */
  header?: Record<string, unknown>;
  /** Replaces `meta` entirely, for malformed inputs. */
  meta?: Record<string, unknown>;
  /** More top-level sections as raw JSON text (one a newer V8 might add), or replacements of standard ones. */
  extraSections?: Record<string, string>;
}

export class SnapshotBuilder {
  readonly nodes: BuiltNode[] = [];
  readonly locations: { node: number; scriptId: number; line: number; column: number }[] = [];
  readonly root: number;
  readonly gcRoots: number;
  private readonly subRoots = new Map<string, number>();
  private nextId = 1;

  constructor() {
    this.root = this.node('synthetic', '', { id: 1 });
    this.gcRoots = this.node('synthetic', '(GC roots)', { id: 3 });
    this.edge(this.root, 'element', 1, this.gcRoots);
  }

  /** Adds a node and returns its ordinal. Ids are V8-like odd numbers unless given. */
  node(type: NodeType, name: string, options: NodeOptions = {}): number {
    let id = options.id;
    if (id === undefined) {
      do this.nextId += 2; while (this.nodes.some((n) => n.id === this.nextId));
      id = this.nextId;
    }
    this.nodes.push({
      type, name, id, size: options.size ?? 0, traceNodeId: options.traceNodeId ?? 0, detachedness: options.detachedness ?? 0, edges: [],
    });
    return this.nodes.length - 1;
  }

  edge(from: number, type: EdgeType, nameOrIndex: string | number, to: number): this {
    if (!this.nodes[from] || !this.nodes[to]) throw new Error(`edge ${from} -> ${to}: no such node`);
    const numeric = type === 'element' || type === 'hidden';
    if (numeric !== (typeof nameOrIndex === 'number')) throw new Error(`${type} edges take ${numeric ? 'an index' : 'a name'}`);
    this.nodes[from].edges.push({ type, nameOrIndex, to });
    return this;
  }

  /** A user root as V8 reaches it: root -shortcut-> object. */
  global(name = 'global', size = 40): number {
    const g = this.node('object', name, { size });
    this.edge(this.root, 'shortcut', name, g);
    return g;
  }

  /** A GC sub-root such as `(Handle scope)`, `(Stack roots)` or `(Global handles)`, created on first use. */
  subRoot(name: string): number {
    let r = this.subRoots.get(name);
    if (r === undefined) {
      r = this.node('synthetic', name);
      this.edge(this.gcRoots, 'element', this.nodes[this.gcRoots].edges.length + 1, r);
      this.subRoots.set(name, r);
    }
    return r;
  }

  /** A `locations` row (0-based line and column, as V8 stores them). */
  location(node: number, scriptId: number, line: number, column: number): this {
    this.locations.push({ node, scriptId, line, column });
    return this;
  }

  get edgeCount(): number {
    return this.nodes.reduce((s, n) => s + n.edges.length, 0);
  }

  serialize(options: SerializeOptions = {}): string {
    const nodeFields = options.nodeFields ?? NODE_FIELDS;
    const edgeFields = options.edgeFields ?? EDGE_FIELDS;
    const strings: string[] = [];
    const stringIndex = new Map<string, number>();
    const intern = (s: string): number => {
      let i = stringIndex.get(s);
      if (i === undefined) {
        i = strings.length;
        strings.push(s);
        stringIndex.set(s, i);
      }
      return i;
    };
    intern('<dummy>');
    const typeDescriptor = (field: string, types: readonly string[], rest: Record<string, string>) =>
      field === 'type' ? [...types] : rest[field] ?? 'number';
    const meta = options.meta ?? {
      node_fields: nodeFields,
      node_types: nodeFields.map((f) => typeDescriptor(f, NODE_TYPES, { name: 'string' })),
      edge_fields: edgeFields,
      edge_types: edgeFields.map((f) => typeDescriptor(f, EDGE_TYPES, { name_or_index: 'string_or_number', to_node: 'node' })),
      trace_function_info_fields: ['function_id', 'name', 'script_name', 'script_id', 'line', 'column'],
      trace_node_fields: ['id', 'function_info_index', 'count', 'size', 'children'],
      sample_fields: ['timestamp_us', 'last_assigned_id'],
      location_fields: ['object_index', 'script_id', 'line', 'column'],
    };
    const header = {
      meta,
      node_count: this.nodes.length,
      edge_count: this.edgeCount,
      trace_function_count: 0,
      ...options.header,
    };
    const nodeRows: string[] = [];
    const edgeRows: string[] = [];
    for (const n of this.nodes) {
      const values: Record<string, number> = {
        type: NODE_TYPES.indexOf(n.type), name: intern(n.name), id: n.id, self_size: n.size, edge_count: n.edges.length,
        trace_node_id: n.traceNodeId, detachedness: n.detachedness,
      };
      nodeRows.push(nodeFields.map((f) => values[f] ?? 0).join(','));
      for (const e of n.edges) {
        const ev: Record<string, number> = {
          type: EDGE_TYPES.indexOf(e.type),
          name_or_index: typeof e.nameOrIndex === 'number' ? e.nameOrIndex : intern(e.nameOrIndex),
          to_node: e.to * nodeFields.length,
        };
        edgeRows.push(edgeFields.map((f) => ev[f] ?? 0).join(','));
      }
    }
    const locationRows = this.locations.map((l) => [l.node * nodeFields.length, l.scriptId, l.line, l.column].join(','));
    const encode = options.strings === 'utf8' ? (s: string) => JSON.stringify(s) : v8String;
    const sections: Record<string, string> = {
      snapshot: JSON.stringify(header),
      nodes: `[${nodeRows.join(',\n')}]`,
      edges: `[${edgeRows.join(',\n')}]`,
      trace_function_infos: '[]',
      trace_tree: '[]',
      samples: '[]',
      locations: `[${locationRows.join(',\n')}]`,
      strings: '', // filled last: every name is interned by now
    };
    sections.strings = `[${strings.map(encode).join(',\n')}]`;
    Object.assign(sections, options.extraSections);
    const standard = ['snapshot', 'nodes', 'edges', 'trace_function_infos', 'trace_tree', 'samples', 'locations', 'strings'];
    // An extra section with a standard name replaces that section in place; others are appended.
    const order = options.sections ?? [...standard, ...Object.keys(options.extraSections ?? {}).filter((k) => !standard.includes(k))];
    return `{${order.map((k) => `"${k}":${sections[k]}`).join(',\n')}}\n`;
  }
}

/** A JSON string literal the way V8's serializer writes it: ASCII only, everything else as \uXXXX. */
export function v8String(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) out += '\\"';
    else if (c === 92) out += '\\\\';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c < 32 || c >= 127) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += s[i];
  }
  return out + '"';
}

/** mulberry32: a small seeded PRNG, so a failing random case can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

/**
 * Splits a document into random-sized pieces (1..maxChunk): text pieces cut the JS string anywhere except inside a
 * surrogate pair (CDP's chunks are whole strings); byte pieces cut the UTF-8 anywhere, also inside a character.
 */
export function randomChunks(text: string, random: () => number, maxChunk: number, as: 'text' | 'bytes'): (string | Uint8Array)[] {
  const out: (string | Uint8Array)[] = [];
  if (as === 'bytes') {
    const bytes = new TextEncoder().encode(text);
    for (let pos = 0; pos < bytes.length;) {
      const n = randomInt(random, 1, maxChunk);
      // A fresh copy each time, so the parser cannot rely on the whole document being one buffer.
      out.push(Uint8Array.from(bytes.subarray(pos, pos + n)));
      pos += n;
    }
    return out;
  }
  for (let pos = 0; pos < text.length;) {
    let end = Math.min(text.length, pos + randomInt(random, 1, maxChunk));
    const c = text.charCodeAt(end - 1);
    if (c >= 0xd800 && c < 0xdc00 && end < text.length) end++;
    out.push(text.slice(pos, end));
    pos = end;
  }
  return out;
}

/** Runs a document through a fresh SnapshotParser, one chunk at a time. */
export function parseChunks(chunks: Iterable<string | Uint8Array>): HeapSnapshot {
  const parser = new SnapshotParser();
  for (const chunk of chunks) parser.write(chunk);
  return parser.end();
}

export function parseText(text: string): HeapSnapshot {
  return parseChunks([text]);
}
