/**
 * Real snapshots of real Node programs (test/fixtures/engine/*.js), each started here and awaited, analysed with
 * HeapAnalysis and with the `retention` command line, asserting what a user reads: the steps of the paths from the
 * roots, the cycles, the reference to break and the fix, source locations, the JSON report's shape, the summary and
 * the command line's errors. Plus a golden text of the seed tree's report (test/unit/golden/seed-tree.txt;
 * regenerate with UPDATE_GOLDEN=1 and read the diff before committing it).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HeapAnalysis } from '../../src/core/analysis';
import { formatReport } from '../../src/core/format';
import type { ReportNode, RetentionReport, Step } from '../../src/core/report';
import { parseSnapshotFile } from '../../src/node/snapshotFile';
import { main } from '../../src/cli/main';
import { EDGE_TYPES } from './graphBuilder';
import { ENGINE_FIXTURES, ROOT, snapshotDir, type SnapshotDir } from './snapshotPrograms';

const GOLDEN = join(ROOT, 'test/unit/golden/seed-tree.txt');

/** 1-based line of the first occurrence of `needle` in a fixture. */
function lineOf(fixture: string, needle: string): number {
  const source = readFileSync(join(ENGINE_FIXTURES, fixture), 'utf8');
  const at = source.indexOf(needle);
  assert.ok(at >= 0, `${needle} in ${fixture}`);
  return source.slice(0, at).split('\n').length;
}

function labels(steps: Step[]): string[] {
  return steps.map((s) => s.label ?? s.edge.name);
}

/** The string a named property of object @id holds (the seed tree's `data`, a Request's `url`). */
function stringProperty(a: HeapAnalysis, id: number, name: string): string | null {
  const g = a.graph;
  const o = g.ordinalOfId(id);
  for (let e = g.firstEdge[o]; e < g.firstEdge[o + 1]; e++) {
    if (g.edgeTypeName(e) === 'property' && g.edgeName(e) === name) return g.name(g.edgeTarget[e]);
  }
  return null;
}

function assertFixtureLocation(node: ReportNode, fixture: string, line: number): void {
  assert.ok(node.location, `${node.name} @${node.id} has a location`);
  assert.ok(node.location.url.endsWith(`/test/fixtures/engine/${fixture}`), `${node.location.url} is the fixture ${fixture}`);
  assert.equal(node.location.line, line, `${node.name} @${node.id} is at ${fixture}:${line}`);
  assert.ok(node.location.column >= 1, 'columns are 1-based');
}

interface CliResult { code: number; out: string; err: string }

async function cli(...argv: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    out: { write: (s: string) => { out += s; return true; } } as unknown as NodeJS.WritableStream,
    err: { write: (s: string) => { err += s; return true; } } as unknown as NodeJS.WritableStream,
  });
  return { code, out, err };
}

/** The installed bin, as a user runs it (needs the esbuild bundle, dist/cli.js, that the build makes). */
function bin(...argv: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/retention.js'), ...argv], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), out, err });
    });
  });
}

const FIXTURES = ['seed-tree.js', 'listener-leak.js', 'weakref-cycle.js', 'weakmap-cache.js'] as const;
type Fixture = (typeof FIXTURES)[number];

let snapshots: SnapshotDir;
const files = new Map<Fixture, string>();
const analyses = new Map<Fixture, HeapAnalysis>();

before(async () => {
  snapshots = snapshotDir();
  // Two at a time: this machine has two cores.
  for (let i = 0; i < FIXTURES.length; i += 2) {
    await Promise.all(FIXTURES.slice(i, i + 2).map(async (f) => files.set(f, await snapshots.snapshot(f, { name: f.replace('.js', '') }))));
  }
  for (const f of FIXTURES) analyses.set(f, HeapAnalysis.fromSnapshot(await parseSnapshotFile(files.get(f)!)));
});
after(() => snapshots?.cleanup());

