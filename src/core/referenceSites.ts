/**
 * Where in a script a reference is made: the `.on('close', onSocketClose)`, `addEventListener(`, `.set(`, `.push(`,
 * `[key] =`, `this.parent =` or `setInterval(` that creates the reference a fix names. Pure: it gets a script's text
 * and a description of the reference, parses the text with a real JavaScript parser (acorn), and returns the call
 * or assignment sites that can create that reference, most likely first. No I/O; source maps are the caller's.
 *
 * Positions are what V8 reports, 1-based: a function's location is where its parameter list starts (the `(`, or
 * the parameter of `x => ...`), which is how a listener or timer callback found in the heap is matched to its
 * definition here.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return --
   the AST is read loosely through `AnyNode` (below): the finder follows a handful of ESTree fields of any node. Typing
   it with acorn's own node union is a follow-up. */
import { parse, type Node as AcornNode } from 'acorn';
import { fullAncestor } from 'acorn-walk';

/** A position in a script, 1-based line and column (as V8's locations in the report). */
export interface ScriptPosition {
  line: number;
  column: number;
}

/** What to look for; each kind names what the heap tells about the reference. */
export type ReferenceQuery =
  | {
    /** A function registered as a listener: EventEmitter (`.on`), EventTarget/AbortSignal (`addEventListener`), `process.on`. */
    kind: 'listener';
    api: 'emitter' | 'event-target';
    /** The event name when the heap names it (`_events.close`). */
    event?: string;
    /** The listener function's name in the heap (`onSocketClose`, '' for an anonymous one). */
    listenerName: string;
    /** Where the listener is defined in this script (V8's function position), when it is in this script. */
    listenerAt?: ScriptPosition;
    /** How the program refers to the emitter (`socket`), when known. */
    emitterName?: string;
  }
  | {
    /** A timer's callback: `setInterval(fn, ...)` / `setTimeout(fn, ...)`. */
    kind: 'timer';
    callbackName: string;
    callbackAt?: ScriptPosition;
  }
  | {
    /** A Map or Set entry: `.set(key, value)` / `.add(value)`. */
    kind: 'entry';
    collection: 'map' | 'set';
    /** The property or variable that holds the collection (`entries` of `this.entries`). */
    holderName?: string;
    /** The class of the object that owns the collection (`SessionCache`). */
    ownerClass?: string;
  }
  | {
    /** An array element: `.push(` / `.unshift(` / `.splice(i, 0, x)` / `arr[i] = x`. */
    kind: 'element';
    holderName?: string;
    ownerClass?: string;
  }
  | {
    /** A named property: `this.parent = ...`, `obj.parent = ...`, `{ parent: ... }`, a class field, or `[key] =` on a registry. */
    kind: 'property';
    name: string;
    /** The class of the object that has the property (`TreeNode`). */
    ownerClass?: string;
    /** For a plain object used as a registry: how the program refers to it (`scheduledJobs`), for `scheduledJobs[name] =`. */
    holderName?: string;
  };

export interface ReferenceSite extends ScriptPosition {
  /** 0-based character offset of the call or assignment. */
  offset: number;
  /** Higher is more likely; only the order means anything. */
  score: number;
  /** The code at the site, shortened to one line (for display and tests). */
  text: string;
}

/** A parsed script's calls, assignments and functions, kept so several queries on one script parse it once. */
export class ScriptIndex {
  readonly calls: CallSite[] = [];
  readonly assignments: AssignmentSite[] = [];
  readonly functions: FunctionSite[] = [];
  private readonly lineStarts: number[];

