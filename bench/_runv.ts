import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { userToken } from '/work/main/e2e/support/tokens.js';
const token = await userToken('alice');
for (const v of process.argv.slice(2)) {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'bench/_variant.ts'], { cwd: '/work/main', env: { ...process.env, V: v }, stdio: ['ignore', 'pipe', 'inherit'] });
  let port = 0; for await (const l of createInterface({ input: child.stdout! })) { port = JSON.parse(l).port; break; }
  const url = `http://127.0.0.1:${port}/hello`; const headers = { authorization: `Bearer ${token}` };
  await autocannon({ url, headers, connections: 50, duration: 2 });
  const r = await autocannon({ url, headers, connections: 50, duration: 5 });
  console.log(v, r.requests.average, r.latency.p99, r.non2xx);
  child.kill();
}
