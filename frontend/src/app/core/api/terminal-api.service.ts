import { HttpClient, HttpContext, HttpErrorResponse } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { TerminalSession } from '@chatops/protocol';
import { Observable, map } from 'rxjs';
import { API, SKIP_ERROR_TOAST } from './api-config';
import { describeHttpError } from './error-message';
import { queryParams } from './query-params';

export interface RecordingFile {
  blob: Blob;
  filename: string;
}

/** `/terminal`: recorded sessions and their asciicast v2 recordings (Bearer auth, so fetched, never linked). */
@Injectable({ providedIn: 'root' })
export class TerminalApi {
  private readonly http = inject(HttpClient);

  /** Newest first; the next page passes the last item's id as `before`. */
  sessions(serverId: string, query: { limit?: number; before?: string } = {}): Observable<TerminalSession[]> {
    let params = queryParams().set('limit', query.limit ?? 25);
    if (query.before) params = params.set('before', query.before);
    return this.http.get<TerminalSession[]>(`${API}/terminal/${encodeURIComponent(serverId)}/sessions`, { params });
  }

  session(sessionId: string): Observable<TerminalSession> {
    return this.http.get<TerminalSession>(`${API}/terminal/sessions/${encodeURIComponent(sessionId)}`);
  }

  /** The asciicast v2 text, for the player. */
  recording(sessionId: string): Observable<string> {
    return this.http.get(`${API}/terminal/sessions/${encodeURIComponent(sessionId)}/recording`, { responseType: 'text' });
  }

  /**
   * The recording as a file (`?download=1`); the name comes from Content-Disposition when the
   * server sends one. No toast on failure: the caller reports it (see `downloadErrorMessage`).
   */
  download(sessionId: string): Observable<RecordingFile> {
    return this.http
      .get(`${API}/terminal/sessions/${encodeURIComponent(sessionId)}/recording`, {
        params: queryParams().set('download', '1'),
        responseType: 'blob',
        observe: 'response',
        context: new HttpContext().set(SKIP_ERROR_TOAST, true),
      })
      .pipe(map((res) => ({ blob: res.body ?? new Blob([]), filename: filenameFrom(res.headers.get('Content-Disposition')) ?? `terminal-${sessionId}.cast` })));
  }
}

/** `attachment; filename="x.cast"` → `x.cast` (only a plain file name: no path, no quotes). */
export function filenameFrom(disposition: string | null): string | null {
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition ?? '');
  if (!m) return null;
  let raw = m[1];
  try {
    raw = decodeURIComponent(raw);
  } catch {
    // not percent-encoded: keep it as sent
  }
  const name = raw.split(/[\\/]/).pop()?.trim();
  return name || null;
}

/** The error body of a blob request is a Blob too: read its JSON `message` when there is one. */
export async function downloadErrorMessage(err: unknown): Promise<string> {
  if (err instanceof HttpErrorResponse && err.error instanceof Blob) {
    try {
      const body = JSON.parse(await err.error.text()) as { message?: unknown };
      if (typeof body.message === 'string' && body.message) return body.message;
    } catch {
      // not JSON: fall back to the status
    }
  }
  return describeHttpError(err).message;
}
