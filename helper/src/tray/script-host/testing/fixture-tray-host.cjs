// A tray host stand-in for script-tray.test.ts: a real process speaking the line protocol, so
// the helper's side (spawn, pipes, restarts, a host that dies) is exercised for real. The real
// hosts (PowerShell, osascript) cannot run on Linux.
// argv: <record file> <plan JSON: { afterMenu: string[], then: 'stay' | 'exit:<code>', stderr?: string }>
'use strict';
const fs = require('node:fs');
const [record, planText] = process.argv.slice(2);
const plan = JSON.parse(planText);
let buffer = '';
let menus = 0;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
    const msg = JSON.parse(buffer.slice(0, i));
    buffer = buffer.slice(i + 1);
    fs.appendFileSync(record, `${msg.type}${msg.type === 'icons' ? `:${Buffer.from(msg.active, 'base64').subarray(0, 4).toString('hex')}` : ''}\n`);
    if (msg.type === 'exit') process.exit(0);
    if (msg.type !== 'menu' || ++menus !== 1) continue;
    // Pipes are synchronous on Linux, so these lines are out before any exit below.
    for (const line of plan.afterMenu) process.stdout.write(`${line}\n`);
    if (plan.then.startsWith('exit:')) {
      process.stderr.write(plan.stderr || '');
      process.exit(Number(plan.then.slice(5)));
    }
  }
});
process.stdin.on('end', () => {
  fs.appendFileSync(record, 'eof\n');
  process.exit(0);
});
