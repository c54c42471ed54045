import { buildSeries, DetailRow, detailOf, isVirtualInterface, MAX_DETAIL_IFACES, MAX_DETAIL_MOUNTS, quoteArrayElement } from './detail-series';
import { makeSample } from '../../../test/support/agent-client';

describe('detail series', () => {
  it('keeps real interfaces (sorted, capped), the largest mounts and disk I/O, rounded', () => {
    const network = ['wlan0', 'eth0', 'veth9f', 'docker0', 'br-1a2b', 'ifb0', 'lo', ...Array.from({ length: 12 }, (_, i) => `wg${i}`)].map((iface) => ({
      iface, rxBytes: 1, txBytes: 1, rxBps: 1234.56, txBps: 0.4,
    }));
    const disks = Array.from({ length: 10 }, (_, i) => ({ mount: `/m${i}`, fs: 'x', type: 'ext4', totalBytes: (i + 1) * 1e9, usedBytes: 1, percent: 12.345 }));
    const d = JSON.parse(detailOf(makeSample(1, 'b', { network, disks, diskIo: { readBps: 10.6, writeBps: 0 } }))!);
    const ifaces = Object.keys(d).filter((k) => k.startsWith('n:'));
    expect(ifaces).toHaveLength(MAX_DETAIL_IFACES);
    expect(ifaces).toEqual([...ifaces].sort());
    expect(ifaces.some((k) => /veth|docker0|br-|ifb|:lo$/.test(k))).toBe(false);
    expect(d['n:eth0']).toEqual([1235, 0]);
    expect(d['n:wlan0']).toBeUndefined(); // past the cap by name
    const mounts = Object.keys(d).filter((k) => k.startsWith('m:'));
    expect(mounts).toHaveLength(MAX_DETAIL_MOUNTS);
    expect(mounts).not.toContain('m:/m0'); // the two smallest are left out
    expect(mounts).not.toContain('m:/m1');
    expect(d['m:/m9']).toEqual([12.3]);
    expect(d.io).toEqual([11, 0]);
  });

  it('stores nothing for a sample without interfaces, mounts or disk I/O', () => {
    expect(detailOf(makeSample(1, 'b', { network: [], disks: [], diskIo: undefined }))).toBeNull();
    expect(isVirtualInterface('eth0')).toBe(false);
    expect(isVirtualInterface('vethabc')).toBe(true);
  });

  it('quotes json text as an array literal element (quotes, backslashes, commas, braces)', () => {
    expect(quoteArrayElement('{"m:/a\\\\b,c":[1]}')).toBe('"{\\"m:/a\\\\\\\\b,c\\":[1]}"');
    expect(quoteArrayElement(null)).toBe('NULL');
  });

  it('builds columns aligned with the points, sorted by name, only for the kinds asked for', () => {
    const rows: DetailRow[] = [
      { k: 60, series: 'n:eth1', a: 5, a_max: 6, b: 7, b_max: 8 },
      { k: 0, series: 'n:eth0', a: 1.234, a_max: 2, b: 3, b_max: 4 },
      { k: 120, series: 'm:/', a: 40, a_max: 41, b: null, b_max: null },
      { k: 600, series: 'io', a: 1, a_max: 1, b: 1, b_max: 1 }, // past the end: ignored
    ];
    const round = (v: number | null) => (v == null ? null : Math.round(v * 100) / 100);
    const s = buildSeries(rows, ['network', 'diskio'], 3, 60_000, round);
    expect(s.network!.map((n) => n.iface)).toEqual(['eth0', 'eth1']);
    expect(s.network![0].rxBps).toEqual([1.23, null, null]);
    expect(s.network![1].txBpsMax).toEqual([null, 8, null]);
    expect(s.mounts).toBeUndefined();
    expect(s.diskIo!.readBps).toEqual([null, null, null]);
  });
});
