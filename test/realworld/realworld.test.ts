/**
 * Leaks from the wild: real leaks in real published npm packages, each reported in a public issue and fixed by its
 * maintainers by changing one reference. Both versions are installed from the npm registry under aliases
 * (`leaky-*`, `fixed-*` in package.json). Each driver (test/realworld/drivers/) is a small real program that
 * triggers the leak through the package's public API and writes a heap snapshot.
 *
 * For each case, with the leaking version: the report's `fix` names the reference the maintainers' fix changed, with
 * the right kind, and says what a user needs to find the line that creates it (the holder, the event and listener,
 * the container and key, the timer). With the fixed version, the same driver leaves the object collected: no
 * instance is in the snapshot. The corpus table is test/realworld/README.md.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { HeapAnalysis } from '../../src/core/analysis';
import { formatReport } from '../../src/core/format';
import type { RetentionReport } from '../../src/core/report';
import { parseSnapshotFile } from '../../src/node/snapshotFile';
import { ROOT, runNode, snapshotDir, type SnapshotDir } from '../unit/snapshotPrograms';

const DRIVERS = join(ROOT, 'test/realworld/drivers');

/** The leaked object of a snapshot: its heap id, or null when the snapshot holds none. */
type Finder = (a: HeapAnalysis) => number | null;

interface Case {
  /** package@leaking version -> fixed version */
  title: string;
  driver: string;
  args?: string[];
  leaky: string;
  fixed: string;
  find: Finder;
  /** What the fix must say. */
  expect: {
    kind: string;
    holder: string;
    /** The reference the maintainers' fix changed, as the step the fix points at reads. */
    step: RegExp;
    code: RegExp;
    event?: string;
    /** The listener or timer callback: where it is defined. */
    listenerAt?: RegExp;
    key?: RegExp;
  };
  /** Further checks on the leaking version's report. */
  more?: (r: RetentionReport, a: HeapAnalysis) => void;
}

/** The first instance of a class (an object, not the class's own function). */
function instanceOf(name: string, index = 0): Finder {
  return (a) => {
    const found = a.findByClass(name).filter((n) => n.type === 'object');
    found.sort((x, y) => x.id - y.id);
    return found[index]?.id ?? null;
  };
}

/** The instance of a class whose first path is the longest (in references, folded runs counted in full). */
function deepestInstanceOf(name: string): Finder {
  return (a) => {
    let best: number | null = null;
    let bestLength = -1;
    for (const n of a.findByClass(name).filter((x) => x.type === 'object')) {
      const steps = a.report(n.id, { maxPaths: 1, maxCycles: 0 }).paths[0]?.steps ?? [];
      const length = steps.reduce((k, s) => k + (s.folded?.length ?? 1), 0);
      if (length > bestLength) [best, bestLength] = [n.id, length];
    }
    return best;
  };
}

/** The object at a chain of property names from the first instance of a class. */
function propertyOf(className: string, names: string[]): Finder {
  return (a) => {
    const start = instanceOf(className)(a);
    if (start === null) return null;
    const g = a.graph;
    let o = g.ordinalOfId(start);
    for (const name of names) {
      let next = -1;
      for (let e = g.firstEdge[o]; e < g.firstEdge[o + 1]; e++) {
        if (g.edgeTypeName(e) === 'property' && g.edgeName(e) === name) next = g.edgeTarget[e];
      }
      if (next < 0) return null;
      o = next;
    }
    return g.nodeId[o];
  };
}

