// node-cron: every failed `task.execute()` leaves its 'execution:finished' listener on the task's emitter
// (https://github.com/node-cron/node-cron/pull/513), and with it the settled promise and its rejection reason.
// Usage: node nodeCron.js <package> <snapshot> [failures]
'use strict';
const v8 = require('node:v8');
const cron = require(process.argv[2]);

class ExportFailure extends Error {
  constructor(batch) { super(`export ${batch} failed`); this.batch = new Array(64).fill(batch); }
}

async function main() {
  const failures = Number(process.argv[4] ?? 3);
  let batch = 0;
  const task = cron.createTask('0 0 1 1 *', async () => { throw new ExportFailure(batch++); });
  for (let i = 0; i < failures; i++) {
    await task.execute().catch(() => {});
  }
  v8.writeHeapSnapshot(process.argv[3]);
  task.destroy();
}
main();
