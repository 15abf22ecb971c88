// express-form-data's parser with autoClean registers a process-exit handler (signal-exit) per request and never
// removes it (https://github.com/ortexx/express-form-data/issues/16); each handler holds its request.
// Usage: node expressFormData.js <package> <snapshot>
'use strict';
const http = require('node:http');
const v8 = require('node:v8');
const formData = require(process.argv[2]);

const parse = formData.parse({ autoClean: true });
const server = http.createServer(function onRequest(req, res) {
  parse(req, res, () => res.end('ok'));
});

function get(port, path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
}

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  for (let i = 0; i < 3; i++) await get(port, `/upload/${i}`);
  await new Promise((r) => setTimeout(r, 50));
  v8.writeHeapSnapshot(process.argv[3]);
  server.close();
});
