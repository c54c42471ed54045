import { HttpClient, HttpContext } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { CreateServerRequest, Server, UpdateServerRequest } from '@chatops/protocol';
import { Observable } from 'rxjs';
import { API, SKIP_ERROR_TOAST } from './api-config';
import { queryParams } from './query-params';

@Injectable({ providedIn: 'root' })
export class ServersApi {
  private readonly http = inject(HttpClient);

  /** `tag`: only the servers with that tag. `quiet`: no snackbar (the caller shows the error inline, with a retry). */
  list(tag?: string, quiet = false): Observable<Server[]> {
    return this.http.get<Server[]>(`${API}/servers`, {
      ...(tag ? { params: queryParams().set('tag', tag) } : {}),
      context: new HttpContext().set(SKIP_ERROR_TOAST, quiet),
    });
  }
  /** `quiet` suppresses the snackbar (the caller renders a not-found page or polls). */
  get(id: string, quiet = false): Observable<Server> {
    return this.http.get<Server>(`${API}/servers/${encodeURIComponent(id)}`, {
      context: new HttpContext().set(SKIP_ERROR_TOAST, quiet),
    });
  }
  /** No toast: the add-server form shows the error where it was submitted. */
  create(body: CreateServerRequest): Observable<Server> {
    return this.http.post<Server>(`${API}/servers`, body, { context: new HttpContext().set(SKIP_ERROR_TOAST, true) });
  }
  /** No toast unless asked: the settings form shows the error where it was submitted, bulk actions report once for all servers. */
  update(id: string, body: UpdateServerRequest, quiet = true): Observable<Server> {
    return this.http.put<Server>(`${API}/servers/${encodeURIComponent(id)}`, body, { context: new HttpContext().set(SKIP_ERROR_TOAST, quiet) });
  }
  remove(id: string, quiet = false): Observable<void> {
    return this.http.delete<void>(`${API}/servers/${encodeURIComponent(id)}`, { context: new HttpContext().set(SKIP_ERROR_TOAST, quiet) });
  }
}
