// Checks a deployment behind deploy/nginx/scale-out.conf (e.g. `docker compose --profile scale`):
// REST round-robin, an agent over WebSocket and a browser over long-polling only (sticky) through
// the load balancer, a live sample from the agent to that browser, and GET /metrics/{id} answered by
// every instance. Usage: LB_URL=http://localhost:8080 BACKEND_URLS=http://b1:3000,http://b2:3000 node deploy/nginx/check-through-lb.js
const { io } = require('socket.io-client');
const LB = process.env.LB_URL ?? 'http://127.0.0.1:8080';
const post = async (path, body, token) => {
  const r = await fetch(`${LB}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  return r.json();
};
(async () => {
  const id = Math.random().toString(36).slice(2, 8);
  const { accessToken } = await post('/auth/register', { username: `lb_${id}`, email: `lb_${id}@example.test`, password: 'lb-check-password' });
  const server = await post('/servers', { name: `lb-${id}` }, accessToken);
  const key = await post('/api-keys', { serverId: server.id }, accessToken);
  const agent = io(`${LB}/agents`, { auth: { apiKey: key.key }, transports: ['websocket'], reconnection: false });
  await new Promise((res, rej) => { agent.once('auth_success', res); agent.once('connect_error', rej); });
  console.log('agent over WebSocket through nginx: auth_success');
  const live = io(`${LB}/live`, { auth: { token: accessToken }, transports: ['polling'], reconnection: false, forceNew: true });
  await new Promise((res, rej) => { live.once('connect', res); live.once('connect_error', rej); });
  console.log('browser over long-polling only through nginx: connected, transport', live.io.engine.transport.name);
  const ack = await live.timeout(5000).emitWithAck('subscribe', { serverId: server.id });
  console.log('subscribe ack', JSON.stringify(ack));
  const got = new Promise((res) => live.once('metrics', (m) => res(m)));
  const bootId = '0b7e2c1a-9f3d-4e5b-8a6c-1d2e3f405162';
  agent.emit('hello', { agentVersion: '0.1.0', hostname: 'lb', os: 'linux', arch: 'x64', bootId, intervalSec: 5, capabilities: { exec: false, docker: false, terminal: false } });
  const sample = { seq: 1, bootId, timestamp: new Date().toISOString(), cpu: { percent: 5, perCore: [5], load: [0, 0, 0], cores: 1 },
    memory: { totalBytes: 1e9, usedBytes: 1e8, availableBytes: 9e8, percent: 10, swapTotalBytes: 0, swapUsedBytes: 0 }, disks: [], network: [], diskIo: { readBps: 0, writeBps: 0 }, uptimeSec: 1 };
  console.log('metrics ack', JSON.stringify(await agent.timeout(5000).emitWithAck('metrics', sample)));
  const m = await Promise.race([got, new Promise((r) => setTimeout(() => r(null), 5000))]);
  console.log('live sample at the polling browser:', m ? `seq ${m.sample.seq}` : 'NOT RECEIVED');
  for (let i = 0; i < 4; i++) {
    const r = await fetch(`${LB}/api/v1/metrics/${server.id}`, { headers: { authorization: `Bearer ${accessToken}` } });
    console.log('GET /metrics/{id} through nginx:', r.status, r.status !== 200 ? (await r.text()).slice(0, 120) : '');
  }
  await new Promise((r) => setTimeout(r, 1500));
  for (const base of (process.env.BACKEND_URLS ?? '').split(',').filter(Boolean)) {
    const r = await fetch(`${base}/api/v1/metrics/${server.id}`, { headers: { authorization: `Bearer ${accessToken}` } });
    console.log(`GET /metrics/{id} directly on ${base}:`, r.status, r.status !== 200 ? (await r.text()).slice(0, 120) : '');
  }
  agent.close(); live.close();
  process.exit(0);
})().catch((e) => { console.error('FAILED', e); process.exit(1); });
