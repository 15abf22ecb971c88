/**
 * What the tool knows about the objects Node and libraries keep references in, as data: one entry per kind of
 * holder, each with the test that recognises it on a reference of a retaining path, the sentence that explains it
 * and the code it suggests. Adding the next shape is one entry here and a test on a real program
 * (test/realworld/, test/unit/holders.test.ts).
 *
 * Entries are tried in order; the first that recognises a reference names it. The fix policy (fixes.ts) then picks,
 * among the references of a path, the one to break.
 */
import type { HeapGraph } from './heapGraph';
import type { FixKind, FixTarget, ReportEdge, ReportNode } from './report';
import type { RawStep, Retainer } from './retainers';
import type { EdgeSemantics } from './semantics';

/** The graph queries the recognisers use (implemented in fixes.ts over the query's retainer cache). */
export interface HolderGraph {
  readonly g: HeapGraph;
  readonly semantics: EdgeSemantics;
  retainers(node: number): Retainer[];
  prefetch(nodes: Iterable<number>): void;
  /** The object a property of `node` points at, or -1. */
  property(node: number, name: string): number;
  /** An array's owner for its `(object elements)` store; the node itself otherwise. */
  ownerOfStore(node: number): number;
  /** The first strong retainer holding `node` through a property whose name matches, or null. */
  heldAs(node: number, names: RegExp): Retainer | null;
  /** How DevTools names it (`Widget`, `onData()`), with the class behind an `EventTarget`/`Object` instance. */
  display(node: number): string;
  /** How the program names it: `bus`, `task.emitter`, `Pusher.instances`; null when nothing names it. */
  expression(node: number): string | null;
  /** A container's name, including storage a user would not name elsewhere (`queue._callbacks`); null when none. */
  containerExpression(node: number): string | null;
  /** True when something holds `node` through a property or variable with a name a program can spell. */
  hasName(node: number): boolean;
  /** " (file.js:12)" for an object or function with a known source location, else "". */
  at(node: number): string;
  node(node: number): ReportNode;
  edge(edge: number): ReportEdge;
  /** The Map or Set that owns a hash table, or -1. */
  tableOwner(table: number): number;
  /** The key stored beside a Map table's value slot, as source text (`"abort"`, `42`), or null. */
  mapKey(table: number, valueEdge: number): string | null;
}

/** What a fix says: the sentences, and the reference it names in parts. */
export interface HolderAdvice {
  fix: string;
  reason: string;
  /** What the fix names, for the step that links the line creating the reference. */
  target: FixTarget;
}

/** A reference recognised as one a user can break. */
export interface HolderMatch {
  kind: FixKind;
  /** Which entry (or general rule) recognised it: `FixTarget.holder`. */
  holder: string;
  /**
   * 0 a listener or a timer, 1 an entry in a collection or registry: the short-lived relationships the fix policy
   * prefers, nearest the object first. 5 a pending promise's reactions: only when nothing else is found.
   */
  rank: number;
  /**
   * The sentences and the target, built only for the reference chosen: naming things (how the program calls a
   * holder) reads retainers, which costs a sweep over the edges.
   */
  describe(): HolderAdvice;
  /** The step of the path to point at when it is not the one recognised (an EventTarget list's listener slot). */
  at?: number;
  /** The application's own long-lived listener (a server's 'request' handler, `process.on('SIGINT')`). */
  longLived?: boolean;
}

