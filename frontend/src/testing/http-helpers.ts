import { HttpTestingController, TestRequest } from '@angular/common/http/testing';

/** Waits (macrotask by macrotask) until a request for `url` is pending, then returns it. */
export async function nextRequest(http: HttpTestingController, url: string | ((u: string) => boolean), tries = 50): Promise<TestRequest> {
  const matches = typeof url === 'string' ? (u: string) => u === url : url;
  for (let i = 0; i < tries; i++) {
    const found = http.match((r) => matches(r.url));
    if (found.length > 1) throw new Error(`Expected one request, found ${found.length}`);
    if (found.length === 1) return found[0];
    await new Promise((r) => setTimeout(r, 0));
  }
  throw new Error(`No request for ${String(url)}`);
}
