// A child process for the benchmark: builds a heap shaped like the leaks this tool explains (a doubly linked tree,
// every node with a listener closure registered on a shared emitter), writes its snapshot with V8's own
// v8.writeHeapSnapshot (the floor every figure is compared to), and reports how long V8 took.
//   node bench/heapBuilder.js NODES OUT.heapsnapshot [GROW OUT2.heapsnapshot]
// With GROW, a second snapshot follows for the comparison benchmark: GROW more tree nodes hung under the last ones
// (a leak), and one node in ten of the first half of the tree dropped with what only it held (freed), as a program
// between a baseline and a target.
'use strict';
const v8 = require('node:v8');
const { EventEmitter } = require('node:events');

const count = Number(process.argv[2]);
const file = process.argv[3];
const grow = Number(process.argv[4] || 0);
const secondFile = process.argv[5];

class TreeNode {
  constructor(parent, label) {
    this.parent = parent;
    this.first = null;
    this.last = null;
    this.next = null;
    this.prev = null;
    this.label = label;
    this.payload = [label, label * 2];
    this.onTick = () => { this.seen = (this.seen || 0) + 1; };
    if (parent) {
      if (parent.last) {
        this.prev = parent.last;
        parent.last.next = this;
        parent.last = this;
      } else {
        parent.first = this;
        parent.last = this;
      }
    }
  }
}

const bus = new EventEmitter();
bus.setMaxListeners(0);
const root = new TreeNode(null, 0);
const level = [root];
let head = 0; // a queue by index: Array.prototype.shift is linear on large arrays
let made = 1;
const fanout = 8;
while (made < count) {
  const parent = level[head++];
  for (let i = 0; i < fanout && made < count; i++) {
    const child = new TreeNode(parent, made++);
    // Listeners on a handful of emitters keep the arrays short enough for V8 to stay fast.
    if (made % 16 === 0) bus.on('tick', child.onTick);
    level.push(child);
  }
}
globalThis.benchRoot = root;
globalThis.benchBus = bus;

const started = process.hrtime.bigint();
v8.writeHeapSnapshot(file);
const writeMs = Number(process.hrtime.bigint() - started) / 1e6;
if (grow > 0 && secondFile) {
  // Freed: every tenth node of the first half loses its listener and payload (the objects only they held).
  for (let i = 0; i < level.length / 2; i += 10) {
    level[i].payload = null;
    level[i].onTick = null;
  }
  // Leaked: new nodes under the tree's last nodes.
  let parentIndex = level.length - 1;
  for (let i = 0; i < grow; i++) {
    const child = new TreeNode(level[parentIndex], made++);
    level.push(child);
    if (i % fanout === fanout - 1) parentIndex--;
  }
  v8.writeHeapSnapshot(secondFile);
}
process.stdout.write(JSON.stringify({ writeMs, heapUsed: process.memoryUsage().heapUsed }) + '\n');
