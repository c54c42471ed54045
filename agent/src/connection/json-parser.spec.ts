import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as ioClient, type Socket as ClientSocket } from 'socket.io-client';
import * as stockParser from 'socket.io-parser';
import type { HelloFrame, MetricsSample } from '@chatops/protocol';
import { fakeSample } from '../../test/sample-factory';
import { JSON_ONLY_EVENTS, JsonEventEncoder, agentParser } from './json-parser';

const BOOT = '0b7e2c1a-9f3d-4e5b-8a6c-1d2e3f405162';

/** A sample with everything the collectors can put in one: processes, containers, odd strings. */
function fullSample(seq: number): MetricsSample {
  return {
    ...fakeSample(seq, BOOT),
    diskIo: { readBps: 1048576, writeBps: 209715.2 },
    uptimeSec: 595,
    processes: [
      { pid: 4242, name: 'my (weird) proc', user: 'alice', cpuPercent: 41.67, memBytes: 204800000 },
      { pid: 7, name: 'quote" back\\slash \u00e9\u00fc tab\t nl\n \u2028 \ud83d\ude00', user: '105', cpuPercent: 0, memBytes: 0 },
    ],
    containers: [{ id: 'abc123', name: 'web', image: 'nginx:1.27', state: 'running', cpuPercent: 1.5, memBytes: 1e7 }],
  } as MetricsSample;
}

const hello: HelloFrame = {
  agentVersion: '0.1.0', hostname: 'web-01', os: 'Debian GNU/Linux 12', arch: 'x64', bootId: BOOT, intervalSec: 5,
  capabilities: { exec: false, docker: false, terminal: false },
};

describe('JsonEventEncoder (the agent socket.io parser)', () => {
  const stock = new stockParser.Encoder();
  const ours = new JsonEventEncoder();
  const EVENT = stockParser.PacketType.EVENT;

  const packets: Array<[string, stockParser.Packet]> = [
    ['metrics with an ack id on /agents', { type: EVENT, nsp: '/agents', id: 12, data: ['metrics', fullSample(3)] }],
    ['metrics with ack id 0', { type: EVENT, nsp: '/agents', id: 0, data: ['metrics', fakeSample(0, BOOT)] }],
    ['metricsBatch', { type: EVENT, nsp: '/agents', id: 7, data: ['metricsBatch', { samples: [fullSample(1), fullSample(2)] }] }],
    ['hello without an ack', { type: EVENT, nsp: '/agents', data: ['hello', hello] }],
    ['metrics on the main namespace', { type: EVENT, nsp: '/', id: 1, data: ['metrics', fakeSample(1, BOOT)] }],
    ['metrics with an empty nsp', { type: EVENT, nsp: '', data: ['metrics', fakeSample(2, BOOT)] }],
  ];

  it.each(packets)('%s: byte-identical to the stock Encoder', (_name, packet) => {
    const expected = stock.encode(packet);
    const actual = ours.encode(packet);
    expect(actual).toHaveLength(1);
    expect(typeof actual[0]).toBe('string');
    expect(Buffer.from(actual[0] as string)).toEqual(Buffer.from(expected[0] as string));
    expect(actual).toEqual(expected);
  });

  it('the fast path is only for the JSON-only events; acks, other events and binary go through the stock encoder', () => {
    expect([...JSON_ONLY_EVENTS].sort()).toEqual(['hello', 'metrics', 'metricsBatch']);
    const others: stockParser.Packet[] = [
      { type: stockParser.PacketType.ACK, nsp: '/agents', id: 4, data: [{ ok: false, error: 'not_implemented' }] },
      { type: stockParser.PacketType.ACK, nsp: '/agents', id: 5, data: [{ chunk: Buffer.from([1, 2, 3]) }] },
      { type: EVENT, nsp: '/agents', id: 2, data: ['exec_output', { data: Buffer.from('binary \u0000 data') }] },
      { type: EVENT, nsp: '/agents', data: ['other', { a: 1 }] },
      { type: stockParser.PacketType.CONNECT, nsp: '/agents', data: { apiKey: 'cok_x' } },
      { type: stockParser.PacketType.DISCONNECT, nsp: '/agents' },
    ];
    for (const p of others) expect(ours.encode(p)).toEqual(stock.encode(p));
    // A binary event really is sent as a binary packet with an attachment, as the stock encoder does.
    expect(ours.encode(others[2])).toHaveLength(2);
    expect(ours.encode(others[2])[0]).toMatch(/^51-\/agents,2\["exec_output",\{"data":\{"_placeholder":true,"num":0\}\}\]$/);
  });

  it('what it encodes decodes with the stock Decoder to the same packet', () => {
    for (const [, packet] of packets) {
      const decoder = new agentParser.Decoder();
      const decoded: stockParser.Packet[] = [];
      decoder.on('decoded', (p: stockParser.Packet) => decoded.push(p));
      for (const part of new JsonEventEncoder().encode(packet)) decoder.add(part);
      const expectedNsp = packet.nsp || '/';
      expect(decoded).toEqual([{ ...JSON.parse(JSON.stringify(packet)), nsp: expectedNsp }]);
    }
  });
});

