/**
 * Truth against Chrome DevTools: its own heap snapshot worker (npm chrome-devtools-frontend, pinned; bundled for Node
 * by scripts/build.mjs from test/devtools/heapSnapshotWorker.entry.js) loads the same snapshots of real programs,
 * and every node's shallow size, retained size and immediate dominator must equal this engine's. Not a sample:
 * all of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HeapAnalysis } from '../../src/core/analysis';
import { parseSnapshotFile } from '../../src/node/snapshotFile';
import { ROOT, snapshotDir } from './snapshotPrograms';

interface DevToolsSnapshot {
  nodeCount: number;
  nodeFieldCount: number;
  retainedSizes: Float64Array;
  dominatorsTree: Uint32Array;
  createNode(nodeIndex: number): { nodeIndex: number; selfSize(): number; id(): number; name(): string; type(): string };
}

async function loadWithDevTools(file: string): Promise<DevToolsSnapshot> {
  // The bundle is ESM (DevTools uses top-level await); tsc compiles this file to CommonJS, where a plain import()
  // would become require(): the Function keeps it a real dynamic import.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a constant text: a real import() of the ESM bundle
  const load = new Function('url', 'return import(url)') as (url: string) => Promise<{ loadWithDevTools(chunks: AsyncIterable<string>): Promise<DevToolsSnapshot> }>;
  const worker = await load(pathToFileURL(join(ROOT, 'out/test/devtools/heapSnapshotWorker.mjs')).href);
  // DevTools reports the objects it finds unreachable on the console; that is the snapshot, not a failure.
  const warn = console.warn;
  console.warn = () => {};
  try {
    return await worker.loadWithDevTools(createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }));
  } finally {
    console.warn = warn;
  }
}

async function compare(file: string): Promise<{ nodes: number; moved: number }> {
  const devtools = await loadWithDevTools(file);
  const raw = await parseSnapshotFile(file);
  const rawSizes = raw.nodeSelfSize.slice();
  const ours = HeapAnalysis.fromSnapshot(raw);
  assert.equal(ours.nodeCount, devtools.nodeCount);
  const node = devtools.createNode(0);
  const mismatches: string[] = [];
  let moved = 0;
  for (let o = 0; o < ours.nodeCount; o++) {
    node.nodeIndex = o * devtools.nodeFieldCount;
    const self = ours.graph.nodeSelfSize[o];
    if (self !== rawSizes[o]) moved++;
    const what = () => `${node.type()} ${JSON.stringify(node.name().slice(0, 40))} @${node.id()}`;
    if (self !== node.selfSize()) mismatches.push(`${what()}: shallow ${self}, DevTools ${node.selfSize()}`);
    if (ours.retainedSize[o] !== devtools.retainedSizes[o]) mismatches.push(`${what()}: retained ${ours.retainedSize[o]}, DevTools ${devtools.retainedSizes[o]}`);
    if (ours.dominator[o] !== devtools.dominatorsTree[o]) mismatches.push(`${what()}: dominator ordinal ${ours.dominator[o]}, DevTools ${devtools.dominatorsTree[o]}`);
  }
  assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} differences from DevTools in ${file}`);
  return { nodes: ours.nodeCount, moved };
}

test('every node of real programs\' snapshots: shallow size, retained size and dominator equal Chrome DevTools\' own', async (t) => {
  const snapshots = snapshotDir();
  t.after(() => snapshots.cleanup());
  for (const fixture of ['library-mix.js', 'listener-leak.js', 'weakmap-cache.js', 'weakref-cycle.js', 'seed-tree.js']) {
    const { nodes, moved } = await compare(await snapshots.snapshot(fixture));
    // The backing stores did move: without DevTools' rule these snapshots differ in thousands of nodes.
    assert.ok(moved > 1000, `${fixture}: ${moved} of ${nodes} shallow sizes moved to their owners`);
  }
});
