import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import type { ChatIntegrationStatus } from '@chatops/protocol/chatops';
import { button, q, qa, type } from '../../../testing/dom';
import { NotifyService } from '../../core/notify/notify.service';
import { ChatIntegrationsCardComponent } from './chat-integrations-card.component';

const SLACK_OFF: ChatIntegrationStatus = { provider: 'slack', configured: false, source: null, updatedAt: null };
const SLACK_STORED: ChatIntegrationStatus = { provider: 'slack', configured: true, source: 'stored', updatedAt: '2026-11-29T06:00:00.000Z' };
const MM_ENV: ChatIntegrationStatus = { provider: 'mattermost', configured: true, source: 'env', updatedAt: null };

describe('ChatIntegrationsCardComponent', () => {
  let fixture: ComponentFixture<ChatIntegrationsCardComponent>;
  let http: HttpTestingController;
  let success: jest.SpyInstance;

  beforeEach(async () => {
    TestBed.configureTestingModule({ imports: [ChatIntegrationsCardComponent], providers: [provideHttpClient(), provideHttpClientTesting(), { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } }] });
    http = TestBed.inject(HttpTestingController);
    success = jest.spyOn(TestBed.inject(NotifyService), 'success').mockResolvedValue();
    fixture = TestBed.createComponent(ChatIntegrationsCardComponent);
    await fixture.whenStable();
  });
  afterEach(() => {
    document.querySelectorAll('.cdk-overlay-container').forEach((e) => (e.innerHTML = ''));
    http.verify();
  });

  const section = (p: string) => q(fixture, `[data-testid=integration-${p}]`);
  const secretInput = (p: string) => section(p).querySelector<HTMLInputElement>('input')!;
  const dialog = () => document.querySelector('app-confirm-dialog') as HTMLElement;

  async function load(slack: ChatIntegrationStatus, mattermost: ChatIntegrationStatus): Promise<void> {
    http.expectOne('/api/v1/chatops/integrations/slack').flush(slack);
    http.expectOne('/api/v1/chatops/integrations/mattermost').flush(mattermost);
    await fixture.whenStable();
  }

  it('shows each provider’s status and source, with write-only password fields', async () => {
    await load(SLACK_OFF, MM_ENV);
    expect(section('slack').textContent).toContain('Not configured');
    expect(section('mattermost').textContent).toContain('Configured from the environment (MATTERMOST_TOKEN)');
    expect(qa<HTMLInputElement>(fixture, 'input').map((i) => [i.type, i.value])).toEqual([['password', ''], ['password', '']]);
    // Nothing stored here: nothing to remove.
    expect(qa(fixture, 'button').map((b) => b.textContent?.trim())).not.toContain('Remove');
  });

  it('sets the Slack signing secret (checked like the API: 8+ characters, no spaces), clears the field, toasts', async () => {
    await load(SLACK_OFF, MM_ENV);
    const save = button(fixture, 'Save', section('slack'));
    type(secretInput('slack'), 'short');
    await fixture.whenStable();
    expect(save.disabled).toBe(true);
    expect(section('slack').textContent).toContain('8 to 256 characters, no spaces.');

    type(secretInput('slack'), '8f14e45fceea167a5a36dedd4bea2543');
    await fixture.whenStable();
    expect(save.disabled).toBe(false);
    save.click();
    const put = http.expectOne({ method: 'PUT', url: '/api/v1/chatops/integrations/slack' });
    expect(put.request.body).toEqual({ signingSecret: '8f14e45fceea167a5a36dedd4bea2543' });
    put.flush(SLACK_STORED);
    await fixture.whenStable();
    expect(section('slack').textContent).toContain('Configured here, updated Nov 29, 2026');
    expect(secretInput('slack').value).toBe('');
    expect(success).toHaveBeenCalledWith('Slack signing secret saved');
  });

  it('sends the Mattermost token as {token}', async () => {
    await load(SLACK_OFF, MM_ENV);
    type(secretInput('mattermost'), 'mm-token-1234567');
    await fixture.whenStable();
    button(fixture, 'Save', section('mattermost')).click();
    const put = http.expectOne({ method: 'PUT', url: '/api/v1/chatops/integrations/mattermost' });
    expect(put.request.body).toEqual({ token: 'mm-token-1234567' });
    put.flush({ ...MM_ENV, source: 'stored', updatedAt: '2026-11-29T06:00:00.000Z' });
  });

  it('removes a stored secret after confirming', async () => {
    await load(SLACK_STORED, MM_ENV);
    button(fixture, 'Remove', section('slack')).click();
    await fixture.whenStable();
    expect(dialog().textContent).toContain('Remove the Slack signing secret?');
    dialog().querySelector<HTMLButtonElement>('[data-testid=confirm-button]')!.click();
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r, 0));
    http.expectOne({ method: 'DELETE', url: '/api/v1/chatops/integrations/slack' }).flush(SLACK_OFF);
    await fixture.whenStable();
    expect(section('slack').textContent).toContain('Not configured');
    expect(success).toHaveBeenCalledWith('Slack signing secret removed');
  });
});