export interface HolderEntry {
  /** Also `FixTarget.holder`. */
  id: string;
  /** What it recognises, in a line (for readers of this table). */
  describes: string;
  recognise(h: HolderGraph, path: RawStep[], i: number): HolderMatch | null;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** Where emitters keep their listeners: Node's EventEmitter, component-emitter, mitt-like and hand-written ones. */
export const LISTENER_STORES = /^(_events|listeners|_listeners|handlers|_handlers|callbacks|_callbacks|subscribers|observers|__listeners)$/;
/** Events an application listens to for its whole life: their listeners are the program, not the leak. */
const LONG_LIVED_EVENTS: Record<string, RegExp> = {
  process: /^(SIG[A-Z0-9]+|uncaughtException|unhandledRejection|warning|beforeExit|exit|message|disconnect)$/,
  Server: /^(request|connection|secureConnection|upgrade|listening|checkContinue|checkExpectation|clientError|close|error|stream|session)$/,
};

function isFunction(g: HeapGraph, node: number): boolean {
  return g.nodeType[node] === g.types.closure;
}

/** Source text for a key: an identifier-safe string literal, or the number. */
export function keyLiteral(key: string): string {
  return /^\d+$/.test(key) ? key : JSON.stringify(key);
}

/** `obj.name` or `obj["strange name"]`. */
export function member(obj: string, name: string): string {
  return IDENTIFIER.test(name) ? `${obj}.${name}` : `${obj}[${JSON.stringify(name)}]`;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

function lowerFirst(s: string): string {
  return s ? s[0].toLowerCase() + s.slice(1) : s;
}

/** A name to write in code for an object nothing names: its class, lower-cased (`socket`, `map`). */
function fallbackName(h: HolderGraph, node: number, fallback: string): string {
  const d = h.display(node).replace(/\(\)$/, '');
  return IDENTIFIER.test(d) ? lowerFirst(d) : fallback;
}

/** How to name a listener function in code: its name, the property the program also keeps it in, or `listener`. */
function listenerName(h: HolderGraph, fn: number): string {
  const name = h.g.name(fn);
  if (name && IDENTIFIER.test(name) && name !== 'native_bind') return name;
  return h.expression(fn) ?? 'listener';
}

/** A once() wrapper (a bound function with `.listener`): the function the program registered. */
function unwrapOnce(h: HolderGraph, fn: number): number {
  const inner = h.property(fn, 'listener');
  return inner >= 0 && isFunction(h.g, inner) ? inner : fn;
}

// ---- EventEmitter: `_events[name]` holds a function for one listener and an array for several ----

interface ListenerSlot { emitter: number; store: number; event: string | null }

/** The emitter and event of a reference into a listener store (`_events.data = fn`, `_events.data[1] = fn`). */
function listenerSlot(h: HolderGraph, from: number, edge: number): ListenerSlot | null {
  const g = h.g;
  const type = g.edgeType[edge];
  if (type === g.edges.property) {
    const owner = h.heldAs(from, LISTENER_STORES);
    if (!owner) return null;
    return { emitter: owner.from, store: from, event: eventName(g, owner.edge, g.edgeName(edge)) };
  }
  if (type === g.edges.element || type === g.edges.internal) {
    const array = h.ownerOfStore(from);
    if (array < 0) return null;
    for (const { from: store, edge: e } of h.retainers(array)) {
      if (g.edgeType[e] !== g.edges.property) continue;
      const owner = h.heldAs(store, LISTENER_STORES);
      if (owner) return { emitter: owner.from, store, event: eventName(g, owner.edge, g.edgeName(e)) };
    }
    // A list kept straight under the emitter (`this.listeners = [fn]`).
    const direct = h.heldAs(array, LISTENER_STORES);
    if (direct) return { emitter: direct.from, store: array, event: null };
  }
  return null;
}

/** component-emitter keys its `_callbacks` as `$name`. */
function eventName(g: HeapGraph, storeEdge: number, key: string): string {
  return g.edgeName(storeEdge) === '_callbacks' && key.startsWith('$') ? key.slice(1) : key;
}

function isLongLived(h: HolderGraph, emitter: number, event: string | null): boolean {
  if (event === null) return false;
  const cls = h.display(emitter);
  const rule = cls === 'process' ? LONG_LIVED_EVENTS.process : /Server$/.test(cls) ? LONG_LIVED_EVENTS.Server : null;
  return rule !== null && rule.test(event);
}

function emitterMatch(h: HolderGraph, slot: ListenerSlot, fn: number, edge: number, from: number): HolderMatch {
  return { kind: 'remove-listener', holder: 'event-emitter', rank: 0, longLived: isLongLived(h, slot.emitter, slot.event), describe: () => emitterAdvice(h, slot, fn, edge, from) };
}

function emitterAdvice(h: HolderGraph, slot: ListenerSlot, fn: number, edge: number, from: number): HolderAdvice {
  const listener = unwrapOnce(h, fn);
  const emitterName = h.display(slot.emitter);
  const named = h.expression(slot.emitter);
  const emitterRef = named ?? fallbackName(h, slot.emitter, 'emitter');
  const fnName = listenerName(h, listener);
  const event = slot.event;
  const code = `${emitterRef}.off(${event !== null ? JSON.stringify(event) : 'event'}, ${fnName})`;
  return {
    fix: `Remove the listener when its owner is done (e.g. in dispose()): \`${code}\`, or register it with \`{ signal }\` from an AbortController and abort it.`,
    reason: `${h.display(listener)}${h.at(listener)} is registered as ${event !== null ? `${article(event)} '${event}'` : 'a'} listener on ${emitterName}${named ? ` \`${named}\`` : ''}; the emitter keeps the listener alive, and the listener keeps everything it captures alive.`,
    target: {
      holder: 'event-emitter', node: h.node(slot.emitter), edge: h.edge(edge), container: h.node(from),
      ...(named ? { expression: named } : {}), ...(event !== null ? { event } : {}), listener: h.node(listener), code,
    },
  };
}

const eventEmitter: HolderEntry = {
  id: 'event-emitter',
  describes: "a function in an emitter's listener store: EventEmitter `_events[name]` (a function, or an array of them), `_callbacks`, `listeners`, ...; also a function the program keeps elsewhere that is registered on an emitter",
  recognise(h, path, i) {
    const { from, edge, to } = path[i];
    const g = h.g;
    if (!isFunction(g, to)) return null;
    const slot = listenerSlot(h, from, edge);
    if (slot) return emitterMatch(h, slot, to, edge, from);
    // A function the program keeps (`widget.onData`) and has also registered on an emitter: removing the listener
    // is what frees it. Its holders are few; one held from hundreds of places (a module's `require`) is no listener.
    const holders = h.retainers(to).slice(0, 256);
    h.prefetch(holders.map((r) => r.from));
    h.prefetch(holders.filter((r) => g.name(r.from) === '(object elements)').map((r) => h.ownerOfStore(r.from)).filter((a) => a >= 0));
    for (const r of holders) {
      const other = listenerSlot(h, r.from, r.edge);
      if (other) return emitterMatch(h, other, to, r.edge, r.from);
    }
    return null;
  },
};

// ---- EventTarget and AbortSignal: a Map under the `kEvents` symbol, of linked listener records ----

const KEVENTS = /kEvents/;

interface TargetSlot { target: number; map: number; event: string | null }

/** From a listener record (or the list's head) back to its EventTarget: head <- Map entry <- table <- Map <- target. */
function eventTargetOfRecord(h: HolderGraph, record: number): TargetSlot | null {
  const g = h.g;
  let head = record;
  for (let guard = 0; guard < 100_000 && g.name(head) === 'Listener'; guard++) {
    const prev = h.property(head, 'previous');
    if (prev < 0) return null;
    head = prev;
  }
  for (const { from: table, edge } of h.retainers(head)) {
    if (!h.semantics.isEntryEdge(edge)) continue;
    const slot = eventTargetOfTable(h, table, edge);
    if (slot) return slot;
  }
  return null;
}

function eventTargetOfTable(h: HolderGraph, table: number, valueEdge: number): TargetSlot | null {
  const map = h.tableOwner(table);
  if (map < 0) return null;
  const owner = h.heldAs(map, KEVENTS);
  if (!owner) return null;
  const key = h.mapKey(table, valueEdge);
  return { target: owner.from, map, event: key !== null && key.startsWith('"') ? JSON.parse(key) as string : key };
}

/** The listener function a record holds, from the path after step `i` (or from the record itself). */
function listenerAfter(h: HolderGraph, path: RawStep[], i: number): { fn: number; at: number } | null {
  const g = h.g;
  for (let k = i; k < path.length; k++) {
    const s = path[k];
    if (g.name(s.from) === 'Listener' && (g.edgeNamed(s.edge, 'listener') || g.edgeNamed(s.edge, 'callback')) && isFunction(g, s.to)) return { fn: s.to, at: k };
    if (k > i && !(g.name(s.to) === 'Listener' || isFunction(g, s.to))) break;
  }
  return null;
}

const eventTarget: HolderEntry = {
  id: 'event-target',
  describes: 'a listener of an EventTarget or AbortSignal: Node keeps them in a Map under the `kEvents` symbol, as linked records (`Listener .next`, `.listener`)',
  recognise(h, path, i) {
    const g = h.g;
    const { from, edge, to } = path[i];
    let slot: TargetSlot | null = null;
    if (g.name(from) === 'Listener' || g.name(to) === 'Listener') {
      slot = eventTargetOfRecord(h, g.name(from) === 'Listener' ? from : to);
      if (!slot && g.name(from) !== 'Listener') slot = eventTargetOfRecord(h, from);
    } else if (h.semantics.isEntryEdge(edge) && g.edgeType[edge] === g.edges.internal) {
      slot = eventTargetOfTable(h, from, edge);
      if (slot === null) return null;
    }
    if (!slot) return null;
    const found = listenerAfter(h, path, i);
    const at = found?.at;
    const target = slot;
    return { kind: 'remove-listener', holder: 'event-target', rank: 0, at, describe: () => eventTargetAdvice(h, path, edge, target, found) };
  },
};

function eventTargetAdvice(h: HolderGraph, path: RawStep[], edge: number, slot: TargetSlot, found: { fn: number; at: number } | null): HolderAdvice {
  const fn = found?.fn ?? -1;
  const named = h.expression(slot.target);
  const cls = h.display(slot.target);
  const targetRef = named ?? (cls === 'AbortSignal' ? 'signal' : fallbackName(h, slot.target, 'target'));
  const event = slot.event;
  const fnName = fn >= 0 ? listenerName(h, fn) : 'listener';
  const code = `${targetRef}.removeEventListener(${event !== null ? JSON.stringify(event) : 'type'}, ${fnName})`;
  return {
    fix: `Remove the listener when the work it belongs to is done: \`${code}\`, or add it with \`{ once: true }\` (or \`{ signal }\` of a controller you abort) so that it goes by itself. Do not touch the target's internal listener Map: it holds every listener.`,
    reason: `${fn >= 0 ? `${h.display(fn)}${h.at(fn)}` : 'A listener'} is registered as ${event !== null ? `${article(event)} '${event}'` : 'a'} listener on ${cls}${named ? ` \`${named}\`` : ''}; ${cls === 'AbortSignal' ? 'a long-lived signal passed to every call keeps every listener added to it, and' : 'the target keeps its listeners, and'} each listener keeps everything it captures alive.`,
    target: {
      holder: 'event-target', node: h.node(slot.target), edge: h.edge(found ? path[found.at].edge : edge), container: h.node(slot.map),
      ...(named ? { expression: named } : {}), ...(event !== null ? { event } : {}), ...(fn >= 0 ? { listener: h.node(fn) } : {}), code,
    },
  };
}

// ---- Timers: TimersList -> Timeout._onTimeout ----

const timer: HolderEntry = {
  id: 'timer',
  describes: "a timer's callback: Node's timer lists (`TimersList` -> `Timeout` via `_idleNext`/`_idlePrev`) and `Timeout._onTimeout`",
  recognise(h, path, i) {
    const g = h.g;
    const { from, edge, to } = path[i];
    let t = -1;
    let at: number | undefined;
    if (g.name(from) === 'Timeout' && g.edgeNamed(edge, '_onTimeout')) t = from;
    else if (g.name(to) === 'Timeout' && (g.edgeNamed(edge, '_idleNext') || g.edgeNamed(edge, '_idlePrev'))) {
      t = to;
      const next = path[i + 1];
      if (next && next.from === to && g.edgeNamed(next.edge, '_onTimeout')) at = i + 1;
    }
    if (t < 0) return null;
    const timerNode = t;
    const atStep = at;
    return { kind: 'clear-timer', holder: 'timer', rank: 0, at, describe: () => timerAdvice(h, path, edge, timerNode, atStep) };
  },
};

function timerAdvice(h: HolderGraph, path: RawStep[], edge: number, t: number, at: number | undefined): HolderAdvice {
  const g = h.g;
  const fn = h.property(t, '_onTimeout');
  // `_repeat` is null (an oddball) for a timeout and the interval in ms (a number, often no node at all) otherwise.
  const repeat = h.property(t, '_repeat');
  const interval = repeat < 0 || g.nodeType[repeat] !== g.types.hidden;
  const clear = interval ? 'clearInterval' : 'clearTimeout';
  const named = h.expression(t);
  const ref = named ?? 'timer';
  const code = `${clear}(${ref})`;
  const made = interval ? 'setInterval' : 'setTimeout';
  return {
    fix: `Clear the timer when its work is done or its owner is closed: \`${code}\`${named ? '' : ` (keep what ${made}() returned, to clear it)`}.`,
    reason: `${fn >= 0 ? `${h.display(fn)}${h.at(fn)}` : 'A callback'} is ${interval ? "an interval's callback that was never cleared" : "a pending timeout's callback that was never cleared"}${named ? ` (\`${named}\`)` : ''}; Node keeps a timer and everything its callback captures until it fires${interval ? ', and an interval fires forever' : ''}.`,
    target: { holder: 'timer', node: h.node(t), edge: h.edge(at !== undefined ? path[at].edge : edge), timer: h.node(t), ...(named ? { expression: named } : {}), ...(fn >= 0 ? { listener: h.node(fn) } : {}), code },
  };
}

// ---- Collections ----

const weakMapValue: HolderEntry = {
  id: 'weak-map',
  describes: 'a WeakMap/WeakSet value, alive while its key is (an ephemeron edge)',
  recognise(h, path, i) {
    const { edge, to } = path[i];
    const eph = h.semantics.ephemeron(edge);
    if (!eph) return null;
    return { kind: 'delete-entry', holder: 'weak-map', rank: 1, describe: () => {
      const keyNode = h.g.ordinalOfId(eph.keyId);
      const keyRef = (keyNode >= 0 ? h.expression(keyNode) : null) ?? `the key ${eph.keyName} @${eph.keyId}`;
      const code = eph.kind === 'WeakSet' ? 'weakSet.delete(value)' : 'weakMap.delete(key)';
      return {
        fix: `Release the key (${keyRef} = null) or delete the entry (\`${code}\`); the ${eph.kind} holds the value only for as long as its key is alive.`,
        reason: `${h.display(to)} is a ${eph.kind} value, and its key ${eph.keyName} @${eph.keyId} is still reachable, so the entry stays.`,
        target: { holder: 'weak-map', node: h.node(path[i].from), edge: h.edge(edge), code },
      };
    } };
  },
};

