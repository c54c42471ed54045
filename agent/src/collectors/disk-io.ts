/**
 * Disk throughput from /proc/diskstats, summed over whole physical disks only (partitions,
 * loop, ram, zram, device-mapper and md devices would count the same bytes twice or are not disks).
 * Sector counts in diskstats are always in 512-byte units.
 */
import { counterRate } from './rates';

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

export function parseDiskstats(text: string): DiskIoCounters {
  let readBytes = 0;
  let writeBytes = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !isWholeDisk(f[2])) continue;
    readBytes += (Number(f[5]) || 0) * 512;
    writeBytes += (Number(f[9]) || 0) * 512;
  }
  return { readBytes, writeBytes };
}

export function diskIoRates(prev: DiskIoCounters | undefined, cur: DiskIoCounters, dtSec: number): { readBps: number; writeBps: number } {
  return { readBps: counterRate(prev?.readBytes, cur.readBytes, dtSec), writeBps: counterRate(prev?.writeBytes, cur.writeBytes, dtSec) };
}
