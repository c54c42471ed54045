import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { SKIP_ERROR_TOAST } from './api-config';
import { CommandsApi } from './commands-api.service';

describe('CommandsApi', () => {
  let api: CommandsApi;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    api = TestBed.inject(CommandsApi);
    http = TestBed.inject(HttpTestingController);
  });
  afterEach(() => http.verify());

  it('starts a command asynchronously, without the error toast (the page shows refusals itself)', () => {
    api.run('s 1', { command: 'uptime', timeoutSec: 5 }).subscribe();
    const req = http.expectOne((r) => r.url === '/api/v1/commands/s%201');
    expect(req.request.method).toBe('POST');
    expect(req.request.params.get('async')).toBe('true');
    expect(req.request.body).toEqual({ command: 'uptime', timeoutSec: 5 });
    expect(req.request.context.get(SKIP_ERROR_TOAST)).toBe(true);
    req.flush({ commandId: 'c1', command: 'uptime', status: 'running' }, { status: 202, statusText: 'Accepted' });
  });

  it('pages the history with before, and sends only the filters that are set', () => {
    api.history('s1', { before: 'c9', status: 'failed', q: '  df ' }).subscribe();
    const req = http.expectOne((r) => r.url === '/api/v1/commands/s1/history');
    expect(req.request.params.keys().sort()).toEqual(['before', 'limit', 'q', 'status']);
    expect(req.request.params.get('limit')).toBe('50');
    expect(req.request.params.get('q')).toBe('df');
    req.flush([]);
    api.history('s1', { status: '', q: ' ' }).subscribe();
    const plain = http.expectOne((r) => r.url === '/api/v1/commands/s1/history');
    expect(plain.request.params.keys()).toEqual(['limit']);
    plain.flush([]);
  });

  it('searches for `+` as it is (the default query codec would send it as a space)', () => {
    api.history('s1', { q: 'g++ -O2' }).subscribe();
    expect(http.expectOne(() => true).request.urlWithParams).toBe('/api/v1/commands/s1/history?limit=50&q=g%2B%2B%20-O2');
  });

  it('reads the policy quietly when asked and saves it without a toast (errors are shown per line)', () => {
    api.policy('s1', true).subscribe();
    expect(http.expectOne('/api/v1/commands/s1/policy').request.context.get(SKIP_ERROR_TOAST)).toBe(true);
    api.updatePolicy('s1', { allow: ['df *'] }).subscribe();
    const put = http.expectOne({ method: 'PUT', url: '/api/v1/commands/s1/policy' });
    expect(put.request.body).toEqual({ allow: ['df *'] });
    expect(put.request.context.get(SKIP_ERROR_TOAST)).toBe(true);
  });
});
