import { createRequire } from 'node:module';

/** What the patches rely on in ws's frame receiver (ws/lib/receiver.js, 8.x). */
type ReceiverState = { _mask?: Buffer; [maskCopy]?: Buffer; _fragments?: Buffer[] };
interface ReceiverPrototype {
  getMask(this: ReceiverState): void;
  _write(this: ReceiverState, chunk: Buffer, encoding: BufferEncoding, cb: (err?: Error) => void): void;
  [patched]?: true;
}
const patched = Symbol.for('chatops.wsFrameMaskCopied');
const maskCopy = Symbol('maskCopy');

/**
 * The `ws` package Engine.IO runs on (its own dependency, not necessarily the one a bare
 * `require('ws')` would find).
 */
function engineWs(): { Receiver?: { prototype: ReceiverPrototype } } {
  return createRequire(require.resolve('engine.io'))('ws');
}

/**
 * Two patches to ws's frame receiver, both so that a frame's TCP read dies young.
 *
 * The mask: ws reads each client frame's 4-byte mask as a view into the TCP read that carried the frame, and
 * keeps that view until the connection's next frame. An agent sends one frame every 5 s, so each
 * agent's last read buffer (its whole last sample, ~1–3 KB) stayed reachable for those 5 s, one
 * array buffer per connected agent (~1 KB each on average in the ingest benchmark: 13.49 → 11.53 MB
 * of array buffers at 2,000 agents, docs/performance.md). The mask is copied into 4 bytes the
 * receiver owns (allocated once, outside the shared pool: a pooled copy would keep its 8 KB pool
 * slab alive instead, which measurably raised the array-buffer churn), so the read buffer dies young.
 *
 * The fragments list: see below.
 *
 * Idempotent. Returns false when the installed ws does not have the expected shape (the patch is
 * then not applied: a memory cost, not a fault).
 */
export function copyWsFrameMasks(): boolean {
  const proto = engineWs().Receiver?.prototype;
  if (!proto || typeof proto.getMask !== 'function' || typeof proto._write !== 'function') return false;
  if (proto[patched]) return true;
  // ws replaces a receiver's `_fragments` with a new empty array at the end of each message, and
  // pushes the next message's payload (a view into its TCP read) into it. Between an agent's
  // frames (5 s) that empty array outlives two minor GCs and is promoted to the old generation.
  // Once the next message is delivered the array is dropped, but a dead old object is only found
  // dead by a major GC: until then the minor GCs treat its slot as a live reference, so the view
  // and the whole read behind it (~1.25 KB per frame, 2.5 MB/s at 10,000 agents) survive them.
  // That growth was what started the backend's major GCs every ~25 s ("external memory pressure",
  // docs/performance.md, ninth session). An empty `_fragments` is replaced with a young one as each
  // read arrives; an empty array for an empty array, so nothing else changes.
  const write = proto._write;
  proto._write = function freshFragments(this: ReceiverState, chunk, encoding, cb) {
    if (this._fragments?.length === 0) this._fragments = [];
    return write.call(this, chunk, encoding, cb);
  };
  const getMask = proto.getMask;
  proto.getMask = function copyingGetMask(this: ReceiverState) {
    const before = this._mask;
    getMask.call(this);
    const mask = this._mask;
    if (!mask || mask === before) return;
    const copy = (this[maskCopy] ??= Buffer.allocUnsafeSlow(4));
    mask.copy(copy, 0, 0, 4);
    this._mask = copy;
  };
  proto[patched] = true;
  return true;
}
