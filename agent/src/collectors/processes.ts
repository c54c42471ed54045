/**
 * Top processes by CPU from /proc/<pid>/stat (+ /proc/<pid>/status for the top N only).
 * CPU% is the delta of utime+stime since the previous process scan (100% = one full core);
 * a process seen for the first time gets its lifetime average, which is what `ps` shows.
 *
 * The scan runs for every process on the host, so it avoids per-process garbage: one record per
 * pid lives across scans (its kept descriptors, start time, last CPU ticks, name), the stat line
 * is parsed from the read buffer's bytes, and the top N is kept by insertion while scanning
 * instead of scoring and sorting every process.
 */
import { closeSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { round2 } from './rates';
import { isProcfs, openToKeep, procBuffer, readFdInto, readPathInto } from './read-proc';

/** USER_HZ: 100 on every Linux architecture Node supports. */
export const CLOCK_TICKS = 100;
export const TOP_PROCESSES = 20;
/** At most this many /proc/<pid>/stat descriptors are kept open (beyond that: open per read). */
export const MAX_KEPT_STAT_FDS = 1024;

export interface ProcStatEntry { pid: number; name: string; cpuTicks: number; startTicks: number }
export interface ProcessSummary { pid: number; name: string; user: string; cpuPercent: number; memBytes: number; command?: string }
/** Longest command line sent (characters); longer ones are cut. */
export const MAX_COMMAND_CHARS = 512;

/** /proc/<pid>/cmdline (NUL-separated arguments) as one line; '' for kernel threads. */
export function parseCmdline(buf: Buffer, len: number): string {
  let end = len;
  while (end > 0 && buf[end - 1] === 0) end--;
  // Separators and control characters as spaces (the frame schema rejects NUL); UTF-8 decoding never
  // yields a lone surrogate, and cutting by code points never splits a pair.
  const text = buf.toString('utf8', 0, Math.min(end, MAX_COMMAND_CHARS * 4)).replace(/[\u0000-\u001f\u007f]/g, ' ');
  return Array.from(text).slice(0, MAX_COMMAND_CHARS).join('');
}

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

/** Output of parsePidStatBytes (one reused object). */
export interface StatFields { nameStart: number; nameEnd: number; cpuTicks: number; startTicks: number }

const SPACE = 0x20;
const OPEN_PAREN = 0x28;
const CLOSE_PAREN = 0x29;

/** Unsigned decimal at buf[i, end), NaN if empty or not all digits (what Number() gives for these fields). */
function digitsAt(buf: Buffer, i: number, end: number): number {
  if (i >= end) return 0; // Number('') === 0, as parsePidStat
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}

/**
 * parsePidStat on the raw bytes of a stat line (buf[0, len)), without decoding it: fills `out`
 * (name as a byte range) and returns false when parsePidStat would return null. The pid is the
 * directory's, which is the line's own on procfs.
 */
export function parsePidStatBytes(buf: Buffer, len: number, out: StatFields): boolean {
  const close = len > 0 ? buf.lastIndexOf(CLOSE_PAREN, len - 1) : -1;
  if (close < 0) return false;
  const open = buf.indexOf(OPEN_PAREN);
  if (open < 0 || open > close) return false;
  let utime = NaN;
  let stime = NaN;
  let start = NaN;
  let field = 3;
  let i = close + 2;
  while (i < len && field <= 22) {
    let j = i;
    while (j < len && buf[j] !== SPACE) j++;
    if (field === 14) utime = digitsAt(buf, i, j);
    else if (field === 15) stime = digitsAt(buf, i, j);
    else if (field === 22) start = digitsAt(buf, i, j);
    field++;
    i = j + 1;
  }
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return false;
  out.nameStart = open + 1;
  out.nameEnd = close;
  out.cpuTicks = utime + stime;
  out.startTicks = start || 0;
  return true;
}

export function parseStatusUidRss(text: string): { uid: number | null; rssBytes: number } {
  const uid = /^Uid:\s+(\d+)/m.exec(text);
  const rss = /^VmRSS:\s+(\d+)\s*kB/m.exec(text);
  return { uid: uid ? Number(uid[1]) : null, rssBytes: rss ? Number(rss[1]) * 1024 : 0 };
}

const UID_KEY = Buffer.from('\nUid:', 'latin1');
const RSS_KEY = Buffer.from('\nVmRSS:', 'latin1');
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0b || c === 0x0c || c === 0x0d;

/** The number after `key` and whitespace in buf[0, len) (-1 if absent); `end` receives where the digits stop. */
function numberAfter(buf: Buffer, len: number, key: Buffer, end: { at: number }): number {
  const k = buf.indexOf(key);
  if (k < 0 || k + key.length > len) return -1;
  let i = k + key.length;
  while (i < len && isSpace(buf[i])) i++;
  if (i === k + key.length) return -1; // \s+ needs one
  let n = 0;
  const first = i;
  for (; i < len; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  end.at = i;
  return i > first ? n : -1;
}

const scratchEnd = { at: 0 };

/** parseStatusUidRss on the raw bytes of a status file (buf[0, len)). */
export function parseStatusBytes(buf: Buffer, len: number): { uid: number | null; rssBytes: number } {
  const uid = numberAfter(buf, len, UID_KEY, scratchEnd);
  let rssBytes = 0;
  const kb = numberAfter(buf, len, RSS_KEY, scratchEnd);
  if (kb >= 0) {
    let i = scratchEnd.at;
    while (i < len && isSpace(buf[i])) i++;
    if (i + 1 < len && buf[i] === 0x6b /* k */ && buf[i + 1] === 0x42 /* B */) rssBytes = kb * 1024;
  }
  return { uid: uid >= 0 ? uid : null, rssBytes };
}

export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && /^\d+$/.test(f[2]) && !users.has(Number(f[2]))) users.set(Number(f[2]), f[0]);
  }
  return users;
}