/** The one instance of a class (asserting there is exactly one). */
function only(a: HeapAnalysis, name: string): ReportNode {
  const found = a.findByClass(name);
  assert.equal(found.length, 1, `one ${name}: ${found.map((n) => n.id).join(', ')}`);
  return found[0];
}

describe('(a) the seed\'s tree, one leaf kept by a long-lived Map', () => {
  let a: HeapAnalysis;
  let leaf12: ReportNode;
  let report: RetentionReport;
  before(() => {
    a = analyses.get('seed-tree.js')!;
    const nodes = a.findByClass('Node');
    assert.equal(nodes.length, 5, 'root, leaf1, leaf2, leaf11, leaf12');
    leaf12 = nodes[0];
    report = a.report(leaf12.id);
  });

  test('the largest Node is leaf12: it keeps the whole tree', () => {
    const nodes = a.findByClass('Node');
    assert.equal(stringProperty(a, leaf12.id, 'data'), 'leaf12');
    assert.deepEqual(nodes.map((n) => stringProperty(a, n.id, 'data')).sort(), ['leaf1', 'leaf11', 'leaf12', 'leaf2', 'root']);
    // Every other Node is dominated by leaf12: the registry entry is the only way in.
    const g = a.graph;
    const leafOrdinal = g.ordinalOfId(leaf12.id);
    for (const n of nodes.slice(1)) {
      let d = g.ordinalOfId(n.id);
      while (d !== g.rootOrdinal && d !== leafOrdinal) d = a.dominator[d];
      assert.equal(d, leafOrdinal, `${stringProperty(a, n.id, 'data')} is dominated by leaf12`);
    }
    assert.ok(report.object.retainedSize >= nodes.reduce((s, n) => s + (n.selfSize ?? 0), 0), 'leaf12 retains at least the five Nodes');
  });

  test('why it is alive: global .registry -> Map entry -> leaf12, the one path', () => {
    assert.equal(report.paths.length, 1);
    const [path] = report.paths;
    assert.deepEqual(labels(path.steps), ['.registry', 'Map entry']);
    assert.equal(path.steps[0].from.name, 'global');
    assert.equal(path.steps[0].to.name, 'Map');
    assert.equal(path.steps[1].to.id, leaf12.id);
    assert.equal(path.system, false);
    assert.equal(report.object.distance, 4, 'global 1, Map 2, its table 3, the leaf 4');
    assert.equal(report.heldOnlyBySystem, false);
  });

  test('what to break: delete the registry entry', () => {
    assert.ok(report.fix, 'one reference frees it');
    assert.equal(report.fix.kind, 'delete-entry');
    assert.equal(report.fix.path, 0);
    assert.equal(report.fix.step, 1, 'the Map entry step');
    assert.match(report.fix.fix, /`registry\.delete\("leaf\d+"\)`/, "the entry named by its key");
    assert.match(report.fix.reason, /A long-lived Map `registry`/);
  });

  test('its cycles: .parent -> leaf1 .last -> leaf12 and .prev -> leaf11 .next -> leaf12, each broken by a WeakRef', () => {
    assert.equal(report.cycles.length, 2);
    const [up, sideways] = report.cycles;
    assert.deepEqual(labels(up.steps), ['.parent', '.last']);
    assert.equal(stringProperty(a, up.steps[0].to.id, 'data'), 'leaf1');
    assert.deepEqual(labels(sideways.steps), ['.prev', '.next']);
    assert.equal(stringProperty(a, sideways.steps[0].to.id, 'data'), 'leaf11');
    for (const c of report.cycles) {
      assert.equal(c.steps[0].from.id, leaf12.id);
      assert.equal(c.steps.at(-1)!.to.id, leaf12.id);
    }
    assert.deepEqual(up.suggestion && { kind: up.suggestion.kind, step: up.suggestion.step }, { kind: 'weak-ref', step: 0 });
    assert.match(up.suggestion!.fix, /Make `parent` weak: `this\.parent = new WeakRef\(parent\)`/);
    assert.match(up.suggestion!.reason, /`parent` on Node \(engine\/seed-tree\.js:\d+\) is a back-reference/);
    assert.deepEqual(sideways.suggestion && { kind: sideways.suggestion.kind, step: sideways.suggestion.step }, { kind: 'weak-ref', step: 0 });
    assert.match(sideways.suggestion!.fix, /Make `prev` weak/);
    assert.equal(report.componentSize, 5, 'the five Nodes reach each other');
  });

  test('locations: every Node points at the constructor of class Node in the fixture', () => {
    const line = lineOf('seed-tree.js', 'constructor(parent, data)');
    assertFixtureLocation(report.object, 'seed-tree.js', line);
    for (const c of report.cycles) for (const s of c.steps) assertFixtureLocation(s.to, 'seed-tree.js', line);
    assert.equal(report.object.location!.origin, 'constructor');
  });

  test('golden text of the report (ids and absolute paths normalised)', () => {
    const ids = new Map<string, string>();
    const text = formatReport(report)
      .replace(/@(\d+)/g, (_m, id: string) => {
        if (!ids.has(id)) ids.set(id, `@${ids.size + 1}`);
        return ids.get(id)!;
      })
      .split(ENGINE_FIXTURES).join('<fixtures>');
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync(join(ROOT, 'test/unit/golden'), { recursive: true });
      writeFileSync(GOLDEN, text);
    }
    assert.equal(text, readFileSync(GOLDEN, 'utf8'), 'the seed tree report changed: if that is intended, run with UPDATE_GOLDEN=1 and read the diff');
  });
});

