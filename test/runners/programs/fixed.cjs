// The fixed panel: it stops following the theme when it closes.
'use strict';
const { EventEmitter } = require('node:events');

/** Lives as long as the program. */
const theme = new EventEmitter();
theme.setMaxListeners(0);

class Panel {
  constructor(title) {
    this.title = title;
    this.rows = Array.from({ length: 20 }, (_, i) => ({ panel: this, index: i }));
    this.onTheme = (name) => this.redraw(name);
    theme.on('change', this.onTheme);
  }

  redraw(name) {
    this.themeName = name;
  }

  close() {
    this.closed = true;
    theme.off('change', this.onTheme); // the fix
  }
}

function openAndClosePanel(title) {
  const panel = new Panel(title);
  theme.emit('change', 'dark');
  panel.close();
  return panel;
}

module.exports = { Panel, theme, openAndClosePanel };