/** One process as last seen by a scan; lives as long as the process does. */
interface Tracked {
  pid: number;
  startTicks: number;
  cpuTicks: number;
  name: string;
  /** Kept /proc/<pid>/stat descriptor, -1 if none. */
  statFd: number;
  /** Kept /proc/<pid>/status descriptor while the process is in the top list, -1 if none. */
  statusFd: number;
  /** Scan number that last read it. */
  seen: number;
  /** This scan's CPU%. */
  pct: number;
  /** Command line, read once while the process is in the top list (undefined: not read yet). */
  command?: string;
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

export class ProcessCollector {
  private prevAtSec: number | undefined;
  private users: Map<number, string> | undefined;
  private readonly procs = new Map<number, Tracked>();
  private scanNo = 0;
  private keptStatFds = 0;
  /** Keep descriptors between scans: procfs only (a descriptor of an exited process fails with ESRCH). */
  private keep: boolean;
  /** Processes holding a status descriptor (the previous top list). */
  private statusHolders: Tracked[] = [];
  private readonly fields: StatFields = { nameStart: 0, nameEnd: 0, cpuTicks: 0, startTicks: 0 };

  constructor(
    private readonly procRoot: string,
    private readonly hostRoot: string,
    private readonly top = TOP_PROCESSES,
    procfs?: boolean,
    private readonly maxKeptStatFds = MAX_KEPT_STAT_FDS,
  ) {
    this.keep = procfs ?? isProcfs(procRoot);
  }

  /** Descriptors kept open right now (stat + status). */
  get openCount(): number {
    return this.keptStatFds + this.statusHolders.reduce((n, t) => n + (t.statusFd >= 0 ? 1 : 0), 0);
  }

  /** Whether descriptors are kept (false off procfs, or after the process ran out of descriptors). */
  get keepOpen(): boolean {
    return this.keep;
  }

  /** Close the kept descriptors (a later scan reopens them). */
  close(): void {
    for (const t of this.procs.values()) this.release(t);
    this.statusHolders = [];
  }

  private release(t: Tracked): void {
    if (t.statFd >= 0) {
      closeQuietly(t.statFd);
      t.statFd = -1;
      this.keptStatFds--;
    }
    if (t.statusFd >= 0) {
      closeQuietly(t.statusFd);
      t.statusFd = -1;
    }
  }

  /** Out of descriptors: hold none from now on (the socket needs them). */
  private stopKeeping(): void {
    this.keep = false;
    this.close();
  }

