import { TestBed } from '@angular/core/testing';
import type { ProcessSummary } from '@chatops/protocol';
import { qa } from '../../../testing/dom';
import { ProcessTableComponent, sortProcesses } from './process-table.component';

const procs: ProcessSummary[] = [
  { pid: 10, name: 'postgres', user: 'postgres', cpuPercent: 3, memBytes: 900 * 1024 ** 2, command: 'postgres -D /var/lib/postgresql/data' },
  { pid: 11, name: 'node', user: 'app', cpuPercent: 97, memBytes: 300 * 1024 ** 2, command: 'node dist/main.js --port 3000' },
  { pid: 12, name: 'sshd', user: 'root', cpuPercent: 85, memBytes: 8 * 1024 ** 2 },
];

describe('ProcessTableComponent', () => {
  it('sorts numbers and text, ties by PID', () => {
    expect(sortProcesses(procs, 'memBytes', 'desc').map((p) => p.pid)).toEqual([10, 11, 12]);
    expect(sortProcesses(procs, 'name', 'asc').map((p) => p.name)).toEqual(['node', 'postgres', 'sshd']);
    expect(sortProcesses([{ ...procs[0], pid: 2 }, { ...procs[0], pid: 1 }], 'cpuPercent', 'desc').map((p) => p.pid)).toEqual([1, 2]);
  });

  it('shows the age, sorts on a header click, marks high CPU with a word, and has the command line on hover', async () => {
    const fixture = TestBed.createComponent(ProcessTableComponent);
    const now = Date.now();
    fixture.componentRef.setInput('processes', procs);
    fixture.componentRef.setInput('at', new Date(now - 20_000).toISOString());
    fixture.componentRef.setInput('now', now);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    expect(el.querySelector('[data-testid=processes-age]')?.textContent).toContain('As of 20 s ago');
    const names = () => qa(fixture, 'tbody tr').map((r) => r.querySelector('td')?.textContent?.trim());
    expect(names()).toEqual(['node', 'sshd', 'postgres']); // CPU, highest first
    expect(el.querySelector('th[aria-sort]')?.textContent).toContain('CPU');

    const header = (label: string) => qa(fixture, 'th button').find((b) => b.textContent?.includes(label))!;
    header('Memory').click();
    await fixture.whenStable();
    expect(names()).toEqual(['postgres', 'node', 'sshd']);
    expect(el.querySelector('th[aria-sort]')?.getAttribute('aria-sort')).toBe('descending');
    header('Memory').click();
    await fixture.whenStable();
    expect(names()).toEqual(['sshd', 'node', 'postgres']);
    expect(el.querySelector('th[aria-sort]')?.getAttribute('aria-sort')).toBe('ascending');

    const rows = qa(fixture, 'tbody tr');
    const node = rows.find((r) => r.textContent?.includes('node'))!;
    expect(node.querySelector('td')?.getAttribute('title')).toBe('node dist/main.js --port 3000');
    expect(node.textContent).toContain('critical');
    expect(rows.find((r) => r.textContent?.includes('sshd'))!.textContent).toContain('warning');
    expect(rows.find((r) => r.textContent?.includes('sshd'))!.querySelector('td')?.getAttribute('title')).toBe('sshd'); // no command: the name
  });
});
