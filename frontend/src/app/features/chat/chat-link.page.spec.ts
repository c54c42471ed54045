import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { ChatLink, ChatLinkPreview } from '@chatops/protocol/chatops';
import { authResponse } from '../../../testing/auth-fixtures';
import { button, q, text } from '../../../testing/dom';
import { AuthService } from '../../core/auth/auth.service';
import { ChatLinkPage } from './chat-link.page';

const PREVIEW: ChatLinkPreview = { provider: 'slack', teamId: 'T0001', chatUserId: 'U42', chatUserName: 'ada.l', expiresAt: '2026-11-29T06:10:00.000Z' };
const LINK: ChatLink = { id: 'l1', provider: 'slack', teamId: 'T0001', chatUserId: 'U42', chatUserName: 'ada.l', createdAt: '2026-11-29T06:01:00.000Z' };

describe('ChatLinkPage', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({ imports: [ChatLinkPage], providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    TestBed.inject(AuthService).login({ username: 'ada', password: 'pw' }).subscribe();
    http.expectOne('/api/v1/auth/login').flush(authResponse(1));
  });
  afterEach(() => http.verify());

  async function open(token: string | undefined): Promise<ComponentFixture<ChatLinkPage>> {
    const fixture = TestBed.createComponent(ChatLinkPage);
    fixture.componentRef.setInput('token', token);
    await fixture.whenStable();
    return fixture;
  }

  function errorBody(statusCode: number, code: string) {
    return { statusCode, error: 'x', message: 'refused', requestId: 'req-1', code };
  }

  it('asks who to link from the preview, then links on confirm and points to Profile', async () => {
    const fixture = await open('tok-abcdefghijklmnop');
    expect(text(fixture)).toContain('Checking the link');
    const preview = http.expectOne({ method: 'POST', url: '/api/v1/chatops/links/preview' });
    expect(preview.request.body).toEqual({ token: 'tok-abcdefghijklmnop' });
    preview.flush(PREVIEW);
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=link-question]').textContent?.replace(/\s+/g, ' ').trim())
      .toBe('Link the Slack user @ada.l (team T0001) to your ChatOps account ada?');

    button(fixture, 'Link').click();
    await fixture.whenStable();
    expect(button(fixture, 'Linking…').disabled).toBe(true);
    const confirm = http.expectOne({ method: 'POST', url: '/api/v1/chatops/links/confirm' });
    expect(confirm.request.body).toEqual({ token: 'tok-abcdefghijklmnop' });
    confirm.flush(LINK);
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=link-done]').textContent).toContain('You can now use /chatops in Slack');
    expect(button(fixture, /Profile/).getAttribute('href')).toBe('/profile');
  });

  it('cancelling links nothing', async () => {
    const fixture = await open('tok-abcdefghijklmnop');
    http.expectOne('/api/v1/chatops/links/preview').flush(PREVIEW);
    await fixture.whenStable();
    button(fixture, 'Cancel').click();
    await fixture.whenStable();
    http.expectNone('/api/v1/chatops/links/confirm');
    expect(text(fixture)).toContain('Nothing was linked');
  });

  it('says so when the address has no token, without asking the server', async () => {
    const fixture = await open(undefined);
    http.expectNone('/api/v1/chatops/links/preview');
    expect(q(fixture, '[data-testid=link-missing]').textContent).toContain('no token');
  });

  it.each([
    [404, 'chat.link_unknown', 'not valid'],
    [409, 'chat.link_used', 'already used'],
    [410, 'chat.link_expired', 'expired'],
  ])('explains a %s %s token at preview', async (status, code, words) => {
    const fixture = await open('tok-abcdefghijklmnop');
    http.expectOne('/api/v1/chatops/links/preview').flush(errorBody(status, code), { status, statusText: 'x' });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=link-refused]').textContent).toContain(words);
    expect(text(fixture)).not.toContain('Link the');
  });

  it('explains a token used by someone else between preview and confirm', async () => {
    const fixture = await open('tok-abcdefghijklmnop');
    http.expectOne('/api/v1/chatops/links/preview').flush(PREVIEW);
    await fixture.whenStable();
    button(fixture, 'Link').click();
    http.expectOne('/api/v1/chatops/links/confirm').flush(errorBody(409, 'chat.link_used'), { status: 409, statusText: 'Conflict' });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=link-refused]').textContent).toContain('already used');
  });

  it('shows other failures with the request id and retries', async () => {
    const fixture = await open('tok-abcdefghijklmnop');
    http.expectOne('/api/v1/chatops/links/preview').flush({ statusCode: 500, error: 'x', message: 'Internal server error', requestId: 'req-9' }, { status: 500, statusText: 'x' });
    await fixture.whenStable();
    expect(q(fixture, '[role=alert]').textContent).toContain('Internal server error (request req-9)');
    button(fixture, 'Try again').click();
    http.expectOne('/api/v1/chatops/links/preview').flush(PREVIEW);
    await fixture.whenStable();
    expect(text(fixture)).toContain('Link the Slack user @ada.l');
  });
});
