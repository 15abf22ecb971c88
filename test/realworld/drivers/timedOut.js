// timed-out on a keep-alive agent: requests that reuse a pooled socket.
//   socket:  every such request adds another 'connect' listener to the socket, holding the request
//            (https://github.com/sindresorhus/timed-out/pull/9, fixed in 3.1.1)
//   connect: the request's connect timer is never cleared, since a pooled socket never emits 'connect'
//            (fixed in 3.1.2 by the maintainers' follow-up, commit 79b29a5)
// Each request that reuses the socket carries a ReusedSocketRequest, the object the test examines.
// Usage: node timedOut.js <package> <snapshot> socket|connect
'use strict';
const http = require('node:http');
const v8 = require('node:v8');
const timeout = require(process.argv[2]);
const delays = process.argv[4] === 'connect' ? { connect: 60_000 } : { socket: 60_000 };

class ReusedSocketRequest {
  constructor(path) { this.path = path; }
}

const server = http.createServer((req, res) => res.end('ok'));
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(port, i) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/report/${i}`, agent }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    if (i > 0) req.reused = new ReusedSocketRequest(`/report/${i}`);
    req.on('error', reject);
    timeout(req, delays);
  });
}

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  for (let i = 0; i < 4; i++) await get(port, i);
  setImmediate(() => {
    v8.writeHeapSnapshot(process.argv[3]);
    // timed-out 3.1.1's connect timers would keep the process alive for a minute: leave without waiting.
    process.exit(0);
  });
});
