/** Memory and swap from /proc/meminfo (values in kB). usedBytes = MemTotal - MemAvailable, like `free`. */
import { clampPercent } from './rates';

export interface MemoryUsage {
  totalBytes: number;
  usedBytes: number;
  availableBytes: number;
  percent: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
}

/** kB value of `key` (at a line start, "Key:" then whitespace then digits) in bytes, undefined if absent. */
function meminfoBytes(text: string, key: string): number | undefined {
  const needle = key + ':';
  let at = text.startsWith(needle) ? 0 : text.indexOf('\n' + needle);
  if (at < 0) return undefined;
  if (at > 0 || text.charCodeAt(0) === 10) at++;
  let i = at + needle.length;
  const start = i;
  for (let c = text.charCodeAt(i); c === 32 || c === 9; c = text.charCodeAt(++i));
  if (i === start) return undefined;
  let v = 0;
  const digits = i;
  for (let d = text.charCodeAt(i) - 48; d >= 0 && d <= 9; d = text.charCodeAt(++i) - 48) v = v * 10 + d;
  return i > digits ? v * 1024 : undefined;
}

export function parseMeminfo(text: string): MemoryUsage {
  const kb = (key: string) => meminfoBytes(text, key);
  const total = kb('MemTotal') ?? 0;
  // Kernels before 3.14 lack MemAvailable: approximate it the way `free` does.
  const available = Math.min(total, kb('MemAvailable') ?? (kb('MemFree') ?? 0) + (kb('Buffers') ?? 0) + (kb('Cached') ?? 0));
  const used = Math.max(0, total - available);
  const swapTotal = kb('SwapTotal') ?? 0;
  const swapUsed = Math.max(0, swapTotal - (kb('SwapFree') ?? swapTotal));
  return {
    totalBytes: total,
    usedBytes: used,
    availableBytes: available,
    percent: total > 0 ? clampPercent((used / total) * 100) : 0,
    swapTotalBytes: swapTotal,
    swapUsedBytes: swapUsed,
  };
}
