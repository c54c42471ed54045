/**
 * A minimal browser for the OpenID Connect code flow over real HTTP: follows redirects by hand
 * with one cookie jar (cookie names only: every party here is on 127.0.0.1), and stops at the
 * relying party's callback so a test can replay or tamper with it.
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expired = attrs.some((a) => /^max-age=0$/i.test(a) || /^expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export async function get(url: string, jar: CookieJar): Promise<Response> {
  const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
  jar.store(res);
  return res;
}

/** Starts a sign-in at the backend and follows the provider's redirects up to (not into) the callback URL. */
export async function signInUpToCallback(baseUrl: string, jar: CookieJar, loginPath = '/api/v1/auth/oidc/login'): Promise<string> {
  let res = await get(`${baseUrl}${loginPath}`, jar);
  for (let hops = 0; hops < 15; hops++) {
    if (res.status < 300 || res.status >= 400) throw new Error(`expected a redirect, got ${res.status}: ${await res.text()}`);
    const next = new URL(res.headers.get('location')!, res.url || baseUrl).href;
    if (next.startsWith(`${baseUrl}/api/v1/auth/oidc/callback`)) return next;
    res = await get(next, jar);
  }
  throw new Error('too many redirects');
}
