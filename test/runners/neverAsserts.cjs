// A "test" that tracks an object and never checks it: on exit the library names it on stderr.
'use strict';
const { track } = require('retention-explorer/testing');

const session = { user: 'ada' };
track(session, 'forgotten session');
