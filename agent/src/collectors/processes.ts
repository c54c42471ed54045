/**
 * Top processes by CPU from /proc/<pid>/stat (+ /proc/<pid>/status for the top N only).
 * CPU% is the delta of utime+stime since the previous process scan (100% = one full core);
 * a process seen for the first time gets its lifetime average, which is what `ps` shows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { round2 } from './rates';
import { ProcFiles, isProcfs, readProcFile } from './read-proc';

/** USER_HZ: 100 on every Linux architecture Node supports. */
export const CLOCK_TICKS = 100;
export const TOP_PROCESSES = 20;

export interface ProcStatEntry { pid: number; name: string; cpuTicks: number; startTicks: number }
export interface ProcessSummary { pid: number; name: string; user: string; cpuPercent: number; memBytes: number }

export function parsePidStat(text: string): ProcStatEntry | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // Fields after the command: 3 = state … utime = 14, stime = 15, starttime = 22 (1-based).
  // Walk the spaces instead of split(): this runs for every process on the host.
  let utime = NaN;
  let stime = NaN;
  let start = NaN;
  let field = 3;
  let i = close + 2;
  while (i < text.length && field <= 22) {
    let j = text.indexOf(' ', i);
    if (j < 0) j = text.length;
    if (field === 14) utime = Number(text.slice(i, j));
    else if (field === 15) stime = Number(text.slice(i, j));
    else if (field === 22) start = Number(text.slice(i, j));
    field++;
    i = j + 1;
  }
  if (!Number.isInteger(pid) || !Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return { pid, name: text.slice(open + 1, close), cpuTicks: utime + stime, startTicks: start || 0 };
}

export function parseStatusUidRss(text: string): { uid: number | null; rssBytes: number } {
  const uid = /^Uid:\s+(\d+)/m.exec(text);
  const rss = /^VmRSS:\s+(\d+)\s*kB/m.exec(text);
  return { uid: uid ? Number(uid[1]) : null, rssBytes: rss ? Number(rss[1]) * 1024 : 0 };
}

export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && /^\d+$/.test(f[2]) && !users.has(Number(f[2]))) users.set(Number(f[2]), f[0]);
  }
  return users;
}

export class ProcessCollector {
  private prev = new Map<string, number>();
  private prevAtSec: number | undefined;
  private users: Map<number, string> | undefined;

  /** /proc/<pid>/stat descriptors kept open between scans (procfs only). */
  private readonly statFiles: ProcFiles;

  constructor(private readonly procRoot: string, private readonly hostRoot: string, private readonly top = TOP_PROCESSES, procfs?: boolean) {
    this.statFiles = new ProcFiles(procfs ?? isProcfs(procRoot));
  }

  /** Close the kept descriptors. */
  close(): void {
    this.statFiles.close();
  }

  /** @param nowSec monotonic seconds; @param uptimeSec host uptime, for first-seen lifetime averages */
  collect(nowSec: number, uptimeSec: number): ProcessSummary[] {
    const entries: ProcStatEntry[] = [];
    let names: string[];
    try {
      names = readdirSync(this.procRoot);
    } catch {
      return [];
    }
    const seen = new Set<string>();
    for (const name of names) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const path = `${this.procRoot}/${name}/stat`;
      seen.add(path);
      try {
        const e = parsePidStat(this.statFiles.read(path));
        if (e) entries.push(e);
      } catch {
        // the process exited between readdir and read
      }
    }
    this.statFiles.prune((path) => seen.has(path)); // processes that are gone
    const dt = this.prevAtSec === undefined ? 0 : nowSec - this.prevAtSec;
    const next = new Map<string, number>();
    const scored = entries.map((e) => {
      const key = `${e.pid}:${e.startTicks}`;
      next.set(key, e.cpuTicks);
      const before = this.prev.get(key);
      let pct: number;
      if (before !== undefined && dt > 0) {
        pct = ((e.cpuTicks - before) / CLOCK_TICKS / dt) * 100;
      } else {
        const aliveSec = uptimeSec - e.startTicks / CLOCK_TICKS;
        pct = aliveSec > 0 ? (e.cpuTicks / CLOCK_TICKS / aliveSec) * 100 : 0;
      }
      return { e, pct: Math.max(0, round2(pct)) };
    });
    this.prev = next;
    this.prevAtSec = nowSec;
    scored.sort((a, b) => b.pct - a.pct || b.e.cpuTicks - a.e.cpuTicks);

    const out: ProcessSummary[] = [];
    for (const { e, pct } of scored.slice(0, this.top)) {
      let uid: number | null = null;
      let rssBytes = 0;
      try {
        ({ uid, rssBytes } = parseStatusUidRss(readProcFile(join(this.procRoot, String(e.pid), 'status'))));
      } catch {
        continue; // exited meanwhile
      }
      out.push({ pid: e.pid, name: e.name.slice(0, 255), user: this.userName(uid), cpuPercent: pct, memBytes: rssBytes });
    }
    return out;
  }

  private userName(uid: number | null): string {
    if (uid === null) return '';
    if (!this.users) {
      try {
        this.users = parsePasswd(readFileSync(join(this.hostRoot, 'etc', 'passwd'), 'utf8'));
      } catch {
        this.users = new Map();
      }
    }
    return (this.users.get(uid) ?? String(uid)).slice(0, 64);
  }
}
