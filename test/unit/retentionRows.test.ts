/**
 * The retention tree's row model (src/webview/retentionRows.ts), without a browser: the rows built from the seed
 * tree's real report (the program test/fixtures/engine/seed-tree.js, snapshotted here), which of them show under
 * the default expansion (golden text, test/unit/golden/seed-tree-rows.txt), and how expanding, collapsing and loaded
 * retainer pages change them.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeapAnalysis } from '../../src/core/analysis';
import type { RetainerEntry, RetentionReport } from '../../src/core/report';
import { parseSnapshotFile } from '../../src/node/snapshotFile';
import { buildRows, canExpand, isExpanded, rowLabel, visibleRows, type Expansion, type Row } from '../../src/webview/retentionRows';
import { ROOT, snapshotDir, type SnapshotDir } from './snapshotPrograms';

const GOLDEN = join(ROOT, 'test/unit/golden/seed-tree-rows.txt');

let snapshots: SnapshotDir;
let analysis: HeapAnalysis;
let report: RetentionReport;

before(async () => {
  snapshots = snapshotDir();
  analysis = HeapAnalysis.fromSnapshot(await parseSnapshotFile(await snapshots.snapshot('seed-tree.js')));
  // The largest Node is leaf12, kept by the registry Map (as in programs.test.ts).
  report = analysis.report(analysis.findByClass('Node')[0].id);
});
after(() => snapshots?.cleanup());

const none = (): Expansion => ({ expanded: new Set(), collapsed: new Set() });

/** The visible rows as text: indented by level, a twistie for expandable rows, ids numbered in order of appearance. */
function outline(rows: Row[], expansion: Expansion): string {
  const ids = new Map<string, string>();
  return visibleRows(rows, expansion).map((r) => {
    const twistie = canExpand(r) ? (isExpanded(r, expansion) ? 'v ' : '> ') : '  ';
    // The global's sizes are Node's own (they change with the Node version), not the program's.
    const label = r.gcRoot ? rowLabel(r).replace(/shallow [^,]+, retained [^,]+/, 'shallow …, retained …') : rowLabel(r);
    return `${'  '.repeat(r.level - 1)}${twistie}${label}`;
  }).join('\n').replace(/@(\d+)/g, (_m, id: string) => {
    if (!ids.has(id)) ids.set(id, `@${ids.size + 1}`);
    return ids.get(id)!;
  }) + '\n';
}

function find(rows: Row[], pred: (r: Row) => boolean): Row | undefined {
  for (const r of rows) {
    if (pred(r)) return r;
    const c = find(r.children, pred);
    if (c) return c;
  }
  return undefined;
}

describe('the retention tree rows of the seed report', () => {
  test('golden text of the rows shown by default', () => {
    const text = outline(buildRows(report, {}), none());
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, text);
    assert.equal(text, readFileSync(GOLDEN, 'utf8'), 'the seed tree rows changed: if that is intended, run with UPDATE_GOLDEN=1 and read the diff');
  });

  test('the path reads from the object to the root: Map entry in Map, .registry in global (the GC root)', () => {
    const rows = buildRows(report, {});
    const paths = rows.find((r) => r.key === 'p')!;
    const entry = paths.children[0];
    assert.equal(entry.kind, 'retainer');
    assert.equal(entry.node!.name, 'Map');
    assert.ok(entry.breakHere, 'the Map entry is where to break');
    const global = entry.children[0];
    assert.match(rowLabel(global), /^\.registry in /);
    assert.ok(global.gcRoot, 'the global row names its GC root');
    assert.equal(paths.children.at(-1)!.kind, 'more', 'and a row to list all retainers');
  });

  test('each cycle ends in a row that points back to the object instead of expanding', () => {
    const rows = buildRows(report, {});
    const cycles = rows.find((r) => r.key === 'c')!;
    assert.equal(cycles.children.length, report.cycles.length);
    for (const head of cycles.children) {
      let last = head;
      while (last.children.length) last = last.children[0];
      assert.equal(last.cycleTo, rows[0], `${head.title}: back to the object row`);
      assert.equal(canExpand(last), false);
    }
  });

  test('collapsing a section hides its rows; expanding a lazy retainer asks for its retainers (a loading row)', () => {
    const rows = buildRows(report, {});
    const all = visibleRows(rows, none());
    const collapsed = visibleRows(rows, { expanded: new Set(), collapsed: new Set(['p']) });
    assert.ok(collapsed.length < all.length);
    assert.ok(!collapsed.some((r) => r.parent?.key === 'p'));

    const global = find(rows, (r) => r.gcRoot !== undefined)!;
    assert.ok(global.lazy && canExpand(global) && !isExpanded(global, none()), 'the root row can be expanded into its own retainers');
    const pending = visibleRows(rows, { expanded: new Set([global.key]), collapsed: new Set(), pending: new Set([global.key]) });
    const after = pending[pending.indexOf(global) + 1];
    assert.deepEqual([after.kind, after.title], ['message', 'Loading retainers…']);
    const failed = visibleRows(rows, { expanded: new Set([global.key]), collapsed: new Set(), errors: new Map([[global.key, 'The snapshot is gone.']]) });
    assert.equal(failed[failed.indexOf(global) + 1].title, 'The snapshot is gone.');
  });

  test('a loaded page of retainers becomes rows, with a "show more" row while some are left', () => {
    const rows0 = buildRows(report, {});
    const map = rows0.find((r) => r.key === 'p')!.children[0];
    const page = analysis.retainers(map.node!.id, 0, 1);
    assert.ok(page.total >= 1);
    const entries: RetainerEntry[] = page.entries;
    const rows = buildRows(report, { [map.key]: { entries, total: entries.length + 2 } });
    const loadedMap = rows.find((r) => r.key === 'p')!.children[0];
    assert.equal(loadedMap.loaded, true);
    const more = loadedMap.children.at(-1)!;
    assert.equal(more.kind, 'more');
    assert.equal(more.title, `Show more retainers (${entries.length} of ${entries.length + 2} shown)`);
    // Once the object's own retainers are all shown, "All retainers of ..." goes.
    const all = analysis.retainers(report.object.id, 0, 50);
    const complete = buildRows(report, { p: { entries: all.entries, total: all.total } });
    const shown = visibleRows(complete, none());
    assert.ok(!shown.some((r) => r.kind === 'more' && r.owner?.key === 'p'));
  });
});