describe('(b) a listener leak: a disposed widget kept by its bus', () => {
  let a: HeapAnalysis;
  let widget: ReportNode;
  let report: RetentionReport;
  before(() => {
    a = analyses.get('listener-leak.js')!;
    widget = only(a, 'Widget');
    report = a.report(widget.id);
  });

  test('why it is alive: global .bus ._events .data -> the arrow function, which captures `this`', () => {
    assert.equal(report.paths.length, 1);
    const steps = report.paths[0].steps;
    assert.deepEqual(labels(steps), ['.bus', '._events', '.data', 'closure captures `this`']);
    assert.equal(steps[0].from.name, 'global');
    assert.equal(steps[0].to.name, 'EventEmitter');
    assert.equal(steps[2].to.type, 'closure');
    assert.equal(steps[3].edge.type, 'context');
    assert.equal(steps[3].edge.name, 'this');
    assert.equal(steps[3].via?.[0]?.name, 'system / Context', 'the closure\'s context is folded into the step');
    assert.equal(steps[3].to.id, widget.id);
    assertFixtureLocation(steps[2].to, 'listener-leak.js', lineOf('listener-leak.js', 'this.onData = (chunk) =>'));
    assert.equal(stringProperty(a, widget.id, 'name'), 'sales');
  });

  test('what to break: remove the listener, named as the program names it', () => {
    assert.ok(report.fix);
    assert.equal(report.fix.kind, 'remove-listener');
    assert.equal(report.fix.step, 2, 'the `.data` listener slot');
    assert.match(report.fix.fix, /`bus\.off\("data", widget\.onData\)`/);
    assert.match(report.fix.fix, /AbortController/);
    assert.match(report.fix.reason, /is registered as a 'data' listener on EventEmitter `bus`/);
  });

  test('its cycle: .onData -> the closure, which captures `this`; the fix is still the listener', () => {
    assert.equal(report.cycles.length, 1);
    assert.deepEqual(labels(report.cycles[0].steps), ['.onData', 'closure captures `this`']);
    assert.equal(report.cycles[0].suggestion?.kind, 'remove-listener');
    assert.equal(report.componentSize, 3, 'widget, closure, context');
  });

  test('the widget points at its constructor', () => {
    assertFixtureLocation(report.object, 'listener-leak.js', lineOf('listener-leak.js', 'constructor(bus, name)'));
    assert.equal(report.object.allocationStack, undefined, 'no allocation stack without allocation tracking');
  });

  test('with a second, live widget on the same event: through the listener array, and still the listener to remove', async () => {
    const two = HeapAnalysis.fromSnapshot(await parseSnapshotFile(await snapshots.snapshot('listener-leak.js', { name: 'two', args: ['two'] })));
    const widgets = two.findByClass('Widget');
    assert.equal(widgets.length, 2);
    const leaked = widgets.find((w) => stringProperty(two, w.id, 'name') === 'sales')!;
    const r = two.report(leaked.id);
    assert.deepEqual(r.paths.map((p) => labels(p.steps)), [['.bus', '._events', '.data', '[0]', 'closure captures `this`']]);
    assert.equal(r.paths[0].steps[2].to.name, 'Array');
    assert.equal(r.paths[0].steps[3].edge.type, 'element', 'the array\'s own element, not its backing store\'s shadow copy');
    assert.equal(r.fix?.kind, 'remove-listener');
    assert.equal(r.fix.step, 3);
    assert.match(r.fix.fix, /`bus\.off\("data", widget\.onData\)`/);
    // The open widget is held by its global as well as by the bus: two distinct paths, and no single reference frees
    // it (clearing `openWidget` alone would leave it to the bus). The bus path's shortest way to the widget's closure
    // scope runs through the widget itself (widget.onData), so it has to be found avoiding the widget.
    const open = two.report(widgets.find((w) => w !== leaked)!.id);
    assert.deepEqual(open.paths.map((p) => labels(p.steps)), [
      ['.openWidget'],
      ['.bus', '._events', '.data', '[1]', 'closure captures `this`'],
    ]);
    assert.equal(open.fix, null);
  });

  test('with allocation tracking, the widget carries the stack that allocated it', async () => {
    const tracked = HeapAnalysis.fromSnapshot(await parseSnapshotFile(await snapshots.snapshot('listener-leak.js', { name: 'tracked', nodeArgs: ['--track-heap-objects'] })));
    const r = tracked.report(only(tracked, 'Widget').id);
    const stack = r.object.allocationStack;
    assert.ok(stack && stack.length >= 2, 'an allocation stack');
    // Innermost first: the function that ran `new Widget(...)`, then the module's top level that called it.
    assert.ok(stack[0].url.endsWith('/test/fixtures/engine/listener-leak.js'), stack[0].url);
    assert.deepEqual([stack[0].line, stack[0].origin], [lineOf('listener-leak.js', 'function openAndClose()'), 'allocation']);
    assert.ok(stack[1].url.endsWith('/test/fixtures/engine/listener-leak.js'), stack[1].url);
    assert.match(formatReport(r), /\n {2}allocated at:\n {4}\S+\/listener-leak\.js:\d+:\d+\n/);
  });
});

