import { createRequire } from 'node:module';

/** What the patch relies on in ws's frame receiver (ws/lib/receiver.js, 8.x). */
type ReceiverState = { _mask?: Buffer; [maskCopy]?: Buffer };
interface ReceiverPrototype {
  getMask(this: ReceiverState): void;
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
 * ws reads each client frame's 4-byte mask as a view into the TCP read that carried the frame, and
 * keeps that view until the connection's next frame. An agent sends one frame every 5 s, so each
 * agent's last read buffer (its whole last sample, ~1–3 KB) stayed reachable for those 5 s, one
 * array buffer per connected agent (~1 KB each on average in the ingest benchmark: 13.49 → 11.53 MB
 * of array buffers at 2,000 agents, docs/performance.md). The mask is copied into 4 bytes the
 * receiver owns (allocated once, outside the shared pool: a pooled copy would keep its 8 KB pool
 * slab alive instead, which measurably raised the array-buffer churn), so the read buffer dies young.
 *
 * Idempotent. Returns false when the installed ws does not have the expected shape (the patch is
 * then not applied: a memory cost, not a fault).
 */
export function copyWsFrameMasks(): boolean {
  const proto = engineWs().Receiver?.prototype;
  if (!proto || typeof proto.getMask !== 'function') return false;
  if (proto[patched]) return true;
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
