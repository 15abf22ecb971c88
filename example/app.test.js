// The example's leak as a regression test, with retention-explorer/testing:   node --test example/
//
// It fails on the seed's tree: one paragraph of each closed document still listens to the settings, and its
// `parent` back-reference (then the section's) keeps the whole tree alive. The failure message is the retention
// report: the path from the roots, each step with its file:line, and the reference to break.
// It passes once the back-reference is weak (`this.parent = parent && new WeakRef(parent)` in TreeNode), or once
// close() removes the listener.
'use strict';
const { test } = require('node:test');
const { expectCollected } = require('retention-explorer/testing');
const { openDocument, closeDocument } = require('./app');

test('a closed document frees its tree', async () => {
  await expectCollected(() => {
    const doc = openDocument('notes.md');
    closeDocument(doc);
    return doc.root;
  }, { label: 'doc.root' });
});
