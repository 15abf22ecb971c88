/**
 * retention-explorer/testing: leak checks inside the tests you already have (node:test, Jest, Vitest, Mocha), whose
 * failure says why the object is still alive and which reference to break.
 *
 *   track(obj, label?)                     remember an object, weakly
 *   await assertCollected()                collect garbage; every object tracked since the last check must be gone
 *   await expectCollected(() => obj)       the same in one call: only weak references to what fn returns are kept
 *   await expectNoGrowth(action, { repeat }) the program's own classes must not grow with each run of the action
 *
 * No object is ever taken as a direct argument of a check: the caller's own variable would keep it alive.
 * Everything runs in the test's own process through node:inspector's in-process session (no --expose-gc, no
 * --inspect); a failure throws node:assert's AssertionError whose message is the retention report.
 */
import { AssertionError } from 'node:assert';
import { dirname } from 'node:path';
import { setImmediate as macrotask } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { HeapAnalysis } from '../core/analysis';
import { countClassInstances, groupBySignature, growingClasses, newInstances, pathSignature, type ClassCounts } from '../core/growth';
import { LocationIndex } from '../core/locations';
import { HeapGraph } from '../core/heapGraph';
import type { HeapSnapshot } from '../core/snapshotParser';
import { discountHolders, findMarkedTargets, holdersAt } from '../core/trackedObjects';
import { HeapSession } from './heapSession';
import { collectedFailure, foldAwaitChain, growthFailure, type GrowthSuspect, type LeakedObject } from './messages';
import { callSite, describeObject, describePrimitive, newMarker, TrackedRef } from './tracker';

export interface ExpectCollectedOptions {
  /** Names the object in the failure message ("doc.root"). */
  label?: string;
}

export interface ExpectNoGrowthOptions {
  /** Runs per window (default 10). A class must grow by at least this many instances in each window to fail. */
  repeat?: number;
  /** Runs before the first count, so lazy compilation, caches and one-time setup do not count (default 3). */
  warmup?: number;
  /** Only these classes (names or constructors), wherever they are defined. Default: your program's own classes. */
  classes?: readonly (string | (abstract new (...args: never[]) => unknown))[];
  /** Windows of `repeat` runs that must all grow (default 2: a second window confirms the first). */
  windows?: number;
}

/** This library's own code (its bundle, or its compiled folder): the check's own frames, folded in a report. */
const TOOL_DIR = dirname(__filename);
function isToolLocation(url: string): boolean {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path === __filename || dirname(path) === TOOL_DIR;
}

/**
 * The analysis of a snapshot taken during a check, with the check's own async frames and closures discounted: they
 * hold the test's callbacks only because the check is running (see discountHolders).
 */
function analyzeWithoutTheCheck(snapshot: HeapSnapshot): HeapAnalysis {
  const graph = new HeapGraph(snapshot);
  const locations = new LocationIndex(graph);
  discountHolders(graph, holdersAt(graph, (o) => locations.locate(o), isToolLocation));
  return HeapAnalysis.fromSnapshot(snapshot);
}

// ---------------------------------------------------------------------------------------------------------------
// Runtime check

/** The sentence for a Node this API cannot work on, or null. Exported for its unit test. */
export function unsupportedRuntime(nodeVersion: string, hasWeakRef: boolean): string | null {
  const major = Number(/^v?(\d+)/.exec(nodeVersion)?.[1] ?? 0);
  if (!hasWeakRef || major < 16) {
    return `retention-explorer/testing needs Node 16 or newer (WeakRef and the in-process inspector's garbage collection); this is Node ${nodeVersion}. Run the tests on a current Node (20 or newer).`;
  }
  return null;
}

function checkRuntime(): void {
  const problem = unsupportedRuntime(process.version, typeof WeakRef === 'function');
  if (problem) throw new Error(problem);
}

// ---------------------------------------------------------------------------------------------------------------
// Bookkeeping: weak references only. Unchecked objects are named on exit, so a test that tracks and never asserts
// does not pass in silence; the exit listener exists only while something is pending.

let pending: TrackedRef[] = [];
let exitListener: (() => void) | null = null;

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

function makeRef(obj: object, label: string | undefined, site: string | null): TrackedRef {
  return new TrackedRef(obj, newMarker(), label ?? '', site, describeObject(obj));
}

function armExitWarning(): void {
  if (exitListener) return;
  exitListener = () => {
    if (pending.length === 0) return;
    const names = pending.slice(0, 5).map((r) => `${r.className}${r.label ? ` "${r.label}"` : ''}${r.site ? ` (tracked at ${r.site})` : ''}`);
    const more = pending.length > 5 ? `, and ${pending.length - 5} more` : '';
    process.stderr.write(`retention-explorer/testing: ${pending.length} tracked object${pending.length === 1 ? ' was' : 's were'} never checked: ${names.join('; ')}${more}. ` +
      'Call `await assertCollected()` after dropping your references, or the test checks nothing.\n');
  };
  process.on('exit', exitListener);
}