const mapOrSetEntry: HolderEntry = {
  id: 'map-entry',
  describes: 'an entry of a Map or Set (its hash table\'s value slot)',
  recognise(h, path, i) {
    const { from, edge, to } = path[i];
    if (!h.semantics.isEntryEdge(edge)) return null;
    const owner = h.tableOwner(from);
    if (owner < 0) return null;
    const g = h.g;
    const isSet = /Set$/.test(g.name(owner));
    return { kind: 'delete-entry', holder: isSet ? 'set-entry' : 'map-entry', rank: 1, describe: () => {
      const named = h.expression(owner);
      const ref = named ?? (isSet ? 'set' : 'map');
      const key = isSet ? null : h.mapKey(from, edge);
      const code = isSet ? `${ref}.delete(value)` : `${ref}.delete(${key ?? 'key'})`;
      return {
        fix: isSet
          ? `Delete it from the ${h.display(owner)} when you are done with it (\`${code}\`), or use a WeakSet so the entry goes with the object.`
          : `Delete the entry when you are done with it (\`${code}\`), or use a WeakMap keyed by the object that owns it, so the entry goes with its key.`,
        reason: `A long-lived ${h.display(owner)}${named ? ` \`${named}\`` : ''}${h.at(owner)} holds ${h.display(to)} as an entry; entries in a Map or Set live as long as the collection.`,
        target: { holder: isSet ? 'set-entry' : 'map-entry', node: h.node(owner), edge: h.edge(edge), container: h.node(owner), ...(named ? { expression: named } : {}), ...(key !== null ? { key } : {}), code },
      };
    } };
  },
};

const finalizationRegistry: HolderEntry = {
  id: 'finalization-registry',
  describes: "a FinalizationRegistry's cell (`system / WeakCell`): the held value it keeps until its target is collected, and the list of cells",
  recognise(h, path, i) {
    const g = h.g;
    const { from, edge } = path[i];
    if (!/WeakCell/.test(g.name(from)) || g.edgeType[edge] === g.edges.weak) return null;
    // V8 links a cell to its registry, its held value and the next cell by hidden edges.
    let registry = -1;
    for (let e = g.firstEdge[from], end = g.firstEdge[from + 1]; e < end; e++) {
      if (/FinalizationRegistry/.test(g.name(g.edgeTarget[e]))) registry = g.edgeTarget[e];
    }
    return { kind: 'delete-entry', holder: 'finalization-registry', rank: 1, describe: () => {
      const named = registry >= 0 ? h.expression(registry) : null;
      const code = `${named ?? 'registry'}.unregister(token)`;
      return {
        fix: `Unregister what you registered when you are done with it (\`${code}\`, with the token you passed to register()), or hold less in the held value; a registered cell keeps its held value until its target is collected.`,
        reason: `A FinalizationRegistry${named ? ` \`${named}\`` : ''} keeps the held value of every object registered with it until that object is collected.`,
        target: { holder: 'finalization-registry', node: h.node(registry >= 0 ? registry : from), edge: h.edge(edge), container: h.node(from), ...(named ? { expression: named } : {}), code },
      };
    } };
  },
};

// ---- Arrays and plain objects used as registries ----

const arrayRegistry: HolderEntry = {
  id: 'array-registry',
  describes: 'an element of an array the program keeps under a name (`instances.push(this)` never spliced out)',
  recognise(h, path, i) {
    const g = h.g;
    const { from, edge, to } = path[i];
    if (g.edgeType[edge] !== g.edges.element) return null;
    const array = h.ownerOfStore(from);
    if (array < 0 || g.nodeType[array] !== g.types.array && g.name(array) !== 'Array') return null;
    if (!h.hasName(array)) return null;
    return { kind: 'delete-entry', holder: 'array-registry', rank: 1, describe: () => {
      const named = h.containerExpression(array) ?? 'array';
      const index = g.edgeName(edge);
      const item = fallbackName(h, to, 'item');
      const code = `${named}.splice(${named}.indexOf(${item}), 1)`;
      return {
        fix: `Remove it from \`${named}\` when it is closed or disposed: \`${code}\`.`,
        reason: `\`${named}\`${h.at(array)} keeps ${h.display(to)} at index ${index}; an array used as a registry keeps everything pushed into it until it is spliced out.`,
        target: { holder: 'array-registry', node: h.node(array), edge: h.edge(edge), container: h.node(array), expression: named, key: index, code },
      };
    } };
  },
};

