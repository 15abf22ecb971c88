// A small document editor that leaks every document it closes.
//
// Each document is a tree of nodes that point at their parent and at their siblings (parent/children, prev/next),
// like the tree in the classic article on Python's reference cycles. In JavaScript a cycle alone is collected;
// a cycle that something long-lived still reaches is kept whole. Here, one leaf of each tree subscribes to the
// application's settings and never unsubscribes, so every closed document stays in memory.
//
// Try it: Run and Debug -> "Launch app". The program pauses in closeDocument() (a `debugger` statement below).
// Then run "Retention: Find Retaining Cycles" from the Command Palette (F1) and type:  doc.root
'use strict';
const { EventEmitter } = require('node:events');

/** Application-wide settings: lives as long as the program does. */
const settings = new EventEmitter();
settings.setMaxListeners(0);

class TreeNode {
  constructor(name, parent) {
    this.name = name;
    this.parent = parent; // back-reference: child -> parent
    this.children = [];
    this.prev = null; // siblings, doubly linked
    this.next = null;
    if (parent) {
      const last = parent.children[parent.children.length - 1];
      if (last) {
        last.next = this;
        this.prev = last;
      }
      parent.children.push(this);
    }
  }

  /** Re-renders this node when the user changes the theme. */
  followTheme() {
    // The leaking reference: the settings emitter lives forever and this listener is never removed.
    settings.on('theme', this.onTheme = (theme) => this.restyle(theme));
  }

  restyle(theme) {
    this.theme = theme;
  }
}

class Document {
  constructor(title) {
    this.title = title;
    this.root = new TreeNode(title, null);
    for (let s = 0; s < 4; s++) {
      const section = new TreeNode(`section ${s + 1}`, this.root);
      for (let p = 0; p < 25; p++) new TreeNode(`paragraph ${s + 1}.${p + 1}`, section);
    }
    // The paragraph with the caret follows the theme (to draw the caret in the theme's colour).
    this.caret = this.root.children[0].children[0];
    this.caret.followTheme();
  }

  close() {
    this.closed = true;
    // The fix: remove the listener (or make the tree's back-references weak, or give TreeNode a destroy()):
    //   settings.off('theme', this.caret.onTheme);
  }
}

const openDocuments = new Map();
let closedCount = 0;

function openDocument(title) {
  const doc = new Document(title);
  openDocuments.set(title, doc);
  return doc;
}

function closeDocument(doc) {
  openDocuments.delete(doc.title);
  doc.close();
  closedCount++;
  if (closedCount === 3) {
    // Paused here: `doc` is closed and no longer in openDocuments, so nothing should keep its tree alive.
    // Run "Retention: Find Retaining Cycles" and type `doc.root` to see what does.
    debugger;
  }
}

module.exports = { TreeNode, Document, settings, openDocument, closeDocument };

// Run directly (F5, `node app.js`), it opens and closes a document every 200 ms; required by app.test.js, it only
// exports its classes.
if (require.main === module) {
  let n = 0;
  const timer = setInterval(() => {
    n++;
    const doc = openDocument(`report-${n}.md`);
    settings.emit('theme', n % 2 ? 'dark' : 'light');
    closeDocument(doc);
    if (n % 10 === 0) {
      const mb = (process.memoryUsage().heapUsed / 1024 / 1024).toFixed(1);
      console.log(`${n} documents opened and closed, ${openDocuments.size} open, ${settings.listenerCount('theme')} theme listeners, heap ${mb} MB`);
    }
  }, 200);

  process.on('SIGINT', () => {
    clearInterval(timer);
    process.exit(0);
  });
}
