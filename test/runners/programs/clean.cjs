// A clean program: parsing builds a tree with parent back-references and lazily compiled helpers, caches nothing
// per call and keeps nothing after it returns.
'use strict';

class Token {
  constructor(text, parent) {
    this.text = text;
    this.parent = parent;
    this.children = [];
  }
}

/** Warmed lazily on first use (a one-time cost that expectNoGrowth's warm-up runs absorb). */
let keywords = null;

function parse(source) {
  if (!keywords) keywords = new Set(['let', 'const', 'if', 'else']);
  const root = new Token('(root)', null);
  let current = root;
  for (const word of source.split(/\s+/)) {
    const t = new Token(word, current);
    current.children.push(t);
    if (keywords.has(word)) current = t;
  }
  return root;
}

module.exports = { Token, parse };