const objectRegistry: HolderEntry = {
  id: 'object-registry',
  describes: 'a property of a plain object used as a registry: keyed by a name no code spells (`scheduledJobs["<Anonymous Job 1>"]`), or one of several entries of the same class',
  recognise(h, path, i) {
    const g = h.g;
    const { from, edge, to } = path[i];
    if (g.edgeType[edge] !== g.edges.property || g.name(from) !== 'Object') return null;
    const key = g.edgeName(edge);
    if (key === '__proto__') return null;
    if (IDENTIFIER.test(key) && !sameClassEntries(h, from, to)) return null;
    if (!h.hasName(from)) return null;
    return { kind: 'delete-entry', holder: 'object-registry', rank: 1, describe: () => {
      const named = h.containerExpression(from) ?? 'registry';
      const code = `delete ${member(named, key)}`;
      return {
        fix: `Delete the entry when it is done with: \`${code}\` (or keep the registry in a Map and \`delete\` from it).`,
        reason: `\`${named}\`${h.at(from)} is used as a registry and keeps ${h.display(to)} under the key ${JSON.stringify(key)}; an entry stays until it is deleted.`,
        target: { holder: 'object-registry', node: h.node(from), edge: h.edge(edge), container: h.node(from), expression: named, key: JSON.stringify(key), code },
      };
    } };
  },
};

