// A child process for `npm run bench -- --testing`: a test process with a ~N MB heap (a doubly linked tree whose
// nodes hold listener closures, some registered on an emitter) runs retention-explorer/testing's checks on itself
// with plain `node` (no --expose-gc, no --inspect) and prints their times as one JSON line.
//   node bench/testingTarget.js HEAP_MB SNAPSHOT_FILE
'use strict';
const v8 = require('node:v8');
const { rmSync } = require('node:fs');
const { EventEmitter } = require('node:events');
const { expectCollected, expectNoGrowth } = require('../dist/testing.js');

const heapMB = Number(process.argv[2]);
const file = process.argv[3];

class TreeNode {
  constructor(parent, label) {
    this.parent = parent;
    this.children = [];
    this.label = label;
    this.payload = [label, label * 2];
    this.onTick = () => { this.seen = (this.seen || 0) + 1; };
    if (parent) parent.children.push(this);
  }
}

const bus = new EventEmitter();
bus.setMaxListeners(0);
const root = new TreeNode(null, 0);
const level = [root];
let head = 0;
let made = 1;
while (process.memoryUsage().heapUsed < heapMB * 1024 * 1024) {
  for (let k = 0; k < 500; k++) {
    const parent = level[head++];
    for (let i = 0; i < 8; i++) {
      const child = new TreeNode(parent, made++);
      if (made % 16 === 0) bus.on('tick', child.onTick);
      level.push(child);
    }
  }
}
level.length = 0;
globalThis.benchRoot = root;

/** Wall time, and this process's CPU time (what the machine's load does not change much). */
async function time(fn) {
  const t = performance.now();
  const cpu = process.cpuUsage();
  let error = null;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000, error };
}

(async () => {
  const heapUsed = process.memoryUsage().heapUsed;
  const write = await time(() => v8.writeHeapSnapshot(file));
  rmSync(file, { force: true });

  const passing = [];
  for (let i = 0; i < 5; i++) {
    const r = await time(() => expectCollected(() => new TreeNode(new TreeNode(null, -1), -2), { label: 'detached subtree' }));
    if (r.error) throw r.error;
    passing.push(r);
  }
  const failing = await time(() => expectCollected(() => new TreeNode(root.children[3], -3), { label: 'attached node' }));
  if (!failing.error || !/Break this reference/.test(failing.error.message)) throw new Error(`The failing check did not fail with a report: ${failing.error && failing.error.message}`);
  const growthPass = await time(() => expectNoGrowth(() => { new TreeNode(null, -4); }, { repeat: 10 }));
  if (growthPass.error) throw growthPass.error;
  const growthFail = await time(() => expectNoGrowth(() => { new TreeNode(root, -5); }, { repeat: 10 }));
  if (!growthFail.error || !/keep growing/.test(growthFail.error.message)) throw new Error('The growing check did not fail');
  passing.sort((a, b) => a.ms - b.ms);
  process.stdout.write(JSON.stringify({
    heapUsed, nodes: made, writeMs: write.ms, writeCpuMs: write.cpuMs,
    passMs: passing[2].ms, passCpuMs: passing[2].cpuMs, passMinMs: passing[0].ms, failMs: failing.ms, failCpuMs: failing.cpuMs,
    growthPassMs: growthPass.ms, growthPassCpuMs: growthPass.cpuMs, growthFailMs: growthFail.ms, growthFailCpuMs: growthFail.cpuMs,
    failMessageLines: failing.error.message.split('\n').length,
  }) + '\n');
})().catch((e) => {
  console.error(e && e.stack || e);
  process.exit(1);
});
