/**
 * The fix policy: which reference of a path or cycle to break, and what to write instead. The knowledge of Node's
 * and libraries' holders is the table in holders.ts; here are the general rules (back-references, plain
 * references) and the choice among the references of a path:
 *
 * - The short-lived relationships (a listener, a timer, a registry or collection entry) come first, and among
 *   them the one nearest the object: a path from the roots crosses the program's own long-lived holders first (a
 *   server's 'request' handler, a module's registry of tasks) and the library's listener last.
 * - The application's own long-lived listeners (`process.on('SIGINT')`, a server's 'request') are named only when
 *   nothing else is.
 * - Then back-references (weak-ref), then the plain reference nearest the object (dispose).
 * - The report-level fix is a cut edge (one whose removal frees the object), found walking up the dominator chain
 *   from the object, so again the nearest first.
 */
import { FLAG_USER_REACHABLE, NO_DISTANCE } from './distances';
import type { HeapGraph } from './heapGraph';
import { LISTENER_STORES, member, recogniseHolder, type HolderGraph, type HolderMatch } from './holders';
import type { LocationIndex } from './locations';
import type { ReportEdge, ReportNode, RetentionReport, Suggestion } from './report';
import type { ReadableStep, StepReader } from './readableSteps';
import type { RawStep, Retainer, RetainerCache } from './retainers';
import { displayName, type EdgeSemantics } from './semantics';

export interface FixParts {
  graph: HeapGraph;
  distances: Uint32Array;
  dominator: Uint32Array;
  userReachable: Uint8Array;
  semantics: EdgeSemantics;
  locations: LocationIndex;
}

const BACK_REFERENCE_NAMES = /^(parent|parentNode|prev|previous|prevSibling|previousSibling|owner|container|host|back|up|outer|root|manager|context|ctx|self|creator|source|opener|_parent|_owner|_prev)$/i;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** Links that are storage, not names: a timer list's, a listener list's, a listener store's. */
const NOT_A_NAME = /^(this|_idleNext|_idlePrev|next|previous|_events|_eventsCount)$/;

type Classified = HolderMatch;

