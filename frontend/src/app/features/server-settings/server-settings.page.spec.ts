import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { Router, provideRouter } from '@angular/router';
import type { ApiKey } from '@chatops/protocol';
import { SKIP_ERROR_TOAST } from '../../core/api/api-config';
import { server } from '../../../testing/auth-fixtures';
import { button, q, qa, text, type } from '../../../testing/dom';
import { ServerSettingsPage } from './server-settings.page';

const SRV = server({ id: 's1', name: 'prod-db', host: 'db.local', port: 22, metadata: { env: 'prod' } });
const KEYS: ApiKey[] = [
  { id: 'k1', serverId: 's1', name: 'default', keyPrefix: 'cok_Ab12Cd34', isActive: true, expiresAt: null, lastUsedAt: null, createdAt: '2026-01-01T00:00:00Z' },
  { id: 'k2', serverId: 's1', name: 'default', keyPrefix: 'cok_Zz98Yy76', isActive: true, expiresAt: null, lastUsedAt: null, createdAt: '2026-01-01T00:00:00Z' },
];

describe('ServerSettingsPage', () => {
  let fixture: ComponentFixture<ServerSettingsPage>;
  let http: HttpTestingController;
  let router: Router;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      imports: [ServerSettingsPage],
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting(), { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } }],
    });
    http = TestBed.inject(HttpTestingController);
    router = TestBed.inject(Router);
    jest.spyOn(router, 'navigateByUrl').mockResolvedValue(true);
    fixture = TestBed.createComponent(ServerSettingsPage);
    fixture.componentRef.setInput('id', 's1');
    await fixture.whenStable();
  });
  afterEach(() => {
    document.querySelectorAll('.cdk-overlay-container').forEach((e) => (e.innerHTML = ''));
    http.verify();
  });

  async function loaded(srv = SRV): Promise<void> {
    http.expectOne('/api/v1/servers/s1').flush(srv);
    await fixture.whenStable();
    http.expectOne('/api/v1/api-keys/server/s1').flush(KEYS);
    http.expectOne('/api/v1/commands/s1/policy').flush({ serverId: 's1', allow: [], deny: [], updatedAt: null });
    http.expectOne('/api/v1/teams').flush([]);
    await fixture.whenStable();
  }

  const dialog = () => document.querySelector('app-confirm-dialog') as HTMLElement;

  it('deleting the server requires typing its exact name', async () => {
    await loaded();
    q<HTMLButtonElement>(fixture, '[data-testid=delete-server]').click();
    await fixture.whenStable();
    const confirm = dialog().querySelector<HTMLButtonElement>('[data-testid=confirm-button]')!;
    const input = dialog().querySelector<HTMLInputElement>('[data-testid=confirm-input]')!;
    expect(dialog().textContent).toContain('Type "prod-db" to confirm');
    expect(confirm.disabled).toBe(true);

    type(input, 'prod');
    await fixture.whenStable();
    expect(confirm.disabled).toBe(true);
    http.expectNone({ method: 'DELETE', url: '/api/v1/servers/s1' });

    type(input, 'prod-db');
    await fixture.whenStable();
    expect(confirm.disabled).toBe(false);
    confirm.click();
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r, 0));

    const del = http.expectOne({ method: 'DELETE', url: '/api/v1/servers/s1' });
    del.flush(null, { status: 204, statusText: 'No Content' });
    await fixture.whenStable();
    expect(router.navigateByUrl).toHaveBeenCalledWith('/');
  });

  it('cancelling the dialog deletes nothing', async () => {
    await loaded();
    q<HTMLButtonElement>(fixture, '[data-testid=delete-server]').click();
    await fixture.whenStable();
    button(fixture, 'Cancel', dialog()).click();
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r, 0));
    http.expectNone({ method: 'DELETE', url: '/api/v1/servers/s1' });
  });

  it('validates the metadata JSON and saves a partial update', async () => {
    await loaded();
    const meta = q<HTMLTextAreaElement>(fixture, 'textarea[formControlName=metadata]');
    expect(JSON.parse(meta.value)).toEqual({ env: 'prod' });
    type(meta, '{"env": ');
    type(q(fixture, 'input[formControlName=name]'), 'prod-db-2');
    await fixture.whenStable();
    expect(text(fixture)).toContain('Invalid JSON');
    button(fixture, 'Save changes').click();
    await fixture.whenStable();
    http.expectNone({ method: 'PUT' });

    type(meta, '[1, 2]');
    await fixture.whenStable();
    expect(text(fixture)).toContain('Metadata must be a JSON object');

    type(meta, '{"env": "staging"}');
    await fixture.whenStable();
    button(fixture, 'Save changes').click();
    const put = http.expectOne({ method: 'PUT', url: '/api/v1/servers/s1' });
    expect(put.request.body).toEqual({ name: 'prod-db-2', host: 'db.local', port: 22, metadata: { env: 'staging' }, tags: [] });
    put.flush({ ...SRV, name: 'prod-db-2', metadata: { env: 'staging' } });
  });

  it('edits the tags: shows the stored ones, refuses an invalid one with the reason, saves them normalised', async () => {
    await loaded({ ...SRV, tags: ['prod', 'db'] });
    const tags = q<HTMLInputElement>(fixture, '[data-testid=tags-input]');
    expect(tags.value).toBe('prod, db');
    type(tags, 'prod, web/1');
    await fixture.whenStable();
    expect(text(fixture)).toContain('"web/1": use lower-case letters');
    button(fixture, 'Save changes').click();
    await fixture.whenStable();
    http.expectNone({ method: 'PUT' });

    type(tags, ' Prod  EU-west:1,,prod ');
    await fixture.whenStable();
    button(fixture, 'Save changes').click();
    const put = http.expectOne({ method: 'PUT', url: '/api/v1/servers/s1' });
    expect(put.request.body.tags).toEqual(['prod', 'eu-west:1']);
    put.flush({ ...SRV, tags: ['prod', 'eu-west:1'] });
  });

  it('lists API keys with their prefixes, so two keys of the same name can be told apart', async () => {
    await loaded();
    const rows = qa(fixture, '[data-testid=api-key-row]');
    expect(rows.map((r) => r.querySelector('[data-testid=api-key-prefix]')?.textContent?.trim())).toEqual(['cok_Ab12Cd34…', 'cok_Zz98Yy76…']);
    expect(rows[1].querySelector('button')!.getAttribute('aria-label')).toBe('Deactivate key "default" (cok_Zz98Yy76…)');
  });

  it('lists API keys and deactivates one, after a confirmation naming its prefix', async () => {
    await loaded();
    const row = q(fixture, '[data-testid=api-key-row]');
    expect(row.textContent).toContain('default');
    expect(row.textContent).toContain('Active');
    button(fixture, 'Deactivate', row).click();
    await fixture.whenStable();
    // Confirmed first: the agent using the key is cut off.
    expect(dialog().textContent).toContain('Deactivate API key?');
    expect(dialog().textContent).toContain('"default" (cok_Ab12Cd34…)');
    http.expectNone({ method: 'POST', url: '/api/v1/api-keys/k1/deactivate' });
    dialog().querySelector<HTMLButtonElement>('[data-testid=confirm-button]')!.click();
    await fixture.whenStable();
    http.expectOne({ method: 'POST', url: '/api/v1/api-keys/k1/deactivate' }).flush({});
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=api-key-row]').textContent).toContain('Inactive');
    expect(qa(fixture, '[data-testid=api-key-row]:first-child button').map((b) => b.textContent?.trim())).toEqual(['Delete']);
  });

  it('shows a refused save once, in the form (no toast as well), with the request id under Details', async () => {
    await loaded();
    type(q(fixture, 'input[formControlName=name]'), 'taken');
    await fixture.whenStable();
    button(fixture, 'Save changes').click();
    const put = http.expectOne({ method: 'PUT', url: '/api/v1/servers/s1' });
    expect(put.request.context.get(SKIP_ERROR_TOAST)).toBe(true);
    put.flush({ statusCode: 409, error: 'Conflict', message: 'A server named taken exists', requestId: 'req-9' }, { status: 409, statusText: 'Conflict' });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=form-error]')).toHaveLength(1);
    expect(q(fixture, 'form [data-testid=form-error-message]').textContent).toBe('A server named taken exists');
    expect(q(fixture, '[data-testid=form-error-message]').textContent).not.toContain('req-9');
    expect(q(fixture, '[data-testid=form-error] details code').textContent).toBe('req-9');
  });

  it('shows a refused key creation under the keys form, without a toast', async () => {
    await loaded();
    button(fixture, /Create key/).click();
    const post = http.expectOne({ method: 'POST', url: '/api/v1/api-keys' });
    expect(post.request.context.get(SKIP_ERROR_TOAST)).toBe(true);
    post.flush({ statusCode: 429, message: 'Too many requests', requestId: 'req-10' }, { status: 429, statusText: 'Too Many Requests' });
    await fixture.whenStable();
    expect(q(fixture, 'app-api-keys-panel [data-testid=form-error-message]').textContent).toBe('Too many requests');
  });

  it('shows a not-found page when the server does not exist (or is not yours)', async () => {
    http.expectOne('/api/v1/servers/s1').flush({ statusCode: 404, message: 'Server not found' }, { status: 404, statusText: 'Not Found' });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=not-found]').textContent).toContain('Not found');
  });

  it('shows a team viewer why settings, keys, ownership and deletion are unavailable, and asks nothing it may not', async () => {
    const viewer = { ...SRV, access: { via: 'viewer' as const, teamId: 't1', capabilities: ['server.read' as const, 'metrics.read' as const, 'containers.read' as const, 'alerts.read' as const], breakGlass: false } };
    http.expectOne('/api/v1/servers/s1').flush(viewer);
    await fixture.whenStable();
    http.expectOne('/api/v1/commands/s1/policy').flush({ serverId: 's1', allow: [], deny: [], updatedAt: null });
    http.expectOne('/api/v1/teams').flush([]);
    await fixture.whenStable();
    http.expectNone('/api/v1/api-keys/server/s1');
    expect(q(fixture, '[data-testid=keys-denied]').textContent).toContain('Your role (viewer) on this server does not allow this (keys.manage)');
    expect(q(fixture, '[data-testid=settings-denied]').textContent).toContain('(server.manage)');
    expect(q(fixture, '[data-testid=owner-denied]').textContent).toContain('(server.manage)');
    expect(q<HTMLButtonElement>(fixture, '[data-testid=delete-server]').disabled).toBe(true);
    expect(text(fixture)).toContain('Held by team t1');
  });
});
