import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import type { CommandRecord } from '@chatops/protocol';
import { button, q, qa, text } from '../../../testing/dom';
import { FakeLiveSocketService } from '../../../testing/fake-live-socket';
import { nextRequest } from '../../../testing/http-helpers';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { CommandHistoryComponent, HISTORY_PAGE_SIZE } from './command-history.component';

function record(i: number, partial: Partial<CommandRecord> = {}): CommandRecord {
  return {
    commandId: `c${i}`, command: `echo ${i}`, status: 'completed', exitCode: 0, output: `${i}\n`, stderr: '', durationMs: 5, truncated: false,
    serverId: 's1', userId: 'u1', error: null, timedOut: false, ip: null, createdAt: new Date(Date.now() - i * 60_000).toISOString(), finishedAt: null,
    ...partial,
  };
}
const page = (from: number, n: number) => Array.from({ length: n }, (_, k) => record(from + k));

describe('CommandHistoryComponent', () => {
  let fixture: ComponentFixture<CommandHistoryComponent>;
  let http: HttpTestingController;
  let live: FakeLiveSocketService;
  let rerun: string[];
  let firstPages: CommandRecord[][];

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(), provideHttpClientTesting(), { provide: LiveSocketService, useClass: FakeLiveSocketService },
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    live = TestBed.inject(LiveSocketService) as unknown as FakeLiveSocketService;
    fixture = TestBed.createComponent(CommandHistoryComponent);
    fixture.componentRef.setInput('serverId', 's1');
    fixture.componentRef.setInput('userId', 'u1');
    rerun = [];
    firstPages = [];
    fixture.componentInstance.rerun.subscribe((c) => rerun.push(c));
    fixture.componentInstance.firstPage.subscribe((p) => firstPages.push(p));
    await fixture.whenStable();
  });
  afterEach(() => http.verify());

  const historyReq = () => http.expectOne((r) => r.url === '/api/v1/commands/s1/history');
  const rows = () => qa(fixture, '[data-testid=history-row]');
  const commands = () => rows().map((r) => r.querySelector('code')?.textContent);

  it('pages with "Load more" (before = the last command of the page) while pages are full', async () => {
    historyReq().flush(page(0, HISTORY_PAGE_SIZE));
    await fixture.whenStable();
    expect(rows()).toHaveLength(HISTORY_PAGE_SIZE);
    expect(firstPages).toHaveLength(1);
    q<HTMLButtonElement>(fixture, '[data-testid=history-more]').click();
    await fixture.whenStable();
    const more = historyReq();
    expect(more.request.params.get('before')).toBe(`c${HISTORY_PAGE_SIZE - 1}`);
    more.flush(page(HISTORY_PAGE_SIZE, 3));
    await fixture.whenStable();
    expect(rows()).toHaveLength(HISTORY_PAGE_SIZE + 3);
    expect(qa(fixture, '[data-testid=history-more]')).toHaveLength(0); // a short page is the last one
    expect(firstPages).toHaveLength(1);
  });

  it('filters by status and by text (debounced), and says when nothing matches', async () => {
    historyReq().flush(page(0, 2));
    await fixture.whenStable();
    q(fixture, '[data-testid=history-status] .mat-mdc-select-trigger').click();
    await fixture.whenStable();
    const failed = Array.from(document.querySelectorAll<HTMLElement>('mat-option')).find((o) => o.textContent?.trim() === 'Failed')!;
    failed.click();
    await fixture.whenStable();
    const byStatus = historyReq();
    expect(byStatus.request.params.get('status')).toBe('failed');
    byStatus.flush([record(7, { status: 'failed', exitCode: 1 })]);
    await fixture.whenStable();
    expect(commands()).toEqual(['echo 7']);

    const search = q<HTMLInputElement>(fixture, '[data-testid=history-q]');
    search.value = 'd';
    search.dispatchEvent(new Event('input'));
    search.value = 'df';
    search.dispatchEvent(new Event('input'));
    const byText = await nextRequest(http, '/api/v1/commands/s1/history', 5_000); // after the 300 ms debounce
    expect(byText.request.params.get('q')).toBe('df');
    expect(byText.request.params.get('status')).toBe('failed');
    byText.flush([]);
    await fixture.whenStable();
    expect(text(fixture)).toContain('No command matches');
    expect(firstPages).toHaveLength(1);
  });

  it('expands a row to its whole output (stdout, then stderr marked apart), and collapses it', async () => {
    historyReq().flush([record(1, { command: 'make', output: 'preview', preview: true })]);
    await fixture.whenStable();
    const toggle = q<HTMLButtonElement>(fixture, '[data-testid=history-toggle]');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    toggle.click();
    await fixture.whenStable();
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    http.expectOne('/api/v1/commands/item/c1').flush(record(1, { command: 'make', output: 'all of it\n', stderr: 'warn\n', exitCode: 2, status: 'failed' }));
    await fixture.whenStable();
    const out = q(fixture, '[data-testid=history-row] [data-testid=output]');
    expect(Array.from(out.children).map((s) => [s.className, s.textContent])).toEqual([['stdout', 'all of it\n'], ['stderr', 'warn\n']]);
    toggle.click();
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=history-row] [data-testid=output]')).toHaveLength(0);
  });

  it('adds commands that finish while it is open at the top, and re-runs a row', async () => {
    historyReq().flush([record(1)]);
    await fixture.whenStable();
    live.emit('command_finished', { serverId: 's1', command: record(0, { command: 'uptime' }) });
    live.emit('command_finished', { serverId: 's2', command: record(9, { command: 'elsewhere' }) });
    await fixture.whenStable();
    expect(commands()).toEqual(['uptime', 'echo 1']);
    const rerunButton = rows()[1].querySelector<HTMLButtonElement>('[data-testid=history-rerun]')!;
    // Its accessible name starts with what it shows (WCAG 2.5.3: a voice user says "Re-run").
    expect(rerunButton.textContent?.trim()).toBe('Re-run');
    expect(rerunButton.getAttribute('aria-label')).toBe('Re-run echo 1');
    rerunButton.click();
    expect(rerun).toEqual(['echo 1']);
    expect(rows()[0].textContent).toContain('you');
  });

  it('shows the empty state, and an error with a retry', async () => {
    historyReq().flush([]);
    await fixture.whenStable();
    expect(text(fixture)).toContain('No command has run on this server yet');
    fixture.componentRef.setInput('serverId', 's2');
    await fixture.whenStable();
    http.expectOne((r) => r.url === '/api/v1/commands/s2/history').flush({ message: 'boom' }, { status: 500, statusText: 'Server Error' });
    await fixture.whenStable();
    expect(text(fixture)).toContain('Could not load the history');
    button(fixture, 'Try again').click();
    await fixture.whenStable();
    http.expectOne((r) => r.url === '/api/v1/commands/s2/history').flush([record(3)]);
    await fixture.whenStable();
    expect(commands()).toEqual(['echo 3']);
  });
});
