// component-emitter keeps one array per event name in `_callbacks`, even after its last listener is removed
// (https://github.com/sindresorhus/component-emitter/pull/74). A job queue that waits for 'done-<id>' once per job.
// Usage: node componentEmitter.js <package> <snapshot>
'use strict';
const v8 = require('node:v8');
const Emitter = require(process.argv[2]);

class JobQueue extends Emitter {
  run(id) {
    return new Promise((resolve) => {
      this.once(`done-${id}`, resolve);
      setImmediate(() => this.emit(`done-${id}`, id));
    });
  }
}

const queue = new JobQueue();
(async () => {
  for (let id = 0; id < 5; id++) await queue.run(id);
  setImmediate(() => v8.writeHeapSnapshot(process.argv[3]));
})();