describe('(c) a parent/child cycle whose back-reference is a WeakRef', () => {
  let a: HeapAnalysis;
  let parent: ReportNode;
  let report: RetentionReport;
  before(() => {
    a = analyses.get('weakref-cycle.js')!;
    parent = only(a, 'Parent');
    report = a.report(parent.id);
  });

  test('the snapshot does hold the way back, as a weak edge from the WeakRef', () => {
    const g = a.graph;
    const p = g.ordinalOfId(parent.id);
    const weakRefs = g.retainersOf([p]).get(p)!.filter(({ from }) => g.name(from) === 'WeakRef');
    assert.equal(weakRefs.length, 1);
    assert.equal(g.edgeTypeName(weakRefs[0].edge), 'weak');
  });

  test('no cycle of the user\'s own: the weak edge does not count, and the report says why', () => {
    assert.equal(report.cycles.length, 0);
    assert.equal(report.componentSize, 1);
    assert.ok(report.notes.some((n) => /^A weak reference closes a cycle back to it \(\.child \.parentRef weak \w+\): WeakRef @\d+ holds it weakly, so that cycle does not keep it alive\.$/.test(n)), report.notes.join('\n'));
    assert.ok(report.notes.includes('The object is not part of any cycle of your own references.'));
  });

  test('why it is alive: the global .holder, which is what to clear', () => {
    assert.deepEqual(report.paths.map((p) => labels(p.steps)), [['.holder']]);
    assert.equal(report.fix?.kind, 'dispose');
    assert.match(report.fix.fix, /holder = null/);
    assertFixtureLocation(report.object, 'weakref-cycle.js', lineOf('weakref-cycle.js', 'constructor(name)'));
  });

  test('the child is held through .child only, and is in no cycle either', () => {
    const child = only(a, 'Child');
    const r = a.report(child.id);
    assert.deepEqual(r.paths.map((p) => labels(p.steps)), [['.holder', '.child']]);
    assert.equal(r.cycles.length, 0);
    assertFixtureLocation(r.object, 'weakref-cycle.js', lineOf('weakref-cycle.js', 'constructor(parent)'));
  });
});

