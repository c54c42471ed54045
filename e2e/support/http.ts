/** JSON calls to the backend's REST API and polling, shared by the end-to-end specs. */

/** `body` is the parsed JSON (null for 204), typed loosely: the specs assert on it field by field. */
export interface ApiResponse { status: number; body: any }

/** `api(method, path, body?)` against `<baseUrl>/api/v1`, with the headers current at call time. */
export function apiClient(baseUrl: () => string, headers: () => Record<string, string>) {
  return async (method: string, path: string, body?: unknown): Promise<ApiResponse> => {
    const res = await fetch(`${baseUrl()}/api/v1${path}`, {
      method,
      headers: { ...headers(), 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  };
}

/**
 * Polls `fn` every 250 ms until `ok` accepts its value (a rejection counts as not yet); on timeout
 * throws with the last value and `diagnostics()` (process logs) in the message.
 */
export async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string, diagnostics: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined as T);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(v)?.slice(0, 3000)})\n${diagnostics()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