function disarmExitWarning(): void {
  if (!exitListener) return;
  process.off('exit', exitListener);
  exitListener = null;
}

/** Remembers `obj` weakly until the next `assertCollected()`. */
export function track(obj: object, label?: string): void {
  checkRuntime();
  if (!isObject(obj)) {
    throw new TypeError(`track(${describePrimitive(obj)}): only objects and functions can be tracked. A primitive value is never collected or retained; pass the object you expect to be freed.`);
  }
  if (label !== undefined && typeof label !== 'string') throw new TypeError(`track(obj, label): the label must be a string, not ${describePrimitive(label)}.`);
  pending.push(makeRef(obj, label, callSite(track)));
  armExitWarning();
}

/** Objects tracked and not yet checked (for tests of this library). */
export function pendingCount(): number {
  return pending.length;
}

/**
 * Collects garbage and checks that every object tracked since the last check is gone. On failure, throws an
 * AssertionError whose message is the retention report of each object still alive.
 */
export async function assertCollected(): Promise<void> {
  checkRuntime();
  const frames = callerFrames(assertCollected);
  const refs = pending;
  pending = [];
  disarmExitWarning();
  if (refs.length === 0) {
    throw failure('assertCollected() had nothing to check: no object was tracked since the last check. Call track(obj) first, drop your own references to it, then await assertCollected().', frames);
  }
  await serially(() => checkCollected(refs, 'assertCollected', frames));
}

/**
 * Runs `fn`, which returns the object (or an array of objects) that should be collected afterwards, and checks that
 * it is. Only weak references to them are kept, so nothing of the check's own keeps them alive.
 */
