import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { ChatopsApi } from './chatops-api.service';

describe('ChatopsApi', () => {
  let api: ChatopsApi;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    api = TestBed.inject(ChatopsApi);
    http = TestBed.inject(HttpTestingController);
  });
  afterEach(() => http.verify());

  it('sends the text as typed, with the conversation’s server only when there is one', () => {
    api.send('run web-1 -- echo a+b').subscribe();
    api.send('top', 's1').subscribe();
    const [plain, withServer] = http.match('/api/v1/chatops/messages');
    expect(plain.request.body).toEqual({ text: 'run web-1 -- echo a+b' });
    expect(withServer.request.body).toEqual({ text: 'top', serverId: 's1' });
  });

  it('encodes `+`, spaces and `&` in completion and search queries (a bare + would read as a space)', () => {
    api.complete('run web-1 -- echo a+b & ', 's1').subscribe();
    expect(http.expectOne(() => true).request.urlWithParams)
      .toBe('/api/v1/chatops/complete?text=run%20web-1%20--%20echo%20a%2Bb%20%26%20&serverId=s1');
    api.history({ q: 'c++', before: 'cur', serverId: 's1', limit: 10 }).subscribe();
    expect(http.expectOne(() => true).request.urlWithParams).toBe('/api/v1/chatops/history?limit=10&serverId=s1&q=c%2B%2B&before=cur');
  });
});
