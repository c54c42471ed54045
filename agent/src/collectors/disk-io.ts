/**
 * Disk throughput from /proc/diskstats, summed over whole physical disks only (partitions,
 * loop, ram, zram, device-mapper and md devices would count the same bytes twice or are not disks).
 * Sector counts in diskstats are always in 512-byte units.
 */
import { counterRate } from './rates';
import { fieldNumber, fieldText, scanFields } from './tokens';

export interface DiskIoCounters { readBytes: number; writeBytes: number }

const VIRTUAL = /^(loop|ram|zram|dm-|md|sr|fd|nbd)\d*/;
const PARTITION = [
  /^(sd|vd|xvd|hd)[a-z]+\d+$/, // sda1, vdb2, xvda1
  /^(nvme\d+n\d+|mmcblk\d+|nbd\d+)p\d+$/, // nvme0n1p1, mmcblk0p2
];

export function isWholeDisk(name: string): boolean {
  if (VIRTUAL.test(name)) return false;
  return !PARTITION.some((re) => re.test(name));
}

/** isWholeDisk per device name (the same few names every tick; bounded in case devices churn). */
const wholeDiskCache = new Map<string, boolean>();

function isWholeDiskCached(name: string): boolean {
  let whole = wholeDiskCache.get(name);
  if (whole === undefined) {
    if (wholeDiskCache.size >= 4096) wholeDiskCache.clear();
    whole = isWholeDisk(name);
    wholeDiskCache.set(name, whole);
  }
  return whole;
}

export function parseDiskstats(text: string): DiskIoCounters {
  let readBytes = 0;
  let writeBytes = 0;
  const len = text.length;
  let pos = 0;
  while (pos < len) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = len;
    if (scanFields(text, pos, end, 10) >= 10 && isWholeDiskCached(fieldText(text, 2))) {
      readBytes += (fieldNumber(text, 5) || 0) * 512;
      writeBytes += (fieldNumber(text, 9) || 0) * 512;
    }
    pos = end + 1;
  }
  return { readBytes, writeBytes };
}

export function diskIoRates(prev: DiskIoCounters | undefined, cur: DiskIoCounters, dtSec: number): { readBps: number; writeBps: number } {
  return { readBps: counterRate(prev?.readBytes, cur.readBytes, dtSec), writeBps: counterRate(prev?.writeBytes, cur.writeBytes, dtSec) };
}
