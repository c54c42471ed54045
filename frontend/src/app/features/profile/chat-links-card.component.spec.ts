import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import type { ChatLink } from '@chatops/protocol/chatops';
import { button, qa, text } from '../../../testing/dom';
import { NotifyService } from '../../core/notify/notify.service';
import { ChatLinksCardComponent } from './chat-links-card.component';

const LINKS: ChatLink[] = [
  { id: 'l1', provider: 'slack', teamId: 'T0001', chatUserId: 'U42', chatUserName: 'ada.l', createdAt: '2026-11-01T10:00:00.000Z' },
  { id: 'l2', provider: 'mattermost', teamId: 'mm-team', chatUserId: 'u-77', chatUserName: null, createdAt: '2026-11-02T10:00:00.000Z' },
];

describe('ChatLinksCardComponent', () => {
  let fixture: ComponentFixture<ChatLinksCardComponent>;
  let http: HttpTestingController;
  let success: jest.SpyInstance;

  beforeEach(async () => {
    TestBed.configureTestingModule({ imports: [ChatLinksCardComponent], providers: [provideHttpClient(), provideHttpClientTesting(), { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } }] });
    http = TestBed.inject(HttpTestingController);
    success = jest.spyOn(TestBed.inject(NotifyService), 'success').mockResolvedValue();
    fixture = TestBed.createComponent(ChatLinksCardComponent);
    await fixture.whenStable();
  });
  afterEach(() => {
    document.querySelectorAll('.cdk-overlay-container').forEach((e) => (e.innerHTML = ''));
    http.verify();
  });

  const dialog = () => document.querySelector('app-confirm-dialog') as HTMLElement;

  it('explains how to link when there is no link yet', async () => {
    http.expectOne('/api/v1/chatops/links').flush([]);
    await fixture.whenStable();
    expect(text(fixture)).toContain('No chat accounts linked. Type link to ChatOps in Slack (/chatops link) or Mattermost');
  });

  it('lists the links with provider, chat user, team and date; Unlink asks first, then removes and toasts', async () => {
    http.expectOne('/api/v1/chatops/links').flush(LINKS);
    await fixture.whenStable();
    const rows = qa(fixture, '[data-testid=chat-link]').map((r) => r.textContent?.replace(/\s+/g, ' ').trim());
    expect(rows[0]).toMatch(/^Slack · @ada\.l Team T0001 · since Nov 1, 2026/);
    expect(rows[1]).toMatch(/^Mattermost · u-77 Team mm-team · since Nov 2, 2026/);

    // Cancelled: nothing removed.
    button(fixture, 'Unlink').click();
    await fixture.whenStable();
    expect(dialog().textContent).toContain('Unlink Slack user?');
    expect(dialog().textContent).toContain('@ada.l (team T0001) will no longer act as you');
    button(fixture, 'Cancel', dialog()).click();
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r, 0));
    http.expectNone({ method: 'DELETE' });

    button(fixture, 'Unlink').click();
    await fixture.whenStable();
    dialog().querySelector<HTMLButtonElement>('[data-testid=confirm-button]')!.click();
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r, 0));
    http.expectOne({ method: 'DELETE', url: '/api/v1/chatops/links/l1' }).flush(null, { status: 204, statusText: 'No Content' });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=chat-link]')).toHaveLength(1);
    expect(success).toHaveBeenCalledWith('Slack user @ada.l unlinked');
  });
});
