// p-queue with one long-lived AbortSignal passed to every task (https://github.com/sindresorhus/p-queue/pull/235):
// the 'abort' listener added per task is never removed, and through its promise keeps each task's result.
// Usage: node pQueue.mjs <package> <snapshot>
import v8 from 'node:v8';
const { default: PQueue } = await import(process.argv[2]);

class TaskResult {
  constructor(id) { this.id = id; this.rows = new Array(64).fill(id); }
}

const shutdown = new AbortController();
const queue = new PQueue({ concurrency: 2 });
for (let i = 0; i < 5; i++) {
  await queue.add(async () => new TaskResult(i), { signal: shutdown.signal });
}
await queue.onIdle();
v8.writeHeapSnapshot(process.argv[3]);