export function shortUrl(url: string): string {
  if (!url) return '(unknown script)';
  const clean = url.replace(/^file:\/\//, '');
  const parts = clean.split(/[\\/]/);
  return parts.slice(-2).join('/');
}

function lowerFirst(s: string): string {
  return s ? s[0].toLowerCase() + s.slice(1) : s;
}

export class FixPolicy implements HolderGraph {
  readonly g: HeapGraph;
  readonly semantics: EdgeSemantics;
  /** Names found per node, with the depth they were looked for at (a shallower look may have found less). */
  private readonly expressions = new Map<number, { depth: number; name: string | null }>();

  constructor(
    private readonly parts: FixParts,
    private readonly cache: RetainerCache,
    private readonly reader: StepReader,
    private readonly counts: (from: number, edge: number) => boolean,
  ) {
    this.g = parts.graph;
    this.semantics = parts.semantics;
  }

  // ---- HolderGraph ----

  retainers(node: number): Retainer[] {
    return this.cache.of(node);
  }

  prefetch(nodes: Iterable<number>): void {
    this.cache.prefetch(nodes);
  }

  property(node: number, name: string): number {
    const g = this.g;
    for (let e = g.firstEdge[node], end = g.firstEdge[node + 1]; e < end; e++) {
      if (g.edgeType[e] === g.edges.property && g.edgeNamed(e, name)) return g.edgeTarget[e];
    }
    return -1;
  }

  ownerOfStore(node: number): number {
    return this.g.name(node) === '(object elements)' ? this.cache.first(node) : node;
  }

  heldAs(node: number, names: RegExp): Retainer | null {
    const g = this.g;
    for (const r of this.cache.of(node)) {
      if (g.edgeType[r.edge] === g.edges.property && names.test(g.edgeName(r.edge))) return r;
    }
    return null;
  }

  display(node: number): string {
    const g = this.g;
    const name = g.name(node);
    if (name === 'EventTarget' || name === 'Object') {
      const proto = this.property(node, '__proto__');
      const protoName = proto >= 0 ? g.name(proto) : '';
      if (protoName && protoName !== 'Object' && protoName !== 'EventTarget' && IDENTIFIER.test(protoName)) return protoName;
    }
    return displayName(g, node);
  }

  expression(node: number): string | null {
    return this.expressionOf(node, 2);
  }

  hasName(node: number): boolean {
    const g = this.g;
    for (const { from, edge } of this.cache.of(node)) {
      const t = g.edgeType[edge];
      if ((t === g.edges.property || t === g.edges.context) && !this.semantics.isShadowStore(from) && IDENTIFIER.test(g.edgeName(edge).replace(/^#/, ''))) return true;
    }
    return false;
  }

  containerExpression(node: number): string | null {
    const named = this.expression(node);
    if (named) return named;
    const g = this.g;
    for (const { from, edge } of this.cache.of(node)) {
      if (g.edgeType[edge] !== g.edges.property || this.semantics.isShadowStore(from)) continue;
      const name = g.edgeName(edge);
      if (!IDENTIFIER.test(name) || name === '__proto__') continue;
      const owner = this.expression(from);
      const cls = this.display(from);
      return `${owner ?? (IDENTIFIER.test(cls) && cls !== 'Object' ? lowerFirst(cls) : 'object')}.${name}`;
    }
    return null;
  }

  private expressionOf(node: number, depth: number): string | null {
    if (node < 0) return null;
    const known = this.expressions.get(node);
    if (known !== undefined && known.depth >= depth) return known.name;
    const g = this.g;
    let best: string | null = null;
    let bestScore = Infinity;
    const holders = this.cache.of(node);
    // The owners the names below may read, in one sweep rather than one each.
    if (depth > 0) this.cache.prefetch(holders.filter((r) => g.edgeType[r.edge] === g.edges.property).map((r) => r.from));
    for (const { from, edge } of holders) {
      const t = g.edgeType[edge];
      if (t !== g.edges.property && t !== g.edges.context) continue;
      if (!this.semantics.isUserEdge(edge, node) || this.semantics.isShadowStore(from)) continue;
      let name = g.edgeName(edge);
      if (name.startsWith('#')) name = name.slice(1);
      if (!IDENTIFIER.test(name) || NOT_A_NAME.test(name) || LISTENER_STORES.test(name)) continue;
      const fromName = g.name(from);
      if (fromName === 'Listener' || fromName === 'Timeout') continue; // an EventTarget's or a timer's own record
      let expr: string;
      let score: number;
      if (t === g.edges.context || fromName === 'global' || fromName === 'Window') {
        expr = name;
        score = 0;
      } else if (g.nodeType[from] === g.types.closure && IDENTIFIER.test(fromName)) {
        expr = `${fromName}.${name}`; // a static: `Pusher.instances`
        score = 1;
      } else {
        const owner = depth > 0 ? this.expressionOf(from, depth - 1) : null;
        const cls = this.display(from);
        const byClass = IDENTIFIER.test(cls) && cls !== 'Object';
        // A guessed owner names nothing: `object.panel` (a plain object nobody names), or `treeNode.prev` (the same
        // class, through a sibling) only moves the question. The caller then names the object by its own class.
        if (!owner && (!byClass || cls === this.display(node))) continue;
        expr = `${owner ?? lowerFirst(cls)}.${name}`;
        score = owner ? 2 : byClass ? 3 : 4;
      }
      if (name.startsWith('_')) score += 2;
      // Equal scores: the longer name (`socket` over a helper's `s`), so the answer never depends on the heap's order.
      if (score < bestScore || (score === bestScore && best !== null && (expr.length > best.length || (expr.length === best.length && expr < best)))) {
        bestScore = score;
        best = expr;
      }
    }
    this.expressions.set(node, { depth, name: best });
    return best;
  }

  at(node: number): string {
    const loc = this.parts.locations.locate(node);
    return loc ? ` (${shortUrl(loc.url)}:${loc.line})` : '';
  }

  node(node: number): ReportNode {
    return this.reader.briefNode(node);
  }

  edge(edge: number): ReportEdge {
    return { type: this.g.edgeTypeName(edge), name: this.g.edgeName(edge) };
  }

  tableOwner(table: number): number {
    const g = this.g;
    for (const { from, edge } of this.cache.of(table)) if (g.edgeNamed(edge, 'table')) return from;
    return -1;
  }

  mapKey(table: number, valueEdge: number): string | null {
    const g = this.g;
    const m = /^(\d+)/.exec(g.edgeName(valueEdge));
    if (!m) return null;
    const keyName = String(Number(m[1]) - 1);
    for (let e = g.firstEdge[table], end = g.firstEdge[table + 1]; e < end; e++) {
      if (g.edgeType[e] !== g.edges.internal || g.edgeName(e) !== keyName) continue;
      const k = g.edgeTarget[e];
      const t = g.nodeType[k];
      if (t === g.types.string || t === g.types.concatString || t === g.types.slicedString) return JSON.stringify(g.name(k));
      if (t === g.types.number) return g.name(k);
      return null;
    }
    return null;
  }

  // ---- The policy ----

  private dominates(a: number, b: number): boolean {
    const { dominator } = this.parts;
    let n = b;
    for (let guard = 0; guard < 100_000; guard++) {
      if (n === a) return true;
      const d = dominator[n];
      if (d === n) return false;
      n = d;
    }
    return false;
  }

  /** True when `a` holds `b` directly through one of the program's own references. */
  private references(a: number, b: number): boolean {
    const g = this.g;
    for (let e = g.firstEdge[a], end = g.firstEdge[a + 1]; e < end; e++) {
      if (g.edgeTarget[e] === b && this.semantics.isUserEdge(e, b)) return true;
    }
    return false;
  }

  /** The reference at `path[i]` as a fix: a known holder (holders.ts), a back-reference, or a plain reference. */
  classify(path: RawStep[], i: number, context: 'path' | 'cycle'): Classified | null {
    const holder = recogniseHolder(this, path, i);
    // In a cycle, an array or object the object reaches and that reaches it back is part of its own structure (a
    // node's `children`), not a registry that outlives it: the general rules decide.
    if (holder && !(context === 'cycle' && (holder.holder === 'array-registry' || holder.holder === 'object-registry'))) return holder;
    const g = this.g;
    const { from, edge, to } = path[i];
    const edgeName = g.edgeName(edge);
    const fromName = this.display(from);
    const toName = this.display(to);
    const type = g.edgeType[edge];
    // A back-reference (`parent`, `prev`, `owner`), or in a cycle any reference pointing to an object that dominates
    // or precedes its source on the way from the roots.
    const d = this.parts.distances;
    const named = type === g.edges.property || type === g.edges.context;
    const backName = BACK_REFERENCE_NAMES.test(edgeName);
    if (named && (context === 'cycle' || backName)) {
      const owns = context === 'cycle' && this.dominates(to, from);
      const precedes = d[to] !== NO_DISTANCE && d[from] !== NO_DISTANCE && d[to] < d[from];
      if (context === 'cycle' ? backName || owns || precedes : this.references(to, from)) {
        const variable = type === g.edges.context;
        const code = variable ? `const ${edgeName}Ref = new WeakRef(${edgeName})` : `this.${edgeName} = new WeakRef(${edgeName})`;
        return { kind: 'weak-ref', holder: 'back-reference', rank: backName ? 2 : 3, describe: () => ({
          fix: variable
            ? `Capture a WeakRef instead: \`${code}\` outside the closure and \`${edgeName}Ref.deref()\` inside it.`
            : `Make \`${edgeName}\` weak: \`${code}\` and read it with \`this.${edgeName}.deref()\` (or keep it in a WeakMap keyed by the ${fromName}).`,
          reason: backName
            ? `\`${edgeName}\` on ${fromName}${this.at(from)} is a back-reference to ${toName}; while anything holds one ${fromName}, back-references keep the whole structure it belongs to alive.`
            : `\`${edgeName}\` on ${fromName}${this.at(from)} points back to ${toName}, which already ${owns ? 'owns (dominates)' : 'precedes'} it on the way from the roots; while anything holds one ${fromName}, this back-reference keeps the whole cycle alive.`,
          target: { holder: 'back-reference', node: this.node(from), edge: this.edge(edge), code },
        }) };
      }
    }
    if (type === g.edges.property || type === g.edges.element || type === g.edges.context) {
      const captured = type === g.edges.context;
      const element = type === g.edges.element;
      return { kind: 'dispose', holder: captured ? 'closure-variable' : element ? 'element' : 'property', rank: 4, describe: () => {
        const owner = element ? this.ownerOfStore(from) : from;
        const ownerRef = this.expression(owner) ?? (IDENTIFIER.test(fromName) ? lowerFirst(fromName) : 'object');
        const code = captured ? `${edgeName} = null` : element ? `${ownerRef}.splice(${edgeName}, 1)` : `${member(ownerRef, edgeName)} = null`;
        return {
          fix: captured
            ? `Stop the closure from capturing \`${edgeName}\` once it is no longer needed (\`${code}\` in dispose()), or release the closure itself.`
            : element
              ? `Remove ${toName} from the array when you are done with it (\`${code}\` in a dispose() method).`
              : `Clear the reference when ${toName} is done with: \`${code}\` in a dispose() method.`,
          reason: `${fromName}${this.at(from)} holds ${toName} through \`${edgeName}\`${context === 'path' ? ', and nothing else on this path can be cut closer to your code' : ''}.`,
          target: { holder: captured ? 'closure-variable' : element ? 'element' : 'property', node: this.node(owner), edge: this.edge(edge), code },
        };
      } };
    }
    return null;
  }

  /**
   * Best fix on a path or cycle (see the policy above). `steps` are the readable steps of `raw` (each with the raw
   * references it stands for, in order).
   */
  suggest(steps: ReadableStep[], context: 'path' | 'cycle'): Suggestion | null {
    const raw = steps.flatMap((s) => s.raw);
    const readableOf = readableIndex(steps);
    const found: { i: number; c: Classified }[] = [];
    for (let i = 0; i < raw.length; i++) {
      const c = this.classify(raw, i, context);
      if (c) found.push({ i, c });
    }
    const best = choose(found);
    return best ? toSuggestion(best.c, readableOf[best.c.at ?? best.i]) : null;
  }

  /**
   * The one reference whose removal frees the object: walking up the dominator chain, a dominator with exactly one
   * strong reference from outside what it dominates is cut by removing that reference. Picks among them by the
   * policy, nearest the object first.
   */
  cutEdgeFix(target: number, steps: ReadableStep[] | undefined, pathIndex: number): RetentionReport['fix'] {
    if (!steps) return null;
    const g = this.g;
    const { dominator, userReachable, distances } = this.parts;
    const raw = steps.flatMap((s) => s.raw);
    const readableOf = readableIndex(steps);
    const rawIndex = new Map<number, number>(); // edge ordinal -> raw index on the path
    raw.forEach((r, i) => rawIndex.set(r.edge, i));
    const chain: number[] = [];
    for (let n = target; n !== g.rootOrdinal && chain.length < 10_000; n = dominator[n]) {
      chain.push(n);
      if (dominator[n] === n) break;
    }
    this.cache.prefetch(chain);
    // Walking up from the object: the first short-lived holder is the nearest one; else the best rank, nearest first.
    let best: { i: number; c: Classified } | null = null;
    const rankOf = (c: Classified) => (c.longLived ? 4.5 : c.rank);
    let node = target;
    for (let guard = 0; node !== g.rootOrdinal && guard < 10_000; guard++) {
      let single = -1;
      let count = 0;
      for (const { from, edge } of this.cache.of(node)) {
        if (count >= 2) break;
        if (!this.counts(from, edge) || distances[from] === NO_DISTANCE || this.semantics.isShadowStore(from) || this.dominates(node, from)) continue;
        // As for dominators: what only engine or debugger handles reach (a paused frame's locals) does not hold
        // an object the program reaches.
        if ((userReachable[node] & FLAG_USER_REACHABLE) !== 0 && (userReachable[from] & FLAG_USER_REACHABLE) === 0) continue;
        count++;
        single = edge;
      }
      if (count === 1 && rawIndex.has(single)) {
        const i = rawIndex.get(single)!;
        const c = this.classify(raw, i, 'path');
        if (c && c.rank <= 1 && !c.longLived) {
          best = { i, c };
          break;
        }
        if (c && (!best || rankOf(c) < rankOf(best.c))) best = { i, c };
      }
      const up = dominator[node];
      if (up === node) break;
      node = up;
    }
    // A WeakMap value is held by its key *and* its table together: releasing either frees it, though the snapshot
    // records two separate references. (As DevTools does, the key dominates the value, so the cut above may be the
    // key's own holder; the entry, nearer the object, is the better advice unless a listener or entry was found.)
    const last = raw.length - 1;
    if ((!best || rankOf(best.c) > 1) && last >= 0 && this.semantics.ephemeron(raw[last].edge)) {
      const c = this.classify(raw, last, 'path');
      if (c) return { ...toSuggestion(c, readableOf[c.at ?? last]), path: pathIndex };
    }
    if (!best) return null;
    const s = toSuggestion(best.c, readableOf[best.c.at ?? best.i]);
    return { ...s, path: pathIndex, reason: `${s.reason} Every path from the roots runs through this reference, so removing it frees the object.` };
  }
}

/** Raw index -> index of the readable step that stands for it. */
function readableIndex(steps: ReadableStep[]): number[] {
  const out: number[] = [];
  steps.forEach((s, k) => s.raw.forEach(() => out.push(k)));
  return out;
}

/**
 * Among classified references in path order (root first): the short-lived holder nearest the object; else the best
 * rank, back-references at their first occurrence and plain references at the last (nearest the object).
 */
function choose(found: { i: number; c: Classified }[]): { i: number; c: Classified } | null {
  let holder: { i: number; c: Classified } | null = null;
  for (const f of found) if (f.c.rank <= 1 && !f.c.longLived) holder = f;
  if (holder) return holder;
  let best: { i: number; c: Classified } | null = null;
  const rankOf = (c: Classified) => (c.longLived ? 4.5 : c.rank);
  for (const f of found) {
    const r = rankOf(f.c);
    if (!best || r < rankOf(best.c) || (r === rankOf(best.c) && r >= 4)) best = f;
  }
  return best;
}

function toSuggestion(c: Classified, step: number): Suggestion {
  const { fix, reason, target } = c.describe();
  return { step, kind: c.kind, fix, reason, target };
}