  private constructor(readonly source: string) {
    this.lineStarts = [0];
    for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  /**
   * Parses a script (or an ES module, with or without a hashbang); null when it is neither (a syntax error, or a
   * language acorn does not read): the caller then has no sites for it, which is not an error to show.
   */
  static parse(source: string): ScriptIndex | null {
    const program = parseProgram(source);
    if (!program) return null;
    const index = new ScriptIndex(source);
    index.collect(program);
    return index;
  }

  position(offset: number): ScriptPosition {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }

  offsetOf(pos: ScriptPosition): number {
    const start = this.lineStarts[pos.line - 1];
    return start === undefined ? -1 : start + pos.column - 1;
  }

  /** The function V8 places at `pos` (where its parameters start), or the nearest one starting on that line. */
  functionAt(pos: ScriptPosition): FunctionSite | null {
    const offset = this.offsetOf(pos);
    if (offset < 0) return null;
    let best: FunctionSite | null = null;
    for (const f of this.functions) {
      if (f.paramsAt === offset || f.start === offset) return f;
      if (this.position(f.paramsAt).line !== pos.line) continue;
      if (!best || Math.abs(f.paramsAt - offset) < Math.abs(best.paramsAt - offset)) best = f;
    }
    return best;
  }

  private collect(program: AcornNode): void {
    fullAncestor(program, (node, _state, ancestors) => {
      const n = node as AnyNode;
      switch (n.type) {
        case 'FunctionDeclaration':
        case 'FunctionExpression':
        case 'ArrowFunctionExpression':
          this.functions.push(this.functionSite(n, ancestors as AnyNode[]));
          break;
        case 'CallExpression':
          this.calls.push({
            node: span(n),
            callee: describe(n.callee),
            args: (n.arguments as AnyNode[]).map(describe),
            argNodes: (n.arguments as AnyNode[]).map(span),
            enclosingClass: enclosingClass(ancestors as AnyNode[]),
            enclosingFunctions: enclosingFunctions(ancestors as AnyNode[]),
          });
          break;
        case 'AssignmentExpression':
          // `x.parent = null` clears a reference, it does not make one.
          if ((n.operator === '=' || n.operator === '??=' || n.operator === '||=') && !isNothing(n.right)) {
            this.assignments.push({ node: span(n), target: describe(n.left), enclosingClass: enclosingClass(ancestors as AnyNode[]), form: 'assign' });
          }
          break;
        case 'Property': {
          // `{ parent: p }` creates the property too; a shorthand or method counts as well.
          const key = propertyKey(n);
          const parent = (ancestors as AnyNode[])[ancestors.length - 2];
          if (key !== null && parent?.type === 'ObjectExpression' && !isNothing(n.value)) {
            this.assignments.push({ node: span(n), target: { kind: 'member', object: { kind: 'other' }, prop: key }, enclosingClass: enclosingClass(ancestors as AnyNode[]), form: 'literal' });
          }
          break;
        }
        case 'PropertyDefinition': {
          const key = propertyKey(n);
          if (key !== null && !n.static && n.value && !isNothing(n.value)) {
            this.assignments.push({ node: span(n), target: { kind: 'member', object: { kind: 'this' }, prop: key }, enclosingClass: enclosingClass(ancestors as AnyNode[]), form: 'field' });
          }
          break;
        }
      }
    });
  }

  private functionSite(n: AnyNode, ancestors: AnyNode[]): FunctionSite {
    const parent = ancestors[ancestors.length - 2];
    const names: Ref[] = [];
    if (n.id?.name) names.push({ kind: 'id', name: n.id.name });
    if (parent) {
      if (parent.type === 'VariableDeclarator' && parent.init === n && parent.id.type === 'Identifier') names.push({ kind: 'id', name: parent.id.name });
      if (parent.type === 'AssignmentExpression' && parent.right === n) names.push(describe(parent.left));
      if ((parent.type === 'Property' || parent.type === 'MethodDefinition' || parent.type === 'PropertyDefinition') && parent.value === n) {
        const key = propertyKey(parent);
        if (key !== null) names.push({ kind: 'member', object: { kind: parent.type === 'Property' ? 'other' : 'this' }, prop: key });
      }
    }
    return { start: n.start, paramsAt: paramsStart(this.source, n), end: n.end, names };
  }

  text(node: Span): string {
    const raw = this.source.slice(node.start, Math.min(node.end, node.start + 160));
    const line = raw.split('\n')[0];
    return line.length < raw.length || node.end > node.start + 160 ? `${line.trimEnd()} ...` : line;
  }
}

/** Finds the sites in one script that can create the reference; most likely first, at most `limit`. */
export function findReferenceSites(script: ScriptIndex | string, query: ReferenceQuery, limit = 5): ReferenceSite[] {
  const index = typeof script === 'string' ? ScriptIndex.parse(script) : script;
  if (!index) return [];
  const scored: { node: Span; score: number }[] = [];
  switch (query.kind) {
    case 'listener':
      listenerSites(index, query, scored);
      break;
    case 'timer':
      timerSites(index, query, scored);
      break;
    case 'entry':
      collectionSites(index, query.collection === 'map' ? ['set'] : ['add'], query.holderName, query.ownerClass, scored, false);
      break;
    case 'element':
      collectionSites(index, ['push', 'unshift', 'splice'], query.holderName, query.ownerClass, scored, true);
      break;
    case 'property':
      propertySites(index, query, scored);
      break;
  }
  // One site per line, the best of them; then most likely first, earlier first among equals.
  const byLine = new Map<number, { node: Span; score: number }>();
  for (const s of scored) {
    if (s.score <= 0) continue;
    const line = index.position(s.node.start).line;
    const seen = byLine.get(line);
    if (!seen || s.score > seen.score || (s.score === seen.score && s.node.start < seen.node.start)) byLine.set(line, s);
  }
  return [...byLine.values()]
    .sort((a, b) => b.score - a.score || a.node.start - b.node.start)
    .slice(0, limit)
    .map(({ node, score }) => ({ ...index.position(node.start), offset: node.start, score, text: index.text(node) }));
}

// ---- the queries ---------------------------------------------------------------------------------------------------

const EMITTER_ADDERS = new Set(['on', 'addListener', 'once', 'prependListener', 'prependOnceListener']);
const TARGET_ADDERS = new Set(['addEventListener']);
const TIMERS = new Set(['setInterval', 'setTimeout', 'setImmediate']);

function listenerSites(index: ScriptIndex, q: Extract<ReferenceQuery, { kind: 'listener' }>, out: { node: Span; score: number }[]): void {
  const fn = q.listenerAt ? index.functionAt(q.listenerAt) : null;
  for (const call of index.calls) {
    const method = calleeMethod(call.callee);
    if (!method || !(EMITTER_ADDERS.has(method) || TARGET_ADDERS.has(method))) continue;
    if (call.args.length < 2) continue;
    const match = functionArgument(call, 1, fn, q.listenerName);
    if (match === 0) continue;
    let score = match;
    const wantTarget = q.api === 'event-target';
    if (TARGET_ADDERS.has(method) !== wantTarget) score -= 15;
    const event = call.argNodes[0].literal;
    if (q.event !== undefined && event !== null) score += event === q.event ? 20 : -40;
    const receiver = call.callee.kind === 'member' ? call.callee.object : null;
    if (q.emitterName && receiver && refName(receiver) === q.emitterName) score += 5;
    out.push({ node: call.node, score });
  }
}

function timerSites(index: ScriptIndex, q: Extract<ReferenceQuery, { kind: 'timer' }>, out: { node: Span; score: number }[]): void {
  const fn = q.callbackAt ? index.functionAt(q.callbackAt) : null;
  for (const call of index.calls) {
    const name = call.callee.kind === 'id' ? call.callee.name : calleeMethod(call.callee);
    if (!name || !TIMERS.has(name) || call.args.length < 1) continue;
    const match = functionArgument(call, 0, fn, q.callbackName);
    // A timer whose callback cannot be told apart is still a candidate, below every one that matches.
    out.push({ node: call.node, score: match > 0 ? match : 5 });
  }
}

function collectionSites(
  index: ScriptIndex, methods: string[], holderName: string | undefined, ownerClass: string | undefined,
  out: { node: Span; score: number }[], indexAssignments: boolean,
): void {
  for (const call of index.calls) {
    const method = calleeMethod(call.callee);
    if (!method || !methods.includes(method) || call.callee.kind !== 'member') continue;
    if (method === 'set' && call.args.length < 2) continue;
    if ((method === 'push' || method === 'unshift' || method === 'add') && call.args.length < 1) continue;
    if (method === 'splice' && call.args.length < 3) continue; // splice(i, n) only removes
    const score = holderScore(call.callee.object, holderName, ownerClass, call.enclosingClass);
    if (score > 0) out.push({ node: call.node, score });
  }
  if (!indexAssignments) return;
  for (const a of index.assignments) {
    if (a.form !== 'assign' || a.target.kind !== 'member' || a.target.prop !== null) continue; // arr[i] = x
    const score = holderScore(a.target.object, holderName, ownerClass, a.enclosingClass);
    if (score > 0) out.push({ node: a.node, score: score - 5 });
  }
}

function propertySites(index: ScriptIndex, q: Extract<ReferenceQuery, { kind: 'property' }>, out: { node: Span; score: number }[]): void {
  for (const a of index.assignments) {
    if (a.target.kind !== 'member') continue;
    if (a.target.prop === q.name) {
      let score = a.form === 'literal' ? 15 : a.form === 'field' ? 35 : 40;
      const inOwner = q.ownerClass && a.enclosingClass === q.ownerClass;
      if (a.target.object.kind === 'this') score += inOwner ? 40 : 5;
      else if (inOwner) score += 10;
      if (q.ownerClass && a.target.object.kind === 'id' && a.target.object.name.toLowerCase() === q.ownerClass.toLowerCase()) score += 10;
      out.push({ node: a.node, score });
    } else if (a.target.prop === null && a.form === 'assign' && q.holderName) {
      // A plain object used as a registry: `scheduledJobs[name] = job`.
      const score = holderScore(a.target.object, q.holderName, q.ownerClass, a.enclosingClass);
      if (score > 0) out.push({ node: a.node, score: score - 5 });
    }
  }
}

/** How well `receiver` names the collection: `this.entries` in the owner's class, `cache.entries`, `entries`. */
function holderScore(receiver: Ref, holderName: string | undefined, ownerClass: string | undefined, inClass: string | null): number {
  const name = refName(receiver);
  if (!holderName) return ownerClass && inClass === ownerClass ? 20 : 5;
  if (name !== holderName) return 0;
  let score = 50;
  if (receiver.kind === 'member' && receiver.object.kind === 'this') score += ownerClass && inClass === ownerClass ? 30 : 10;
  else if (ownerClass && inClass === ownerClass) score += 15;
  return score;
}

/**
 * How surely argument `i` of a call is the function found in the heap: the function itself written inline (100),
 * an identifier or member bound to it (80, 85 inside the function that defines it), `.bind` of one of those (70),
 * or only a name that matches (40). 0 when it is not.
 */
function functionArgument(call: CallSite, i: number, fn: FunctionSite | null, name: string): number {
  const arg = call.args[i];
  if (!arg) return 0;
  const node = call.argNodes[i];
  if (fn && node.start === fn.start && node.end === fn.end) return 100;
  // Written inline inside the argument: `this.onTheme = (t) => ...`, `(0, fn)`, `wrap(() => ...)`.
  if (fn && node.start <= fn.start && fn.end <= node.end) return node.type === 'AssignmentExpression' ? 95 : 75;
  const target = arg.kind === 'bind' ? arg.of : arg;
  const penalty = arg.kind === 'bind' ? 15 : 0;
  if (fn) {
    for (const bound of fn.names) {
      if (sameRef(bound, target)) {
        const scoped = call.enclosingFunctions.some((f) => f.start <= fn.start && fn.end <= f.end);
        return (scoped ? 85 : 80) - penalty;
      }
    }
  }
  const bare = name.replace(/^bound /, '');
  if (bare && refName(target) === bare) return 40 - penalty;
  return 0;
}

// ---- small AST helpers ---------------------------------------------------------------------------------------------

/** What the finder needs of an expression: `this`, an identifier, a member (`a.b`, `a[k]`), a function, `.bind`. */
type Ref =
  | { kind: 'this' }
  | { kind: 'id'; name: string }
  | { kind: 'member'; object: Ref; prop: string | null }
  | { kind: 'bind'; of: Ref }
  | { kind: 'function' }
  | { kind: 'other' };

interface CallSite {
  node: Span;
  callee: Ref;
  args: Ref[];
  argNodes: Span[];
  enclosingClass: string | null;
  enclosingFunctions: Span[];
}

interface AssignmentSite {
  node: Span;
  target: Ref;
  enclosingClass: string | null;
  form: 'assign' | 'literal' | 'field';
}

interface FunctionSite {
  start: number;
  /** Where V8 places the function: its parameter list. */
  paramsAt: number;
  end: number;
  /** What the program calls it: `onSocketClose`, `this.onData`, a method key. */
  names: Ref[];
}

// acorn's ESTree nodes, read loosely: the finder only follows a handful of fields.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyNode = AcornNode & Record<string, any>;

function parseProgram(source: string): AcornNode | null {
  const base = {
    ecmaVersion: 'latest' as const, allowHashBang: true, allowReturnOutsideFunction: true,
    allowAwaitOutsideFunction: true, allowSuperOutsideMethod: true,
  };
  // Node's CommonJS files are scripts (a top-level `return` is fine: Node wraps them); ES modules need 'module'.
  for (const sourceType of ['script', 'module'] as const) {
    try {
      return parse(source, { ...base, sourceType, allowReturnOutsideFunction: sourceType === 'script' });
    } catch {
      // try the other kind
    }
  }
  return null;
}

function describe(n: AnyNode | null | undefined): Ref {
  if (!n) return { kind: 'other' };
  switch (n.type) {
    case 'ThisExpression':
      return { kind: 'this' };
    case 'Identifier':
      return { kind: 'id', name: n.name };
    case 'MemberExpression': {
      const prop = !n.computed ? (n.property.type === 'Identifier' ? n.property.name : n.property.type === 'PrivateIdentifier' ? `#${n.property.name}` : null)
        : n.property.type === 'Literal' && typeof n.property.value === 'string' ? n.property.value : null;
      return { kind: 'member', object: describe(n.object), prop };
    }
    case 'ChainExpression':
      return describe(n.expression);
    case 'CallExpression':
      if (n.callee.type === 'MemberExpression' && !n.callee.computed && n.callee.property.name === 'bind') return { kind: 'bind', of: describe(n.callee.object) };
      return { kind: 'other' };
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      return { kind: 'function' };
    default:
      return { kind: 'other' };
  }
}

function calleeMethod(callee: Ref): string | null {
  return callee.kind === 'member' ? callee.prop : null;
}

/** The last name of a reference: `entries` for `this.entries`, `socket` for `socket`. */
function refName(r: Ref): string | null {
  if (r.kind === 'id') return r.name;
  if (r.kind === 'member') return r.prop;
  return null;
}

function sameRef(a: Ref, b: Ref): boolean {
  if (a.kind === 'id' && b.kind === 'id') return a.name === b.name;
  if (a.kind === 'member' && b.kind === 'member') {
    if (a.prop === null || a.prop !== b.prop) return false;
    // A method or `this.x` binding matches `this.x` and `obj.x`; an `obj.x` binding matches the same object name.
    return a.object.kind === 'this' || a.object.kind === 'other' || b.object.kind === 'this' || refName(a.object) === refName(b.object);
  }
  return false;
}

/** `null`, `undefined`, `void 0`: a value that holds nothing. */
function isNothing(n: AnyNode | null | undefined): boolean {
  if (!n) return true;
  if (n.type === 'Literal' && n.value === null && !n.regex) return true;
  if (n.type === 'Identifier' && n.name === 'undefined') return true;
  return n.type === 'UnaryExpression' && n.operator === 'void';
}

function literalString(n: AnyNode | undefined): string | null {
  if (!n) return null;
  if (n.type === 'Literal' && typeof n.value === 'string') return n.value;
  if (n.type === 'TemplateLiteral' && n.expressions.length === 0) return n.quasis[0].value.cooked ?? null;
  return null;
}

function propertyKey(n: AnyNode): string | null {
  const key = n.key as AnyNode | undefined;
  if (!key) return null;
  if (!n.computed && key.type === 'Identifier') return key.name;
  if (key.type === 'PrivateIdentifier') return `#${key.name}`;
  if (key.type === 'Literal' && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
  return null;
}

function enclosingClass(ancestors: AnyNode[]): string | null {
  for (let i = ancestors.length - 2; i >= 0; i--) {
    const a = ancestors[i];
    if (a.type === 'ClassDeclaration' || a.type === 'ClassExpression') {
      if (a.id?.name) return a.id.name;
      const parent = ancestors[i - 1];
      if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier') return parent.id.name;
      return null;
    }
  }
  return null;
}

function enclosingFunctions(ancestors: AnyNode[]): Span[] {
  return ancestors.filter((a) => a.type === 'FunctionDeclaration' || a.type === 'FunctionExpression' || a.type === 'ArrowFunctionExpression').map(span);
}

/** What is kept of a node once the script is indexed: the tree itself is dropped (a bundle's is large). */
interface Span {
  start: number;
  end: number;
  type: string;
  /** A string literal's value (an event name), else null. */
  literal: string | null;
}

function span(n: AnyNode): Span {
  return { start: n.start, end: n.end, type: n.type, literal: literalString(n) };
}

/** Where a function's parameter list starts (V8's function position): the `(`, or the lone parameter of `x => ...`. */
function paramsStart(source: string, fn: AnyNode): number {
  if (fn.type === 'ArrowFunctionExpression') {
    const first = fn.params[0] as AnyNode | undefined;
    let i = fn.async ? fn.start + 5 : fn.start;
    i = skipSpaceAndComments(source, i, fn.end);
    if (source[i] === '(' || !first) return i;
    return first.start;
  }
  let i = fn.id ? fn.id.end : fn.start;
  const limit = fn.body.start;
  while (i < limit) {
    i = skipSpaceAndComments(source, i, limit);
    if (source[i] === '(') return i;
    i++;
  }
  return fn.start;
}

function skipSpaceAndComments(source: string, i: number, limit: number): number {
  while (i < limit) {
    const c = source[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? limit : end + 2;
    } else if (c === '/' && source[i + 1] === '/') {
      const end = source.indexOf('\n', i + 2);
      i = end < 0 ? limit : end + 1;
    } else break;
  }
  return i;
}
