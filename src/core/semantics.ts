/**
 * What V8's edges mean to a user: which references are the program's own (and so can form a cycle worth showing),
 * which nodes are engine plumbing to fold into their owner, and how a step reads.
 */
import { nodeLabel } from '../shared/labels';
import type { HeapGraph } from './heapGraph';

/** Property names that are engine machinery rather than the program's data. */
const MACHINERY_PROPERTIES = new Set(['__proto__', 'constructor', 'prototype']);

/** Internal edges that are part of how the program's own data is stored. */
const DATA_INTERNALS = new Set(['context', 'previous', 'table', 'bound_this', 'bound_function', 'bound_arguments']);

/**
 * Backing stores whose slots V8 also reports as the owner's own property or element edges: the store's copy is a
 * shadow of a reference the owner already has, not a second reference a user could break.
 */
const SHADOW_STORES = new Set(['(object elements)', '(object properties)', 'system / PropertyArray', 'system / PropertyCell']);

/** Nodes that only store another object's data: a step through them folds into the owner. */
const HOLDER_NAMES = new Set(['system / Context', '(object elements)', '(object properties)', 'system / PropertyArray', 'system / PropertyCell']);

/** An internal edge of a Map/Set table or a WeakMap ephemeron: "3", "6", "1 / part of key (...) -> value (...) pair in WeakMap (table @1)". */
const ENTRY_EDGE = /^\d+(?: \/ |$)/;
const EPHEMERON_EDGE = /part of key \((.*) @(\d+)\) -> value \((.*) @(\d+)\) pair in (\w+) \(table @(\d+)\)/;

export class EdgeSemantics {
  private readonly holderName: Uint8Array; // string index -> 1 when a holder name
  private readonly machineryProperty: Uint8Array;
  private readonly dataInternal: Uint8Array;
  private readonly entryEdge: Uint8Array;
  private readonly shadowStore: Uint8Array;

  constructor(private readonly graph: HeapGraph) {
    const n = graph.strings.length;
    this.holderName = new Uint8Array(n);
    this.machineryProperty = new Uint8Array(n);
    this.dataInternal = new Uint8Array(n);
    this.entryEdge = new Uint8Array(n);
    this.shadowStore = new Uint8Array(n);
    graph.strings.forEach((s, i) => {
      if (SHADOW_STORES.has(s)) this.shadowStore[i] = 1;
      if (HOLDER_NAMES.has(s)) this.holderName[i] = 1;
      if (MACHINERY_PROPERTIES.has(s)) this.machineryProperty[i] = 1;
      if (DATA_INTERNALS.has(s)) this.dataInternal[i] = 1;
      if (ENTRY_EDGE.test(s)) this.entryEdge[i] = 1;
    });
  }

  /**
   * True when an edge is one of the program's own strong references (or the storage behind one): properties other
   * than prototype links, elements, closure variables, Map/Set/WeakMap entries, closure contexts, backing stores.
   * Maps (hidden classes), prototypes, constructors, code, feedback and native contexts are machinery.
   */
  isUserEdge(edge: number, to: number): boolean {
    const g = this.graph;
    const type = g.edgeType[edge];
    const t = g.nodeType[to];
    const types = g.types;
    if (this.shadowStore[g.nodeName[to]]) return false;
    if (t === types.code || t === types.objectShape || t === types.synthetic || t === types.hidden) {
      // `system / PropertyCell` and `system / PropertyArray` are hidden, but hold global and out-of-object properties.
      if (!(t === types.hidden && this.holderName[g.nodeName[to]])) return false;
    }
    const e = g.edges;
    if (type === e.element || type === e.context) return true;
    if (type === e.property) return !this.machineryProperty[g.edgeNameOrIndex[edge]];
    if (type === e.internal) {
      const name = g.edgeNameOrIndex[edge];
      return this.dataInternal[name] === 1 || this.entryEdge[name] === 1;
    }
    return false;
  }

