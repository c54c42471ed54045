import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { WebSocket as WsSocket, WebSocketServer as WsServer } from 'ws';
import { copyWsFrameMasks } from './ws-frame-mask';

// The ws that Engine.IO (and so every Socket.IO connection of the backend) runs on.
const ws = createRequire(require.resolve('engine.io'))('ws') as typeof import('ws');

describe('copyWsFrameMasks (and the fresh _fragments array)', () => {
  let server: WsServer;
  let client: WsSocket;
  let serverSide: WsSocket;
  const received: Buffer[] = [];

  beforeAll(async () => {
    expect(copyWsFrameMasks()).toBe(true);
    expect(copyWsFrameMasks()).toBe(true); // idempotent
    server = new ws.WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    const connected = new Promise<WsSocket>((r) => server.once('connection', r));
    client = new ws.WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    [serverSide] = await Promise.all([connected, new Promise((r) => client.once('open', r))]);
    serverSide.on('message', (data) => received.push(data as Buffer));
  });

  afterAll(async () => {
    client.terminate();
    await new Promise((r) => server.close(r));
  });

  const receiverOf = (socket: WsSocket) => (socket as unknown as { _receiver: { _mask?: Buffer } })._receiver;

  it('delivers every masked frame intact: small, split over several reads, and many in one read', async () => {
    const sent = [randomBytes(10), randomBytes(3_000), randomBytes(300_000), ...Array.from({ length: 200 }, (_, i) => randomBytes(1 + (i % 50)))];
    received.length = 0;
    for (const payload of sent) client.send(payload);
    await waitFor(() => received.length === sent.length);
    received.forEach((got, i) => expect(got.equals(sent[i])).toBe(true));
  });

  it('a message sent in fragments over several reads arrives whole (a pending _fragments is never replaced)', async () => {
    received.length = 0;
    const parts = [randomBytes(700), randomBytes(900), randomBytes(50)];
    const receiver = receiverOf(serverSide) as unknown as { _fragments: Buffer[] };
    client.send(parts[0], { binary: true, fin: false });
    await waitFor(() => receiver._fragments.length === 1);
    const pending = receiver._fragments;
    client.send(parts[1], { binary: true, fin: false });
    await waitFor(() => receiver._fragments.length === 2);
    expect(receiver._fragments).toBe(pending);
    client.send(parts[2], { binary: true, fin: true });
    await waitFor(() => received.length === 1);
    expect(received[0].equals(Buffer.concat(parts))).toBe(true);
  });

  it('an empty _fragments is replaced as each read arrives: the payload goes into a new array, not one made at the previous message', async () => {
    received.length = 0;
    const receiver = receiverOf(serverSide) as unknown as { _fragments: Buffer[] };
    const arrays: Buffer[][] = [];
    const getData = Object.getPrototypeOf(receiver).getData as (this: typeof receiver, ...a: unknown[]) => void;
    const spy = jest.spyOn(Object.getPrototypeOf(receiver), 'getData').mockImplementation(function (this: typeof receiver, ...a: unknown[]) {
      arrays.push(this._fragments);
      return getData.apply(this, a);
    });
    try {
      const leftOver = receiver._fragments; // made by ws when the previous message ended
      client.send(randomBytes(1_000));
      await waitFor(() => received.length === 1);
      expect(arrays).toHaveLength(1);
      expect(arrays[0]).not.toBe(leftOver);
    } finally {
      spy.mockRestore();
    }
  });

  it('no longer keeps the last frame reachable through its mask', async () => {
    received.length = 0;
    client.send(randomBytes(2_000));
    await waitFor(() => received.length === 1);
    const mask = receiverOf(serverSide)._mask!;
    // Unpatched, the mask is a 4-byte view into the read that carried the whole frame.
    expect(mask.length).toBe(4);
    expect(mask.buffer.byteLength).toBe(4);
    client.send(randomBytes(2_000));
    await waitFor(() => received.length === 2);
    expect(receiverOf(serverSide)._mask).toBe(mask); // reused, not allocated per frame
  });
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
