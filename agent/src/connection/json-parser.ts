/**
 * Socket.IO parser for the agent's connection: the stock `socket.io-parser` (the copy
 * socket.io-client itself loads), except that the events whose payload the agent builds from
 * JSON values only (`hello`, `metrics`, `metricsBatch`) are encoded without the `hasBinary` walk
 * over the whole sample. The packets are the standard wire format, byte for byte what the stock
 * Encoder produces for them (type digit, `/nsp,` unless `/`, ack id, JSON); everything else
 * (request replies, any other packet) goes through the stock Encoder, and decoding is the stock
 * Decoder's. A spec checks the byte identity and round trips through a stock Socket.IO server.
 */
import { createRequire } from 'node:module';
import type * as StockParser from 'socket.io-parser';

/** socket.io-parser as resolved from socket.io-client (the same module instance it would use). */
const stock: typeof StockParser = createRequire(require.resolve('socket.io-client'))('socket.io-parser');

/** Events the agent emits with plain JSON payloads (no Buffer/ArrayBuffer/Blob anywhere). */
export const JSON_ONLY_EVENTS: ReadonlySet<string> = new Set(['hello', 'metrics', 'metricsBatch']);

export class JsonEventEncoder extends stock.Encoder {
  override encode(packet: StockParser.Packet): unknown[] {
    if (packet.type === stock.PacketType.EVENT && Array.isArray(packet.data) && JSON_ONLY_EVENTS.has(packet.data[0])) {
      // encodeAsString of the stock Encoder, for a packet hasBinary() would find no binary in.
      let str = '' + packet.type;
      if (packet.nsp && packet.nsp !== '/') str += packet.nsp + ',';
      if (packet.id != null) str += packet.id;
      return [str + JSON.stringify(packet.data)];
    }
    return super.encode(packet);
  }
}

/** The `parser` option of socket.io-client's io(). */
export const agentParser = {
  protocol: stock.protocol,
  PacketType: stock.PacketType,
  Encoder: JsonEventEncoder,
  Decoder: stock.Decoder,
};
