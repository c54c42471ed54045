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

export function parseMeminfo(text: string): MemoryUsage {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([\w()]+):\s+(\d+)/.exec(line);
    if (m) kb.set(m[1], Number(m[2]) * 1024);
  }
  const total = kb.get('MemTotal') ?? 0;
  // Kernels before 3.14 lack MemAvailable: approximate it the way `free` does.
  const available = Math.min(total, kb.get('MemAvailable') ?? (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0));
  const used = Math.max(0, total - available);
  const swapTotal = kb.get('SwapTotal') ?? 0;
  const swapUsed = Math.max(0, swapTotal - (kb.get('SwapFree') ?? swapTotal));
  return {
    totalBytes: total,
    usedBytes: used,
    availableBytes: available,
    percent: total > 0 ? clampPercent((used / total) * 100) : 0,
    swapTotalBytes: swapTotal,
    swapUsedBytes: swapUsed,
  };
}
