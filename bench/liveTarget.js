// The live benchmark's target: a long-running Node process with the benchmark's heap shape (a doubly linked tree,
// every node with a listener closure, some registered on a shared emitter), driven over stdin so that nothing is
// added to its globals for the measurement:
//   grow N        add N tree nodes             -> "grow: {"nodes":TOTAL}"
//   write FILE    time v8.writeHeapSnapshot     -> "write: {"ms":..,"bytes":..}"   (the floor, in-process)
// Started by bench/live.ts with --inspect=127.0.0.1:0.
'use strict';
const v8 = require('node:v8');
const fs = require('node:fs');
const { EventEmitter } = require('node:events');

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
let head = 0;
let made = 1;

function grow(count) {
  const until = made + count;
  while (made < until) {
    const parent = level[head++];
    for (let i = 0; i < 8 && made < until; i++) {
      const child = new TreeNode(parent, made++);
      if (made % 16 === 0) bus.on('tick', child.onTick);
      level.push(child);
    }
  }
}

// The one global the benchmark names its object by (set before any measurement, like any program's own state).
globalThis.benchRoot = root;

const commands = {
  grow: (arg) => { grow(Number(arg)); return JSON.stringify({ nodes: made }); },
  write: (file) => {
    const started = process.hrtime.bigint();
    v8.writeHeapSnapshot(file);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const bytes = fs.statSync(file).size;
    return JSON.stringify({ ms, bytes });
  },
};

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (data) => {
  buffered += data;
  let nl;
  while ((nl = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, nl).trim();
    buffered = buffered.slice(nl + 1);
    if (!line) continue;
    const i = line.indexOf(' ');
    const name = i < 0 ? line : line.slice(0, i);
    const run = commands[name];
    process.stdout.write(`${name}: ${run ? run(i < 0 ? '' : line.slice(i + 1)) : 'unknown'}\n`);
  }
});
process.stdin.on('end', () => process.exit(0));
process.stdout.write('ready\n');