const CASES: Case[] = [
  {
    title: 'node-schedule@1.3.3 -> 2.0.0: one-off jobs stay in `scheduledJobs` (object used as a registry)',
    driver: 'nodeSchedule.js', leaky: 'leaky-node-schedule', fixed: 'fixed-node-schedule',
    find: instanceOf('ReportJobPayload'),
    expect: { kind: 'delete-entry', holder: 'object-registry', step: /^\["<Anonymous Job \d+/, code: /^delete scheduledJobs\["<Anonymous Job \d+[^"]*>"\]$/, key: /^"<Anonymous Job \d+/ },
  },
  {
    title: 'p-queue@9.0.0 -> 9.0.1: an abort listener per task on one long-lived AbortSignal (EventTarget)',
    driver: 'pQueue.mjs', leaky: 'leaky-p-queue', fixed: 'fixed-p-queue',
    find: instanceOf('TaskResult'),
    expect: { kind: 'remove-listener', holder: 'event-target', step: /^\.listener$/, code: /^signal\.removeEventListener\("abort", listener\)$/, event: 'abort', listenerAt: /leaky-p-queue\/dist\/index\.js$/ },
    more: (r) => {
      assert.doesNotMatch(r.fix!.fix, /\.delete\(/, 'never the internal listener Map');
      // Held through the module's top-level frame, suspended in an await: a real leak, not the debugger's.
      assert.equal(r.heldOnlyByDebugger, false);
      assert.ok(!r.notes.some((n) => /not a leak in your code/.test(n)), r.notes.join('\n'));
      assert.ok(r.notes.some((n) => /still running or suspended/.test(n)), r.notes.join('\n'));
    },
  },
  {
    title: 'p-queue@9.0.0 -> 9.0.1, the task whose listener is last in the signal\'s list: the run of records folds into one step',
    driver: 'pQueue.mjs', leaky: 'leaky-p-queue', fixed: 'fixed-p-queue',
    find: deepestInstanceOf('TaskResult'),
    expect: { kind: 'remove-listener', holder: 'event-target', step: /^\.listener$/, code: /^signal\.removeEventListener\("abort", listener\)$/, event: 'abort', listenerAt: /leaky-p-queue\/dist\/index\.js$/ },
    more: (r) => {
      const folded = r.paths[0].steps.find((s) => s.folded);
      assert.ok(folded, 'the run of `.next` links is one step');
      assert.equal(folded.label, '4 x Listener .next');
      assert.equal(folded.folded!.length, 4);
      assert.equal(folded.to.id, folded.folded![3].to.id);
      assert.match(formatReport(r), /4 x Listener \.next -> Listener @/);
      assert.match(formatReport(r, { unfold: true }), /4 x Listener \.next -> Listener @\d+.*\n(\s+\.next -> Listener @\d+.*\n){4}/);
    },
  },
  {
    title: 'node-cron@4.2.1 -> 4.3.0: a failed execute() leaves its once(\'execution:finished\') listener (EventEmitter, several)',
    driver: 'nodeCron.js', args: ['3'], leaky: 'leaky-node-cron', fixed: 'fixed-node-cron',
    find: instanceOf('ExportFailure'),
    // Three failures, three listeners: whichever ExportFailure is picked (equal sizes), its own listener's slot.
    expect: { kind: 'remove-listener', holder: 'event-emitter', step: /^\[[0-2]\]$/, code: /^task\.emitter\.off\("execution:finished", onFinished\)$/, event: 'execution:finished', listenerAt: /leaky-node-cron\/dist\/cjs\/tasks\/inline-scheduled-task\.js$/ },
  },
  {
    title: 'node-cron@4.2.1 -> 4.3.0, one failure: the event holds one function, not an array (EventEmitter, one)',
    driver: 'nodeCron.js', args: ['1'], leaky: 'leaky-node-cron', fixed: 'fixed-node-cron',
    find: instanceOf('ExportFailure'),
    expect: { kind: 'remove-listener', holder: 'event-emitter', step: /^\["execution:finished"\]$/, code: /^task\.emitter\.off\("execution:finished", onFinished\)$/, event: 'execution:finished', listenerAt: /inline-scheduled-task\.js$/ },
  },
  {
    title: 'timed-out@3.1.0 -> 3.1.1: a \'connect\' listener per request on a pooled keep-alive socket (held through a live socket)',
    driver: 'timedOut.js', args: ['socket'], leaky: 'leaky-timed-out', fixed: 'fixed-timed-out',
    find: instanceOf('ReusedSocketRequest'),
    expect: { kind: 'remove-listener', holder: 'event-emitter', step: /^\[\d\]$/, code: /^socket\.off\("connect", connect\)$/, event: 'connect', listenerAt: /leaky-timed-out\/index\.js$/ },
  },
  {
    title: 'timed-out@3.1.1 -> 3.1.2: the connect timer of a request on a pooled socket is never cleared (timers)',
    driver: 'timedOut.js', args: ['connect'], leaky: 'leaky-timed-out-timer', fixed: 'fixed-timed-out-timer',
    find: instanceOf('ReusedSocketRequest'),
    expect: { kind: 'clear-timer', holder: 'timer', step: /^\._onTimeout$/, code: /^clearTimeout\(req\.timeoutTimer\)$/, listenerAt: /leaky-timed-out-timer\/index\.js$/ },
    more: (r) => assert.equal(r.fix!.target!.timer!.name, 'Timeout'),
  },
  {
    title: 'pusher-client@0.2.5 -> 1.1.0: every client stays in `Pusher.instances` (array used as a registry)',
    driver: 'pusherClient.js', leaky: 'leaky-pusher-client', fixed: 'fixed-pusher-client',
    find: instanceOf('ChatRoom'),
    expect: { kind: 'delete-entry', holder: 'array-registry', step: /^\[\d\]$/, code: /^Pusher\.instances\.splice\(Pusher\.instances\.indexOf\(pusher\), 1\)$/, key: /^\d$/ },
  },
  {
    title: 'express-form-data@2.0.19 -> 2.0.22: a process-exit handler per request (process listeners, a path from the app\'s server)',
    driver: 'expressFormData.js', leaky: 'leaky-express-form-data', fixed: 'fixed-express-form-data',
    find: instanceOf('IncomingMessage'),
    expect: { kind: 'remove-listener', holder: 'event-emitter', step: /^\[\d\]$/, code: /^emitter\.off\("exit", listener\)$/, event: 'exit', listenerAt: /leaky-express-form-data\/index\.js$/ },
    more: (r) => {
      // The application's own 'request' handler is never what to remove.
      for (const s of [r.fix, ...r.paths.map((p) => p.suggestion)]) assert.notEqual(s?.target?.event, 'request');
    },
  },
  {
    title: 'component-emitter@1.2.1 -> 1.3.0: an empty listener array per event name stays in `_callbacks` (object used as a registry)',
    driver: 'componentEmitter.js', leaky: 'leaky-component-emitter', fixed: 'fixed-component-emitter',
    find: propertyOf('JobQueue', ['_callbacks', '$done-0']),
    expect: { kind: 'delete-entry', holder: 'object-registry', step: /^\["\$done-0"\]$/, code: /^delete queue\._callbacks\["\$done-0"\]$/, key: /^"\$done-0"$/ },
  },
];

let dir: SnapshotDir;
before(() => { dir = snapshotDir(); });
after(() => dir.cleanup());

async function analyse(driver: string, pkg: string, args: string[] = []): Promise<HeapAnalysis> {
  const file = join(dir.dir, `${pkg}-${driver}-${args.join('-')}.heapsnapshot`);
  await runNode([join(DRIVERS, driver), pkg, file, ...args], 60_000);
  return HeapAnalysis.fromSnapshot(await parseSnapshotFile(file));
}

for (const c of CASES) {
  describe(c.title, () => {
    test(`with ${c.leaky}: the fix names the reference the maintainers changed, as ${c.expect.kind}`, async () => {
      const a = await analyse(c.driver, c.leaky, c.args);
      const id = c.find(a);
      assert.ok(id !== null, 'the driver leaked the object');
      const r = a.report(id);
      const text = formatReport(r);
      assert.ok(r.fix, `a single reference frees it:\n${text}`);
      assert.equal(r.fix.kind, c.expect.kind, text);
      const t = r.fix.target;
      assert.ok(t, 'the fix says what it names');
      assert.equal(t.holder, c.expect.holder, text);
      const step = r.paths[r.fix.path].steps[r.fix.step];
      assert.match(step.label ?? step.edge.name, c.expect.step, text);
      assert.match(t.code ?? '', c.expect.code, text);
      assert.ok(r.fix.fix.includes(t.code!), 'the sentence carries the code');
      if (c.expect.event !== undefined) assert.equal(t.event, c.expect.event);
      if (c.expect.listenerAt) {
        assert.ok(t.listener?.location, 'the listener, with where it is defined');
        assert.match(t.listener.location.url, c.expect.listenerAt);
        assert.match(text, new RegExp(`(listener|callback): .*${c.expect.listenerAt.source.replace(/\$$/, '')}:\\d+:\\d+`));
      }
      if (c.expect.key) assert.match(t.key ?? '', c.expect.key);
      assert.ok(t.node.id > 0 && t.edge.name !== undefined, 'the holder and the reference');
      // Never an assignment to something that is not an expression (`object.<Anonymous Job 11> = null`, `[500] = null`).
      assert.doesNotMatch(r.fix.fix, /\.<|`\[\d+\] = null/);
      c.more?.(r, a);
    });

    test(`with ${c.fixed}: the same driver leaves it collected`, async () => {
      const a = await analyse(c.driver, c.fixed, c.args);
      assert.equal(c.find(a), null, 'no such object in the snapshot');
      // And the driver did run: its class is there.
    });
  });
}
