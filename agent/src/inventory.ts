/**
 * Host inventory for `hello`, gathered once at start, from the host's /etc (under --host-root in
 * sidecar mode, where systeminformation would describe the container), with systeminformation as
 * the fallback where /etc/os-release is missing.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

export interface Inventory { hostname: string; os: string; arch: string }

export function parseOsRelease(text: string): string | undefined {
  const vals = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) vals.set(m[1], m[2].replace(/^["']|["']$/g, ''));
  }
  return vals.get('PRETTY_NAME') || [vals.get('NAME'), vals.get('VERSION_ID')].filter(Boolean).join(' ') || undefined;
}

function readOsRelease(root: string): string | undefined {
  for (const rel of ['etc/os-release', 'usr/lib/os-release']) {
    try {
      const name = parseOsRelease(readFileSync(join(root, rel), 'utf8'));
      if (name) return name;
    } catch {
      // try the next location
    }
  }
  return undefined;
}

async function systeminformationOs(): Promise<string | undefined> {
  try {
    // Loaded lazily: only this one call at start needs it.
    const si = await import('systeminformation');
    const info = await Promise.race([
      si.osInfo(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000).unref()),
    ]);
    const name = [info.distro, info.release].filter((x) => x && x !== 'unknown').join(' ');
    return name || undefined;
  } catch {
    return undefined;
  }
}

export async function gatherInventory(hostRoot: string, useSysteminformation = true): Promise<Inventory> {
  const sidecar = hostRoot !== '/';
  let hostname = os.hostname();
  if (sidecar) {
    try {
      hostname = readFileSync(join(hostRoot, 'etc', 'hostname'), 'utf8').trim() || hostname;
    } catch {
      // keep the container's hostname (set it with `hostname:` in compose)
    }
  }
  // /etc/os-release is what systeminformation reads on Linux too; reading it directly saves ~3 MB
  // of resident memory. systeminformation covers hosts without it (other platforms).
  const osName =
    readOsRelease(hostRoot) ??
    (!sidecar && useSysteminformation ? await systeminformationOs() : undefined) ??
    `${os.type()} ${os.release()}`;
  return { hostname: hostname.slice(0, 255), os: osName.slice(0, 255), arch: os.arch() };
}
