// Entry of the test build's bundle of Chrome DevTools' own heap snapshot worker (npm chrome-devtools-frontend),
// bundled for Node by scripts/build.mjs into out/test/devtools/heapSnapshotWorker.js and used as the oracle in
// test/unit/devtoolsParity.test.ts. Nothing of DevTools is changed: the two workers it runs in the browser are one
// thread here, joined by a MessageChannel (Node's MessagePort has the EventTarget interface the worker uses).
import { HeapSnapshotLoader } from '../../node_modules/chrome-devtools-frontend/front_end/entrypoints/heap_snapshot_worker/HeapSnapshotLoader.js';
import { SecondaryInitManager } from '../../node_modules/chrome-devtools-frontend/front_end/entrypoints/heap_snapshot_worker/HeapSnapshot.js';

// Shim: DevTools targets current Chrome; Node 20 (this project's floor) has no Promise.withResolvers (Node 22 has).
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve, reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}

/** Loads a snapshot's text (chunks, sync or async iterable) with DevTools' own loader; returns its JSHeapSnapshot. */
export async function loadWithDevTools(chunks) {
  // The progress events go to a dispatcher; the tests do not need them.
  const dispatcher = { sendEvent() {} };
  const loader = new HeapSnapshotLoader(dispatcher);
  for await (const chunk of chunks) loader.write(chunk);
  loader.close();
  const channel = new MessageChannel();
  new SecondaryInitManager(channel.port2);
  try {
    return await loader.buildSnapshot(channel.port1);
  } finally {
    channel.port1.close();
    channel.port2.close();
  }
}
