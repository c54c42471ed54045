import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';
import { TerminalApi, downloadErrorMessage, filenameFrom } from './terminal-api.service';

describe('TerminalApi', () => {
  let api: TerminalApi;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    api = TestBed.inject(TerminalApi);
    http = TestBed.inject(HttpTestingController);
  });
  afterEach(() => http.verify());

  it('lists sessions newest first with paging, and fetches a recording as text', async () => {
    api.sessions('s1', { limit: 10, before: 't9' }).subscribe();
    const list = http.expectOne((r) => r.url === '/api/v1/terminal/s1/sessions');
    expect(list.request.params.get('limit')).toBe('10');
    expect(list.request.params.get('before')).toBe('t9');
    list.flush([]);
    const cast = firstValueFrom(api.recording('t1'));
    const req = http.expectOne('/api/v1/terminal/sessions/t1/recording');
    expect(req.request.responseType).toBe('text');
    req.flush('{"version":2,"width":80,"height":24}\n');
    await expect(cast).resolves.toContain('"version":2');
  });

  it('downloads a recording as a blob named by Content-Disposition', async () => {
    const file = firstValueFrom(api.download('t1'));
    const req = http.expectOne((r) => r.url === '/api/v1/terminal/sessions/t1/recording');
    expect(req.request.params.get('download')).toBe('1');
    expect(req.request.responseType).toBe('blob');
    req.flush(new Blob(['cast']), { headers: { 'Content-Disposition': 'attachment; filename="web-1-2026.cast"' } });
    await expect(file).resolves.toMatchObject({ filename: 'web-1-2026.cast' });
  });

  it('takes only a plain file name from Content-Disposition', () => {
    expect(filenameFrom('attachment; filename="../../etc/passwd"')).toBe('passwd');
    expect(filenameFrom("attachment; filename*=UTF-8''session%201.cast")).toBe('session 1.cast');
    expect(filenameFrom('attachment')).toBeNull();
    expect(filenameFrom(null)).toBeNull();
  });

  it('reads the message of a JSON error body that came back as a blob', async () => {
    const failed = firstValueFrom(api.download('t1')).catch((e: unknown) => downloadErrorMessage(e));
    http.expectOne((r) => r.url === '/api/v1/terminal/sessions/t1/recording')
      .flush(new Blob([JSON.stringify({ statusCode: 404, message: 'No recording for this session' })]), { status: 404, statusText: 'Not Found' });
    await expect(failed).resolves.toBe('No recording for this session');
  });
});
