/**
 * What the engine allocates on its own as a program runs, and which is never a leak of the program's: compiled code,
 * bytecode, feedback vectors and cells, inline caches, shared function infos of lazily compiled functions, scripts'
 * internals, hidden classes and their transitions, debug infos a debugger adds. Kept as data: each entry says how it
 * is recognised in a snapshot and why it is not a suspect. Pure: no vscode, no I/O.
 *
 * A new object is warm-up when it is one of these, when one of these dominates it (every way from the roots runs
 * through it: a string in a lazily compiled function's constant pool), or when it is reached by one of the
 * `lastEdgeNames` (a prototype made the first time a class is used).
 */
import type { HeapGraph } from './heapGraph';

export interface WarmUpEntry {
  /** What it is, for a reader of this table. */
  what: string;
  /** Node types (V8's `node_types` names) that are engine-owned as a whole. */
  nodeTypes?: string[];
  /** Node names, exact or by prefix (a trailing `*`). */
  nodeNames?: string[];
  /** Names of references that lead into engine machinery (internal or property edges; shown in signatures). */
  edgeNames?: string[];
  /**
   * Names of references that make the object they lead to warm-up, without making everything behind it so (a
   * function's `prototype` is made the first time it is used; data a program stores on a prototype is its own).
   */
  lastEdgeNames?: string[];
  why: string;
}

export const ENGINE_WARM_UP: WarmUpEntry[] = [
  {
    what: 'compiled code and bytecode',
    nodeTypes: ['code'],
    nodeNames: ['system / BytecodeArray*', 'system / Code*', '(code)*', '(compiled code)*', '(code deopt data)', '(source position table)*', '(bytecode array)*', 'system / InstructionStream*'],
    edgeNames: ['code', 'bytecode_array', 'function_data', 'interpreter_data', 'baseline_code', 'source_position_table', 'deoptimization_data'],
    why: 'V8 compiles functions lazily, the first time they run, and optimises hot ones later; the code lives as long as the function.',
  },
  {
    what: 'feedback vectors, feedback cells and inline caches',
    nodeNames: ['system / FeedbackVector*', 'system / FeedbackCell*', 'system / ClosureFeedbackCellArray*', 'system / FeedbackMetadata*', '(feedback vector)*', '(feedback cell)*', '(inline cache)*', 'system / AllocationSite*', 'system / AllocationMemento*'],
    edgeNames: ['feedback_cell', 'feedback_vector', 'feedback_metadata', 'raw_feedback_cell', 'closure_feedback_cell_array', 'allocation_site', 'feedback'],
    why: 'V8 records type feedback for each function once it has run a few times; it belongs to the function, not to the program\'s data.',
  },
  {
    what: 'shared function infos, scope infos and scripts',
    nodeNames: ['system / SharedFunctionInfo*', 'system / ScopeInfo*', 'system / Script*', 'system / UncompiledData*', 'system / PreparseData*', 'system / DebugInfo*', 'system / BreakPoint*', 'system / CoverageInfo*', '(shared function info)*', '(function scope info)*', '(constant pool)*', '(script)*'],
    edgeNames: ['shared', 'shared_function_info', 'script', 'script_or_debug_info', 'scope_info', 'outer_scope_info', 'debug_info', 'constant_pool', 'shared_function_infos', 'infos', 'name_or_scope_info'],
    why: 'V8 creates these when it parses and compiles a function or script, and a debugger adds debug infos; they live as long as the code.',
  },
  {
    what: 'hidden classes, prototypes and their caches',
    nodeTypes: ['object shape'],
    nodeNames: ['system / Map*', 'system / DescriptorArray*', 'system / TransitionArray*', 'system / PrototypeInfo*', 'system / EnumCache*', '(map descriptors)*', '(prototype transitions)*', '(transition array)*', '(object shape)*'],
    edgeNames: ['map', 'transitions', 'prototype_info', 'descriptors', 'enum_cache', 'prototype_users', 'prototype_chain_validity_cell', 'initial_map', 'prototype_or_initial_map', 'back_pointer', 'raw_transitions', 'dependent_code', 'code_cache'],
    lastEdgeNames: ['__proto__', 'prototype', 'constructor'],
    why: 'V8 makes hidden classes and prototype objects the first time an object shape or a class is used; they are shared by every instance.',
  },
  {
    what: 'the engine\'s own tables and the debugger',
    nodeNames: ['system / NativeContext*', 'system / ScriptContextTable*', 'system / WeakArrayList*', 'system / WeakFixedArray*', 'system / NumberDictionary*', '(Internalized strings)*', '(Debugger)*', 'system / JSMessageObject*'],
    edgeNames: ['native_context', 'script_context_table', 'optimized_code_list', 'deoptimized_code_list', 'retained_maps', 'noscript_shared_function_infos', 'script_list', 'detached_contexts'],
    why: 'The engine and an attached debugger keep these for themselves.',
  },
];

/**
 * The table compiled for one graph: by node type, and by string (node names, edge names) on first use, since a heap
 * has millions of strings and a comparison asks about a few thousand.
 */
export class WarmUpIndex {
  private readonly nodeTypes: Uint8Array;
  private readonly exact: Set<string>;
  private readonly prefixes: string[];
  private readonly edges: Set<string>;
  private readonly lastEdges: Set<string>;
  /** Per string: 0 not yet known; else 1 + bit 1 (a warm-up node name) + bit 2 (machinery edge) + bit 4 (last edge). */
  private readonly known: Uint8Array;

  constructor(private readonly graph: HeapGraph, table: WarmUpEntry[] = ENGINE_WARM_UP) {
    this.nodeTypes = new Uint8Array(graph.nodeTypeNames.length);
    for (const entry of table) for (const name of entry.nodeTypes ?? []) {
      const i = graph.nodeTypeNames.indexOf(name);
      if (i >= 0) this.nodeTypes[i] = 1;
    }
    this.exact = new Set(table.flatMap((entry) => (entry.nodeNames ?? []).filter((n) => !n.endsWith('*'))));
    this.prefixes = table.flatMap((entry) => (entry.nodeNames ?? []).filter((n) => n.endsWith('*')).map((n) => n.slice(0, -1)));
    this.edges = new Set(table.flatMap((entry) => entry.edgeNames ?? []));
    this.lastEdges = new Set(table.flatMap((entry) => entry.lastEdgeNames ?? []));
    this.known = new Uint8Array(graph.strings.length);
  }

  private bits(stringIndex: number): number {
    let k = this.known[stringIndex];
    if (k === 0) {
      const s = this.graph.strings[stringIndex] ?? '';
      k = 1;
      if (this.exact.has(s) || this.prefixes.some((p) => s.startsWith(p))) k |= 2;
      if (this.edges.has(s)) k |= 4;
      else if (this.lastEdges.has(s)) k |= 8;
      this.known[stringIndex] = k;
    }
    return k;
  }

  /** True for an engine-owned node. */
  isWarmUpNode(ordinal: number): boolean {
    const g = this.graph;
    return this.nodeTypes[g.nodeType[ordinal]] === 1 || (this.bits(g.nodeName[ordinal]) & 2) !== 0;
  }

  /**
   * True for a reference into engine machinery (by its name; element and hidden edges carry an index, never are);
   * `last`: the reference that reaches the object itself.
   */
  isWarmUpEdge(edge: number, last: boolean): boolean {
    const g = this.graph;
    const type = g.edgeType[edge];
    if (type !== g.edges.internal && type !== g.edges.property) return false;
    const k = this.bits(g.edgeNameOrIndex[edge]);
    return (k & 4) !== 0 || (last && (k & 8) !== 0);
  }
}