describe('agentParser against a stock Socket.IO server and client', () => {
  let http: HttpServer;
  let server: Server;
  let client: ClientSocket | undefined;
  const received: unknown[] = [];
  const rawPackets: string[] = [];

  beforeAll(async () => {
    http = createServer();
    server = new Server(http);
    server.of('/agents').on('connection', (socket) => {
      socket.conn.on('packet', (p: { type: string; data?: unknown }) => {
        if (p.type === 'message' && typeof p.data === 'string') rawPackets.push(p.data);
      });
      socket.on('hello', (h) => received.push(['hello', h]));
      socket.on('metrics', (s, ack) => {
        received.push(['metrics', s]);
        ack({ ok: true, seq: s.seq });
      });
      socket.on('metricsBatch', (b, ack) => {
        received.push(['metricsBatch', b]);
        ack({ ok: true, stored: b.samples.length });
      });
      // A request from the server with binary in it, answered by the client (stock decoding + encoding).
      socket.on('ready', () => {
        socket.timeout(2000).emit('request', { blob: Buffer.from([9, 8, 7]) }, (err: unknown, reply: unknown) => received.push(['reply', err, reply]));
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    client?.disconnect();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('events and acks round-trip, the wire packets are the stock ones, binary still works both ways', async () => {
    const port = (http.address() as AddressInfo).port;
    client = ioClient(`http://127.0.0.1:${port}/agents`, { transports: ['websocket'], forceNew: true, reconnection: false, parser: agentParser });
    client.on('request', (req: { blob: Buffer }, ack: (r: unknown) => void) => ack({ echoed: Buffer.from(req.blob).reverse() }));
    await new Promise<void>((r, j) => {
      client!.once('connect', () => r());
      client!.once('connect_error', j);
    });
    const sample = fullSample(5);
    const batch = { samples: [fullSample(6), fullSample(7)] };
    client.emit('hello', hello);
    const acks = [
      await client.timeout(2000).emitWithAck('metrics', sample),
      await client.timeout(2000).emitWithAck('metricsBatch', batch),
    ];
    client.emit('ready');
    const deadline = Date.now() + 3000;
    while (received.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));

    expect(acks).toEqual([{ ok: true, seq: 5 }, { ok: true, stored: 2 }]);
    expect(received.slice(0, 3)).toEqual([['hello', hello], ['metrics', sample], ['metricsBatch', batch]]);
    const [tag, err, reply] = received[3] as [string, unknown, { echoed: Buffer }];
    expect([tag, err]).toEqual(['reply', null]);
    expect([...reply.echoed]).toEqual([7, 8, 9]);

    // What the server's engine received is exactly what the stock encoder makes of the same packets.
    const stock = new stockParser.Encoder();
    const EVENT = stockParser.PacketType.EVENT;
    expect(rawPackets.slice(0, 3)).toEqual([
      stock.encode({ type: EVENT, nsp: '/agents', data: ['hello', hello] })[0],
      stock.encode({ type: EVENT, nsp: '/agents', id: 0, data: ['metrics', sample] })[0],
      stock.encode({ type: EVENT, nsp: '/agents', id: 1, data: ['metricsBatch', batch] })[0],
    ]);
  });
});