/** Three or more properties of `obj` hold objects of `to`'s class: a table, not a record. */
function sameClassEntries(h: HolderGraph, obj: number, to: number): boolean {
  const g = h.g;
  const cls = g.nodeName[to];
  let n = 0;
  for (let e = g.firstEdge[obj], end = g.firstEdge[obj + 1]; e < end; e++) {
    if (g.edgeType[e] === g.edges.property && g.nodeName[g.edgeTarget[e]] === cls && ++n >= 3) return true;
  }
  return false;
}

// ---- Promises ----

const promiseReaction: HolderEntry = {
  id: 'promise-reaction',
  describes: 'a pending promise holding its reactions (the callbacks of then/await) until it settles',
  recognise(h, path, i) {
    const g = h.g;
    const { from, edge } = path[i];
    if (g.name(from) !== 'Promise' || !g.edgeNamed(edge, 'reactions_or_result') || !/PromiseReaction/.test(g.name(path[i].to))) return null;
    return { kind: 'dispose', holder: 'promise-reaction', rank: 5, describe: () => ({
      fix: 'Settle the promise (resolve or reject it) or stop waiting on it; a pending promise keeps every then/await callback and what they capture.',
      reason: `A pending Promise${h.at(from)} keeps the reactions registered on it until it settles.`,
      target: { holder: 'promise-reaction', node: h.node(from), edge: h.edge(edge) },
    }) };
  },
};

/** The table, in the order entries are tried. */
export const HOLDERS: readonly HolderEntry[] = [
  eventTarget,
  eventEmitter,
  timer,
  weakMapValue,
  mapOrSetEntry,
  finalizationRegistry,
  arrayRegistry,
  objectRegistry,
  promiseReaction,
];

export function recogniseHolder(h: HolderGraph, path: RawStep[], i: number): HolderMatch | null {
  for (const entry of HOLDERS) {
    const m = entry.recognise(h, path, i);
    if (m) return m;
  }
  return null;
}
