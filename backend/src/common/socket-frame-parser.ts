import { Decoder, Encoder, PacketType } from 'socket.io-parser';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './json-input';

/**
 * The event a frame nested deeper than MAX_JSON_DEPTH arrives as, in place of what it carried.
 * The gateways answer it (when the client asked for an ack) with `{ok:false, error:FRAME_TOO_DEEP_ERROR}`.
 */
export const FRAME_TOO_DEEP_EVENT = 'chatops:frame_too_deep';
export const FRAME_TOO_DEEP_ERROR = `invalid frame: nested deeper than ${MAX_JSON_DEPTH} levels`;

/**
 * Socket.IO's own decoder with a depth bound checked on the raw text before JSON.parse, for both
 * namespaces: parsing a 1 MiB `[[[[…` frame took ~150 ms of event loop and handed handlers a value
 * that recursive code cannot walk. A too deep event keeps its header (namespace, ack id) and loses
 * its payload, so the connection stays up and an ack still says why; any other too deep packet
 * (a binary event, a client's ack) is a protocol error and closes the connection, like every
 * malformed packet.
 */
export class DepthLimitedDecoder extends Decoder {
  add(chunk: unknown): void {
    if (typeof chunk === 'string' && jsonDepthExceeds(chunk)) {
      const payloadStart = chunk.indexOf('[');
      if (Number(chunk[0]) !== PacketType.EVENT || payloadStart < 0) throw new Error('packet nested too deeply');
      chunk = `${chunk.slice(0, payloadStart)}["${FRAME_TOO_DEEP_EVENT}"]`;
    }
    super.add(chunk);
  }
}

/** The `parser` option of the Socket.IO server: the default encoder, the depth-limited decoder. */
export const depthLimitedParser = { Encoder, Decoder: DepthLimitedDecoder };
