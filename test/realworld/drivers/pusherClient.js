// pusher-client keeps every client ever constructed in `Pusher.instances`
// (https://github.com/dirkbonhomme/pusher-client-node/pull/10). No connection is made (autoConnect off).
// Usage: node pusherClient.js <package> <snapshot>
'use strict';
const v8 = require('node:v8');
const Pusher = require(process.argv[2]);
Pusher.autoConnect = false;

class ChatRoom {
  constructor(name) {
    this.name = name;
    this.client = new Pusher('app-key', { encrypted: false });
    this.client.room = this;
  }
  close() { this.client.disconnect(); this.client = null; }
}

function openAndCloseRooms() {
  for (let i = 0; i < 3; i++) new ChatRoom(`room-${i}`).close();
}

openAndCloseRooms();
setImmediate(() => v8.writeHeapSnapshot(process.argv[3]));