describe('(d) a WeakMap cache whose value is kept by a live key', () => {
  let a: HeapAnalysis;
  let value: ReportNode;
  let report: RetentionReport;
  before(() => {
    a = analyses.get('weakmap-cache.js')!;
    value = only(a, 'CachedResponse'); // the value of the dropped key is gone
    report = a.report(value.id);
  });

  test('the live key\'s value stays; the dropped key\'s value was collected', () => {
    assert.equal(stringProperty(a, value.id, 'body'), '/LIVE');
    assert.deepEqual(a.findByClass('Request').map((r) => stringProperty(a, r.id, 'url')), ['/live']);
  });

  test('why it is alive: the key holds it, and the WeakMap\'s entry holds it while the key lives', () => {
    assert.deepEqual(report.paths.map((p) => labels(p.steps)), [
      ['.liveRequest', 'WeakMap value kept by this key'],
      ['.cache', 'WeakMap entry (alive while its key is)'],
    ]);
    assert.equal(report.paths[0].steps[0].to.name, 'Request');
    assert.equal(report.paths[1].steps[0].to.name, 'WeakMap');
    for (const p of report.paths) assert.equal(p.steps.at(-1)!.edge.type, 'internal');
  });

  test('what to break: release the key or delete the entry', () => {
    assert.ok(report.fix);
    assert.equal(report.fix.kind, 'delete-entry');
    assert.deepEqual([report.fix.path, report.fix.step], [0, 1]);
    assert.match(report.fix.fix, /Release the key \(liveRequest = null\) or delete the entry \(`weakMap\.delete\(key\)`\)/);
    assert.match(report.fix.reason, /is a WeakMap value, and its key Request @\d+ is still reachable/);
    assert.equal(report.cycles.length, 0);
  });

  test('locations: the value and its key point at their constructors', () => {
    assertFixtureLocation(report.object, 'weakmap-cache.js', lineOf('weakmap-cache.js', 'constructor(body)'));
    assertFixtureLocation(report.paths[0].steps[0].to, 'weakmap-cache.js', lineOf('weakmap-cache.js', 'constructor(url)'));
  });
});

// ---- The command line ----

function assertNodeShape(n: unknown, what: string): void {
  assert.ok(n && typeof n === 'object', what);
  const node = n as Record<string, unknown>;
  assert.equal(typeof node.id, 'number', `${what}.id`);
  assert.equal(typeof node.type, 'string', `${what}.type`);
  assert.equal(typeof node.name, 'string', `${what}.name`);
  if (node.location !== null) {
    const loc = node.location as Record<string, unknown>;
    assert.equal(typeof loc.url, 'string', `${what}.location.url`);
    assert.ok(Number.isInteger(loc.line) && (loc.line as number) >= 1, `${what}.location.line is 1-based`);
    assert.ok(Number.isInteger(loc.column) && (loc.column as number) >= 1, `${what}.location.column is 1-based`);
  }
}