  /**
   * `isUserEdge` as three small lookup tables (by edge type, by string, by node type), for loops that test it on
   * every edge of a large part of the heap: `isUserEdgeFast` combines them into the same answer.
   */
  userEdgeTables(): UserEdgeTables {
    if (this.tables) return this.tables;
    const g = this.graph;
    const n = g.strings.length;
    const e = g.edges;
    const t = g.types;
    // edgeKind per edge type: 0 never, 1 always, 2 a property (bit 2 of nameBits), 4 an internal edge (bit 4).
    const edgeKind = new Uint8Array(Math.max(g.edgeTypeNames.length, 1));
    if (e.element >= 0) edgeKind[e.element] = 1;
    if (e.context >= 0) edgeKind[e.context] = 1;
    if (e.property >= 0) edgeKind[e.property] = 2;
    if (e.internal >= 0) edgeKind[e.internal] = 4;
    // nameBits per string: 2 = a property name that is not machinery, 4 = a data internal or an entry edge,
    // 8 = a shadow store's name, 16 = a holder's name.
    const nameBits = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let b = 0;
      if (!this.machineryProperty[i]) b |= 2;
      if (this.dataInternal[i] === 1 || this.entryEdge[i] === 1) b |= 4;
      if (this.shadowStore[i]) b |= 8;
      if (this.holderName[i]) b |= 16;
      nameBits[i] = b;
    }
    // typeKind per node type: 0 fine, 1 machinery, 2 machinery unless a holder (`hidden`).
    const typeKind = new Uint8Array(Math.max(g.nodeTypeNames.length, 1));
    for (const code of [t.code, t.objectShape, t.synthetic]) if (code >= 0) typeKind[code] = 1;
    if (t.hidden >= 0) typeKind[t.hidden] = 2;
    this.tables = { edgeKind, nameBits, typeKind };
    return this.tables;
  }

  private tables: UserEdgeTables | null = null;

  /** A node that only stores its owner's data (a closure's Context, `(object elements)`, a Map's table). */
  isHolder(node: number, incomingEdge: number): boolean {
    const g = this.graph;
    if (this.holderName[g.nodeName[node]]) return true;
    return g.edgeType[incomingEdge] === g.edges.internal && g.edgeNamed(incomingEdge, 'table');
  }

  /** A backing store whose slots repeat its owner's own property or element edges. */
  isShadowStore(node: number): boolean {
    return this.shadowStore[this.graph.nodeName[node]] === 1;
  }

  isEntryEdge(edge: number): boolean {
    const g = this.graph;
    return g.edgeType[edge] === g.edges.internal && this.entryEdge[g.edgeNameOrIndex[edge]] === 1;
  }

  /** The WeakMap/WeakSet an ephemeron edge belongs to, parsed from V8's edge name. */
  ephemeron(edge: number): { keyName: string; keyId: number; valueName: string; valueId: number; kind: string; tableId: number } | null {
    const g = this.graph;
    if (g.edgeType[edge] !== g.edges.internal) return null;
    const m = EPHEMERON_EDGE.exec(g.strings[g.edgeNameOrIndex[edge]] ?? '');
    if (!m) return null;
    return { keyName: m[1], keyId: Number(m[2]), valueName: m[3], valueId: Number(m[4]), kind: m[5], tableId: Number(m[6]) };
  }
}

/** How DevTools would name a node for a reader. */
export function displayName(graph: HeapGraph, node: number): string {
  return nodeLabel({ type: graph.typeName(node), name: graph.name(node) });
}

export interface UserEdgeTables {
  edgeKind: Uint8Array;
  nameBits: Uint8Array;
  typeKind: Uint8Array;
}

/** `EdgeSemantics.isUserEdge` on its tables (see `userEdgeTables`); the same answer for every edge. */
export function isUserEdgeFast(
  tables: UserEdgeTables, edgeType: Uint8Array, edgeNameOrIndex: Uint32Array, nodeType: Uint8Array, nodeName: Uint32Array, edge: number, to: number,
): boolean {
  const { edgeKind, nameBits, typeKind } = tables;
  return userEdgeKind(edgeKind, nameBits, edgeType[edge], edgeNameOrIndex[edge]) && userEdgeTarget(nameBits, typeKind, nodeType[to], nodeName[to]);
}

/**
 * The half of `isUserEdgeFast` that reads the reference: its type and name (or index). Takes the tables' arrays, not
 * the tables, so that a loop over millions of edges reads them from locals.
 */
export function userEdgeKind(edgeKind: Uint8Array, nameBits: Uint8Array, type: number, nameOrIndex: number): boolean {
  const kind = edgeKind[type];
  // A name outside the string table reads as a plain property name, as in isUserEdge.
  return kind === 1 || (kind !== 0 && (kind & (nameBits[nameOrIndex] ?? 2)) !== 0);
}

/** The half of `isUserEdgeFast` that reads the object referenced: its type and name. */
export function userEdgeTarget(nameBits: Uint8Array, typeKind: Uint8Array, type: number, name: number): boolean {
  const toName = nameBits[name] ?? 0;
  if ((toName & 8) !== 0) return false;
  const tk = typeKind[type];
  return tk === 0 || (tk === 2 && (toName & 16) !== 0);
}
