/** Seconds since boot from /proc/uptime (first field, with its two decimals). */
export function parseUptime(text: string): number {
  const n = Number(text.trim().split(/\s+/)[0]);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}
