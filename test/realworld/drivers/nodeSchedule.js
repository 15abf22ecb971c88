// node-schedule one-off jobs (https://github.com/node-schedule/node-schedule/pull/478): a job scheduled for a Date
// stays in the module's `scheduledJobs` object after it ran. Usage: node nodeSchedule.js <package> <snapshot>
'use strict';
const v8 = require('node:v8');
const schedule = require(process.argv[2]);

class ReportJobPayload {
  constructor(id) { this.id = id; this.rows = new Array(64).fill(id); }
}

let ran = 0;
const COUNT = 5;
for (let i = 0; i < COUNT; i++) {
  const payload = new ReportJobPayload(i);
  schedule.scheduleJob(new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000), function sendReport() {
    ran += payload.rows.length > 0 ? 1 : 0;
    if (ran === COUNT) setImmediate(done);
  });
}

function done() {
  v8.writeHeapSnapshot(process.argv[3]);
}
