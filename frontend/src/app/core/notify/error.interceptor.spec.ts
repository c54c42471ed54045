import { HttpClient, HttpContext, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { SKIP_ERROR_TOAST } from '../api/api-config';
import { errorInterceptor } from './error.interceptor';
import { NotifyService } from './notify.service';

describe('errorInterceptor', () => {
  let http: HttpTestingController;
  let client: HttpClient;
  const notify = { error: jest.fn(), success: jest.fn() };

  beforeEach(() => {
    notify.error.mockReset();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([errorInterceptor])),
        provideHttpClientTesting(),
        { provide: NotifyService, useValue: notify },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    client = TestBed.inject(HttpClient);
  });
  afterEach(() => http.verify());

  it('shows the server message and the requestId from the error body', () => {
    client.post('/api/v1/servers', { name: '' }).subscribe({ error: () => undefined });
    http.expectOne('/api/v1/servers').flush(
      { statusCode: 409, error: 'Conflict', message: 'A server with this name exists', requestId: 'req-123' },
      { status: 409, statusText: 'Conflict' },
    );
    expect(notify.error).toHaveBeenCalledWith('A server with this name exists', 'req-123');
  });

  it('falls back to the X-Request-Id header when the body has no requestId', () => {
    client.get('/api/v1/servers').subscribe({ error: () => undefined });
    http.expectOne('/api/v1/servers').flush('upstream failure', {
      status: 502, statusText: 'Bad Gateway', headers: { 'X-Request-Id': 'hdr-9' },
    });
    expect(notify.error).toHaveBeenCalledWith('upstream failure', 'hdr-9');
  });

  it('joins validation messages and stays silent when the caller opts out', () => {
    client.post('/api/v1/servers', {}).subscribe({ error: () => undefined });
    http.expectOne('/api/v1/servers').flush(
      { statusCode: 400, message: ['name must be a string', 'port must be a number'], requestId: 'r1' },
      { status: 400, statusText: 'Bad Request' },
    );
    expect(notify.error).toHaveBeenLastCalledWith('name must be a string; port must be a number', 'r1');

    client.get('/api/v1/metrics/x', { context: new HttpContext().set(SKIP_ERROR_TOAST, true) }).subscribe({ error: () => undefined });
    http.expectOne('/api/v1/metrics/x').flush({ statusCode: 404, message: 'none', requestId: 'r2' }, { status: 404, statusText: 'Not Found' });
    expect(notify.error).toHaveBeenCalledTimes(1);
  });
});
