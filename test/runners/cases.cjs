// The checks every runner runs, as plain async functions: each runner's test file registers them with its own
// `test`/`it`. Names starting "leaky:" are expected to FAIL (the harness, test/integration/testingRunners.test.ts,
// reads each runner's JSON report and checks their failure messages); all others must pass.
'use strict';
const assert = require('node:assert');
const { track, assertCollected, expectCollected, expectNoGrowth, pendingCount } = require('retention-explorer/testing');
const leaky = require('./programs/leaky.cjs');
const fixed = require('./programs/fixed.cjs');
const clean = require('./programs/clean.cjs');
// A real leak in a published package: debug@4.1.1 kept every instance it created in createDebug.instances, so a
// logger made per call was never freed (debug-js/debug#678, fixed by #740, released in 4.2.0; 4.3.1 is used here).
const debugLeaky = require('debug-leaky');
const debugFixed = require('debug-fixed');

const cases = [
  ['leaky: expectCollected on a closed panel', async () => {
    await expectCollected(() => leaky.openAndClosePanel('settings'), { label: 'closed panel' });
  }],
  ['leaky: track + assertCollected', async () => {
    let panel = leaky.openAndClosePanel('log');
    track(panel, 'log panel');
    panel = null;
    await assertCollected();
  }],
  ['leaky: expectNoGrowth over open/close', async () => {
    await expectNoGrowth(() => { leaky.openAndClosePanel('x'); }, { repeat: 10 });
  }],
  ['leaky: debug@4.1.1, a logger created per call', async () => {
    await expectCollected(() => debugLeaky('app:request'), { label: 'per-call logger' });
  }],
  ['fixed: debug@4.3.1, a logger created per call', async () => {
    await expectCollected(() => debugFixed('app:request'), { label: 'per-call logger' });
  }],
  ['fixed: expectCollected on a closed panel', async () => {
    await expectCollected(() => fixed.openAndClosePanel('settings'), { label: 'closed panel' });
  }],
  ['fixed: track + assertCollected', async () => {
    let panel = fixed.openAndClosePanel('log');
    track(panel, 'log panel');
    panel = null;
    await assertCollected();
  }],
  ['fixed: expectNoGrowth over open/close', async () => {
    await expectNoGrowth(() => { fixed.openAndClosePanel('x'); }, { repeat: 10 });
  }],
  ['clean: expectNoGrowth over parse', async () => {
    await expectNoGrowth(() => { clean.parse('let a = 1 if a else b'); }, { repeat: 10 });
  }],
  ['bad use: a primitive passed to expectCollected', async () => {
    await assert.rejects(expectCollected(() => 42), { name: 'TypeError', message: /fn returned 42 \(a number\), not an object/ });
    await assert.rejects(expectCollected({ not: 'a function' }), { name: 'TypeError', message: /takes a function that creates and returns the object, not the object itself/ });
    assert.throws(() => track('a string'), { name: 'TypeError', message: /only objects and functions can be tracked/ });
    await assert.rejects(assertCollected(), { name: 'AssertionError', message: /had nothing to check/ });
    assert.equal(pendingCount(), 0);
  }],
  ['bad use: nothing is left behind after a check', async () => {
    // Tracking arms one exit listener (to name objects never checked); a check disarms it.
    const listeners = process.listenerCount('exit');
    track({ temporary: true }, 'temporary');
    assert.equal(process.listenerCount('exit'), listeners + 1);
    await assertCollected();
    assert.equal(process.listenerCount('exit'), listeners);
    assert.equal(pendingCount(), 0);
  }],
];

// A clean program, checked 20 times in a row: never a failure (no flakiness from lazy compilation or caches).
for (let run = 1; run <= 20; run++) {
  cases.push([`clean: run ${run} of 20`, async () => {
    await expectCollected(() => clean.parse(`let x${run} = ${run} if x else y`), { label: `tree ${run}` });
    let tree = clean.parse('const a = b');
    track(tree, 'tree');
    track(tree.children[0]);
    tree = null;
    await assertCollected();
  }]);
}

module.exports = { cases };