function assertStepShape(s: unknown, what: string): void {
  const step = s as Record<string, unknown>;
  assertNodeShape(step.from, `${what}.from`);
  assertNodeShape(step.to, `${what}.to`);
  const edge = step.edge as Record<string, unknown>;
  assert.ok((EDGE_TYPES as readonly string[]).includes(edge.type as string), `${what}.edge.type is a V8 edge type: ${String(edge.type)}`);
  assert.equal(typeof edge.name, 'string', `${what}.edge.name`);
}

describe('the retention command line', () => {
  test('analyze --id --json: the documented shape, the same report as the engine gives', async () => {
    const a = analyses.get('seed-tree.js')!;
    const [leaf12] = a.findByClass('Node');
    const r = await cli('analyze', files.get('seed-tree.js')!, '--id', String(leaf12.id), '--json');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    type Sited = { site?: unknown; sites?: unknown };
    const json = JSON.parse(r.out) as {
      object: Record<string, unknown>; paths: { steps: unknown[]; suggestion?: Sited | null }[];
      cycles: { steps: Step[]; suggestion: ({ step: number; fix: string; reason: string } & Sited) | null }[]; fix?: Sited | null;
    };
    assertNodeShape(json.object, 'object');
    for (const k of ['selfSize', 'retainedSize', 'distance']) assert.equal(typeof json.object[k], 'number', `object.${k}`);
    assert.equal(json.object.heldBy, 'program', 'object.heldBy: who holds it (README contract)');
    assert.equal(json.object.id, leaf12.id);
    assert.ok(Array.isArray(json.paths) && json.paths.length > 0);
    json.paths.forEach((p, i) => {
      p.steps.forEach((s, k) => assertStepShape(s, `paths[${i}].steps[${k}]`));
      assert.equal((p.steps.at(-1) as Step).to.id, leaf12.id, `paths[${i}] ends at the object`);
    });
    assert.ok(Array.isArray(json.cycles) && json.cycles.length === 2);
    json.cycles.forEach((c, i) => {
      c.steps.forEach((s, k) => assertStepShape(s, `cycles[${i}].steps[${k}]`));
      assert.equal(c.steps[0].from.id, leaf12.id, `cycles[${i}] starts at the object`);
      assert.equal(c.steps.at(-1)!.to.id, leaf12.id, `cycles[${i}] ends at the object`);
      assert.ok(c.suggestion === null || (Number.isInteger(c.suggestion.step) && typeof c.suggestion.fix === 'string' && typeof c.suggestion.reason === 'string'));
    });
    // The engine's report, plus the line that creates each fix's reference, read from the script on disk.
    // Each cycle breaks a back-reference (`.parent`, `.prev`): its site is the `this.parent = ` / `this.prev = `
    // assignment that makes it (the first one that stores a node, not null).
    for (const c of json.cycles as { steps: Step[]; suggestion: { step: number; site?: { url: string; line: number } } }[]) {
      const name = c.steps[c.suggestion.step].edge.name;
      const site = c.suggestion.site;
      assert.ok(site && site.url.endsWith('seed-tree.js'), `a site in seed-tree.js: ${JSON.stringify(site)}`);
      assert.equal(site.line, lineOf('seed-tree.js', name === 'parent' ? 'this.parent = parent;' : `this.${name} = parent.`), `the site of .${name}`);
    }
    const strip = (s: { site?: unknown; sites?: unknown } | null | undefined) => { if (s) { delete s.site; delete s.sites; } };
    for (const c of json.cycles) strip(c.suggestion);
    for (const p of json.paths) strip(p.suggestion);
    strip(json.fix);
    assert.deepEqual(json, JSON.parse(JSON.stringify(a.report(leaf12.id))));
    // `@123` as DevTools writes ids is accepted too.
    const at = await cli('analyze', files.get('seed-tree.js')!, `--id=@${leaf12.id}`);
    assert.equal(at.code, 0, at.err);
    assert.match(at.out, new RegExp(`^Node @${leaf12.id} \\(object\\)  \\S+/test/fixtures/engine/seed-tree\\.js:\\d+:\\d+\\n`));
  });

  test('analyze --class NAME --index K picks the K-th largest instance and says which', async () => {
    const a = analyses.get('seed-tree.js')!;
    const nodes = a.findByClass('Node');
    const second = await cli('analyze', files.get('seed-tree.js')!, '--class', 'Node', '--index', '2');
    assert.equal(second.code, 0, second.err);
    assert.ok(second.out.startsWith(`Node @${nodes[1].id} (object)`), second.out.split('\n')[0]);
    assert.match(second.err, /^5 instances of Node; showing #2 by retained size\. Others: #1 Node @\d+ \(/);
    const json = await cli('analyze', files.get('listener-leak.js')!, '--class', 'Widget', '--json');
    assert.equal(json.code, 0, json.err);
    assert.equal((JSON.parse(json.out) as RetentionReport).object.name, 'Widget');
    const tooFar = await cli('analyze', files.get('seed-tree.js')!, '--class', 'Node', '--index', '9');
    assert.deepEqual([tooFar.code, tooFar.out, tooFar.err], [1, '', 'There are 5 instances of Node (--index 1..5).\n']);
    const none = await cli('analyze', files.get('seed-tree.js')!, '--class', 'NoSuchClass');
    assert.equal(none.code, 1);
    assert.match(none.err, /^No object of class NoSuchClass is in this snapshot\. `retention summary FILE` lists the classes it holds\.\n$/);
  });

  test('--paths and --cycles bound the lists; 0 means none (or is refused as a usage error)', async () => {
    const file = files.get('weakmap-cache.js')!;
    const one = await cli('analyze', file, '--class', 'CachedResponse', '--paths', '1', '--json');
    assert.equal(one.code, 0, one.err);
    assert.equal((JSON.parse(one.out) as RetentionReport).paths.length, 1, 'of the two paths, one');
    const tree = await cli('analyze', files.get('seed-tree.js')!, '--class', 'Node', '--cycles', '1', '--json');
    assert.equal((JSON.parse(tree.out) as RetentionReport).cycles.length, 1, 'of the two cycles, one');
    for (const flag of ['--paths', '--cycles']) {
      const zero = await cli('analyze', files.get('seed-tree.js')!, '--class', 'Node', flag, '0', '--json');
      if (zero.code === 2) assert.match(zero.err, new RegExp(`^${flag}`));
      else {
        assert.equal(zero.code, 0, zero.err);
        const r = JSON.parse(zero.out) as RetentionReport;
        assert.equal(flag === '--paths' ? r.paths.length : r.cycles.length, 0, `${flag} 0 lists none`);
      }
    }
  });

  test('summary lists the program\'s own classes with their counts', async () => {
    const tree = await cli('summary', files.get('seed-tree.js')!);
    assert.equal(tree.code, 0, tree.err);
    assert.match(tree.out, /^\d+ objects, \d+ references, [\d.]+ [KM]?B\n\nLargest retainers:\n/);
    const classLines = tree.out.slice(tree.out.indexOf('\nClasses')).split('\n').slice(2).filter(Boolean);
    const nodeLine = classLines.find((l) => /^ +\d+ +[\d.]+ [KM]?B +[\d.]+ [KM]?B {2}Node {2}/.test(l));
    assert.ok(nodeLine, `the class Node is listed; the ${classLines.length} classes listed are: ${classLines.map((l) => l.split('  ').filter(Boolean)[3]).join(', ')}`);
    assert.match(nodeLine, /^ +5 +[\d.]+ [KM]?B +[\d.]+ [KM]?B {2}Node {2}@\d+ @\d+ @\d+$/, 'Node: 5 instances, the ids of the 3 largest');
    const leak = await cli('summary', files.get('listener-leak.js')!, '--json');
    assert.equal(leak.code, 0, leak.err);
    const { classes } = JSON.parse(leak.out) as { classes: { name: string; count: number; topIds: number[] }[] };
    const widget = classes.find((c) => c.name === 'Widget');
    assert.ok(widget, `Widget is among the summary's classes: ${classes.map((c) => c.name).join(', ')}`);
    assert.equal(widget.count, 1);
    assert.deepEqual(widget.topIds, [only(analyses.get('listener-leak.js')!, 'Widget').id]);
  });

  test('errors: an unknown id, a missing file, a truncated file (exit 1, one sentence); bad flags (exit 2)', async () => {
    const file = files.get('weakref-cycle.js')!;
    const unknown = await cli('analyze', file, '--id', '999999999');
    assert.deepEqual([unknown.code, unknown.out], [1, '']);
    assert.match(unknown.err, /^There is no object with heap id @999999999 in this snapshot\. [^\n]*\n$/);

    const missing = join(snapshots.dir, 'nope.heapsnapshot');
    const gone = await cli('analyze', missing, '--id', '1');
    assert.deepEqual([gone.code, gone.out, gone.err], [1, '', `There is no file at ${missing}.\n`]);

    const bytes = readFileSync(file);
    const cut = Math.floor(bytes.length / 2);
    const truncated = join(snapshots.dir, 'truncated.heapsnapshot');
    writeFileSync(truncated, bytes.subarray(0, cut));
    const t = await cli('summary', truncated);
    assert.equal(t.code, 1);
    assert.match(t.err, new RegExp(`^The snapshot ends early at byte ${cut} inside "\\w+"[^\\n]*: the file or stream is truncated\\. Take the snapshot again\\.\\n$`));

    const usage = /\n\nUsage:\n {2}retention analyze/;
    for (const [argv, message] of [
      [['analyze', file, '--id', '1', '--bogus'], /^Unknown option --bogus\./],
      [['analyze', file], /^Say which object: --id N/],
      [['analyze', file, '--id', 'abc'], /^--id must be a heap object id like 12345 or @12345, not "abc"\./],
      [['analyze', file, '--class', 'Parent', '--index', '-1'], /^--index must be a whole number, not "-1"\./],
      [['analyze', file, '--id'], /^--id needs a value\./],
      [['analyse', file], /^Unknown command "analyse"\./],
      [['summary'], /^Name the \.heapsnapshot file to read\./],
    ] as [string[], RegExp][]) {
      const r = await cli(...argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
      assert.equal(r.out, '');
      assert.match(r.err, message);
      assert.match(r.err, usage);
    }
    const bare = await cli();
    assert.equal(bare.code, 2);
    assert.match(bare.out, /^Usage:/);
  });

  test('a directory given as the snapshot: exit 1 and a sentence naming it, not an errno code', async () => {
    const r = await cli('summary', snapshots.dir);
    assert.deepEqual([r.code, r.out], [1, '']);
    assert.ok(r.err.includes(snapshots.dir), `names the path: ${r.err}`);
    assert.doesNotMatch(r.err, /^E[A-Z]+:/, 'not a raw errno message');
    assert.match(r.err, /\.\n$/);
  });

  test('the bin, as a user runs it: exit codes and output', async () => {
    const a = analyses.get('weakref-cycle.js')!;
    const parent = only(a, 'Parent');
    const ok = await bin('analyze', files.get('weakref-cycle.js')!, '--id', String(parent.id));
    assert.equal(ok.code, 0, ok.err);
    assert.ok(ok.out.startsWith(`Parent @${parent.id} (object)`), ok.out);
    assert.match(ok.out, /\nCycles through it: none of your own references\.\n$/);
    const bad = await bin('analyze', join(snapshots.dir, 'nope.heapsnapshot'), '--id', '1');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^There is no file at /);
    const usage = await bin('analyze');
    assert.equal(usage.code, 2);
  });
});