export function expectCollected(fn: () => unknown, options: ExpectCollectedOptions = {}): Promise<void> {
  // Not an async function: its frame ends before the check, so it never holds `fn` (which may capture the object).
  // Misuse still rejects (rather than throws), as an async API should.
  try {
    checkRuntime();
    if (typeof fn !== 'function') {
      throw new TypeError(`expectCollected(fn) takes a function that creates and returns the object, not ${isObject(fn) ? 'the object itself' : describePrimitive(fn)}: ` +
        'a variable of yours holding the object would keep it alive. Write expectCollected(() => createIt()).');
    }
    const refs: TrackedRef[] = [];
    const frames = callerFrames(expectCollected);
    const waiting = runAndTrack(fn, options.label, callSite(expectCollected), refs);
    const check = () => serially(() => checkCollected(refs, 'expectCollected', frames));
    return waiting ? waiting.then(check) : check();
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return isObject(value) && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Calls fn and turns what it returns into weak references, in a plain function: a local of an async function would
 * stay in its suspended frame (V8 keeps the registers) and keep the object alive through the check.
 */
function runAndTrack(fn: () => unknown, label: string | undefined, site: string | null, into: TrackedRef[]): Promise<void> | null {
  const result = fn();
  if (isThenable(result)) return Promise.resolve(result).then((value: unknown) => trackReturned(value, label, site, into));
  trackReturned(result, label, site, into);
  return null;
}

function trackReturned(value: unknown, label: string | undefined, site: string | null, into: TrackedRef[]): void {
  const values = Array.isArray(value) ? value : [value];
  if (!Array.isArray(value) && !isObject(value)) {
    throw new TypeError(`expectCollected(fn): fn returned ${describePrimitive(value)}, not an object. Return the object that should be collected (or an array of them); a primitive value is never collected or retained.`);
  }
  values.forEach((v, i) => {
    if (!isObject(v)) throw new TypeError(`expectCollected(fn): element ${i} of the array fn returned is ${describePrimitive(v)}, not an object. Return only objects; a primitive value is never collected or retained.`);
    into.push(makeRef(v, label ? (values.length > 1 ? `${label}[${i}]` : label) : '', site));
  });
}

// Checks share one inspector; two running at once would interleave their collections and snapshots.
let queue: Promise<unknown> = Promise.resolve();
function serially<T>(work: () => Promise<T>): Promise<T> {
  const run = queue.then(work, work);
  queue = run.catch(() => undefined);
  return run;
}

/** Steps out of the current job: WeakRef creation and deref() keep their target alive until the job ends. */
function nextJob(): Promise<void> {
  return new Promise((resolve) => macrotask(resolve));
}

/** The caller's stack frames, taken when the API is called: by the time a check fails, the caller is not on the stack. */
function callerFrames(api: (...args: never[]) => unknown): string {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, api);
  return (holder.stack ?? '').split('\n').slice(1).join('\n');
}

/**
 * A failure: an AssertionError with operator 'fail', as assert.fail(message) makes (runners that render node's
 * assertion errors, such as Jest, then show the message alone), whose stack is the caller's.
 */
function failure(message: string, frames: string): AssertionError {
  const error = new AssertionError({ message, operator: 'fail' });
  error.stack = `AssertionError [ERR_ASSERTION]: ${message}\n${frames}`;
  return error;
}

async function checkCollected(refs: TrackedRef[], api: string, frames: string): Promise<void> {
  const session = HeapSession.open();
  let message: string | null = null;
  try {
    // V8 runs the collection as a task of its own, after this job: what track() kept for the job is released.
    await session.collectGarbage();
    if (!refs.some((r) => r.deref() !== undefined)) return;
    await nextJob();
    const { snapshot } = await session.takeSnapshot();
    const analysis = analyzeWithoutTheCheck(snapshot);
    const found = findMarkedTargets(analysis.graph, refs.map((r) => r.marker));
    const leaked: LeakedObject[] = [];
    for (const r of refs) {
      const where = found.get(r.marker);
      if (!where || where.target < 0) continue;
      const id = analysis.graph.nodeId[where.target];
      leaked.push({ label: r.label, className: r.className, site: r.site, report: analysis.report(id, { maxPaths: 3, maxCycles: 3 }) });
    }
    if (leaked.length) message = collectedFailure(api, refs.length, leaked, isToolLocation);
  } finally {
    await session.close();
  }
  if (message) throw failure(message, frames);
}

/**
 * Runs `action` `warmup` times, counts the instances of your classes, then runs it `repeat` times per window and
 * counts again after each window. Fails when a class grew by at least `repeat` (one per run) in every window; the
 * message lists the growing classes and their new instances grouped by the path that holds them.
 */
export async function expectNoGrowth(action: () => unknown, options: ExpectNoGrowthOptions = {}): Promise<void> {
  checkRuntime();
  const frames = callerFrames(expectNoGrowth);
  if (typeof action !== 'function') throw new TypeError(`expectNoGrowth(action) takes a function to run repeatedly, not ${describePrimitive(action)}.`);
  const repeat = options.repeat ?? 10;
  const warmup = options.warmup ?? 3;
  const windows = options.windows ?? 2;
  for (const [name, v, min] of [['repeat', repeat, 1], ['warmup', warmup, 0], ['windows', windows, 1]] as const) {
    if (!Number.isInteger(v) || v < min) throw new TypeError(`expectNoGrowth: ${name} must be an integer of at least ${min}, not ${describePrimitive(v)}.`);
  }
  const names = options.classes ? new Set(options.classes.map((c) => (typeof c === 'function' ? c.name : String(c)))) : undefined;
  const run = async (times: number) => {
    for (let i = 0; i < times; i++) {
      const r = action();
      if (isThenable(r)) await r.then(() => undefined);
    }
  };
  await run(warmup);
  const message = await serially(async () => {
    const session = HeapSession.open();
    try {
      const counts: ClassCounts[] = [];
      let last: HeapSnapshot | null = null;
      const count = async (): Promise<void> => {
        last = null;
        await nextJob();
        const { snapshot } = await session.takeSnapshot();
        const graph = new HeapGraph(snapshot);
        counts.push(countClassInstances(graph, new LocationIndex(graph), names));
        last = snapshot;
      };
      await count();
      for (let w = 0; w < windows; w++) {
        await run(repeat);
        await count();
        // Stop early once no class grew in this window: a passing check costs two snapshots.
        if (growingClasses(counts, repeat).length === 0) return null;
      }
      const growth = growingClasses(counts, repeat);
      // Explained on the last window's own snapshot: its counts are what was measured.
      const analysis = analyzeWithoutTheCheck(last!);
      last = null;
      const since = counts[counts.length - 2].maxId;
      const fresh = newInstances(analysis.graph, new Set(growth.map((g) => g.name)), since, 50);
      const suspects: GrowthSuspect[] = growth.slice(0, 5).map((g) => {
        const reports = (fresh.get(g.name) ?? []).map((o) => analysis.report(analysis.graph.nodeId[o], { maxPaths: 1, maxCycles: 0 }));
        const groups = groupBySignature(reports, (r) => (r.paths[0] ? pathSignature(foldAwaitChain(r.paths[0], isToolLocation)) : '(no path from a root)'));
        return { name: g.name, groups: groups.slice(0, 3).map((grp) => ({ signature: grp.signature, count: grp.members.length, example: grp.members[0] })) };
      });
      return growthFailure(growth, repeat, warmup, suspects, isToolLocation);
    } finally {
      await session.close();
    }
  });
  if (message) throw failure(message, frames);
}