  /**
   * Read /proc/<pid>/<file> into the shared buffer through the descriptor kept in `t` (reopened
   * when it fails: the process behind it exited), or open + read + close. Throws if unreadable.
   */
  private readPidFile(t: Tracked, which: 'statFd' | 'statusFd', file: string, keepNew: boolean): number {
    const kept = t[which];
    if (kept >= 0) {
      try {
        return readFdInto(kept, true, true);
      } catch {
        closeQuietly(kept);
        t[which] = -1;
        if (which === 'statFd') this.keptStatFds--;
      }
    }
    const path = `${this.procRoot}/${t.pid}/${file}`;
    if (!this.keep || !keepNew) return readPathInto(path);
    const fd = openToKeep(path);
    if (fd === null) {
      this.stopKeeping();
      return readPathInto(path);
    }
    let len: number;
    try {
      len = readFdInto(fd, true, true);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    t[which] = fd;
    if (which === 'statFd') this.keptStatFds++;
    return len;
  }

  /** @param nowSec monotonic seconds; @param uptimeSec host uptime, for first-seen lifetime averages */
  collect(nowSec: number, uptimeSec: number): ProcessSummary[] {
    let names: string[];
    try {
      names = readdirSync(this.procRoot);
    } catch {
      return [];
    }
    const scan = ++this.scanNo;
    const dt = this.prevAtSec === undefined ? 0 : nowSec - this.prevAtSec;
    const fields = this.fields;
    const top: Tracked[] = [];
    const limit = this.top;

    for (let n = 0; n < names.length; n++) {
      const dir = names[n];
      const c = dir.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(dir);
      if (!Number.isSafeInteger(pid)) continue;
      let t = this.procs.get(pid);
      if (t === undefined) {
        t = { pid, startTicks: -1, cpuTicks: 0, name: '', statFd: -1, statusFd: -1, seen: -1, pct: 0 };
        this.procs.set(pid, t);
      }
      let len: number;
      try {
        len = this.readPidFile(t, 'statFd', 'stat', this.keptStatFds < this.maxKeptStatFds);
      } catch {
        continue; // the process exited between readdir and read (forgotten below)
      }
      const buf = procBuffer();
      if (!parsePidStatBytes(buf, len, fields)) continue; // forgotten below, like an exited one
      const cpuTicks = fields.cpuTicks;
      // The previous scan's reading of the same process (a reused pid has another start time).
      const before = t.seen === scan - 1 && t.startTicks === fields.startTicks ? t.cpuTicks : -1;
      if (t.startTicks !== fields.startTicks) t.command = undefined; // a new process behind a reused pid
      t.startTicks = fields.startTicks;
      t.cpuTicks = cpuTicks;
      t.seen = scan;
      t.name = buf.toString('latin1', fields.nameStart, fields.nameEnd);
      let pct: number;
      if (before >= 0 && dt > 0) {
        pct = ((cpuTicks - before) / CLOCK_TICKS / dt) * 100;
      } else {
        const aliveSec = uptimeSec - t.startTicks / CLOCK_TICKS;
        pct = aliveSec > 0 ? (cpuTicks / CLOCK_TICKS / aliveSec) * 100 : 0;
      }
      t.pct = Math.max(0, round2(pct));
      insertTop(top, t, limit);
    }
    // Processes that are gone (or unreadable this scan): forget them, close their descriptors.
    for (const t of this.procs.values()) {
      if (t.seen !== scan) {
        this.release(t);
        this.procs.delete(t.pid);
      }
    }
    this.prevAtSec = nowSec;

    const out: ProcessSummary[] = [];
    for (let i = 0; i < top.length; i++) {
      const t = top[i];
      let status: { uid: number | null; rssBytes: number };
      try {
        const len = this.readPidFile(t, 'statusFd', 'status', true);
        status = parseStatusBytes(procBuffer(), len);
      } catch {
        continue; // exited meanwhile
      }
      const p: ProcessSummary = { pid: t.pid, name: t.name.slice(0, 255), user: this.userName(status.uid), cpuPercent: t.pct, memBytes: status.rssBytes };
      const command = this.command(t);
      if (command) p.command = command;
      out.push(p);
    }
    // Status descriptors are kept for the current top list only.
    for (const t of this.statusHolders) {
      if (t.statusFd >= 0 && !top.includes(t)) {
        closeQuietly(t.statusFd);
        t.statusFd = -1;
      }
    }
    this.statusHolders = top;
    return out;
  }

  /** The command line of a top process: read once per process (a pid with a new start time is a new one). */
  private command(t: Tracked): string {
    if (t.command === undefined) {
      try {
        const len = readPathInto(`${this.procRoot}/${t.pid}/cmdline`); // may replace the shared buffer: read it after
        t.command = parseCmdline(procBuffer(), len);
      } catch {
        t.command = '';
      }
    }
    return t.command;
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

/**
 * Insert `t` into `top` (sorted by CPU% then lifetime CPU ticks, both descending; at most `limit`
 * long). Ties go after the ones already there: the same order as a stable sort of the scan order.
 */
function insertTop(top: Tracked[], t: Tracked, limit: number): void {
  let i = top.length;
  while (i > 0) {
    const o = top[i - 1];
    if (o.pct > t.pct || (o.pct === t.pct && o.cpuTicks >= t.cpuTicks)) break;
    i--;
  }
  if (i >= limit) return;
  if (top.length === limit) top.pop();
  top.splice(i, 0, t);
}
