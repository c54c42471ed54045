/**
 * A command's ack must fit in one Socket.IO frame: the backend drops the connection on a frame
 * above its limit (AGENT_LIMITS.maxFrameBytes, 1 MiB), which would kill the very command being
 * answered. stdout and stderr are each capped at 1 MiB, and JSON escaping can grow text up to six
 * times (control bytes become \u00XX), so a result that does not fit is trimmed here: each stream
 * keeps its beginning, within an even share of the room (a share one stream does not need goes to
 * the other), and `truncated` is set. The streamed `command_output` chunks are not affected.
 */
import type { CommandResult } from '@chatops/protocol';

const encodedBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));
/** Bytes a string adds inside JSON, without its two quotes. */
const textBytes = (s: string): number => encodedBytes(s) - 2;

export function fitResult(result: CommandResult, maxBytes: number): CommandResult {
  if (encodedBytes(result) <= maxBytes) return result;
  const room = Math.max(0, maxBytes - encodedBytes({ ...result, stdout: '', stderr: '', truncated: true }));
  const outBytes = textBytes(result.stdout);
  const errBytes = textBytes(result.stderr);
  const half = Math.floor(room / 2);
  let outRoom = half;
  let errRoom = room - half;
  if (outBytes < outRoom) errRoom += outRoom - outBytes;
  else if (errBytes < errRoom) outRoom += errRoom - errBytes;
  return { ...result, stdout: prefixWithin(result.stdout, outRoom), stderr: prefixWithin(result.stderr, errRoom), truncated: true };
}

/** The longest prefix whose JSON encoding takes at most `budget` bytes (never half a surrogate pair). */
export function prefixWithin(text: string, budget: number): string {
  if (textBytes(text) <= budget) return text;
  let lo = 0;
  let hi = Math.min(text.length, budget); // every character takes at least one byte
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (textBytes(text.slice(0, mid)) <= budget) lo = mid;
    else hi = mid - 1;
  }
  const last = text.charCodeAt(lo - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? lo - 1 : lo);
}
