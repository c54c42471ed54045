import { HttpClient, HttpContext } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { CreateServerRequest, Server, UpdateServerRequest } from '@chatops/protocol';
import { Observable } from 'rxjs';
import { API, SKIP_ERROR_TOAST } from './api-config';

@Injectable({ providedIn: 'root' })
export class ServersApi {
  private readonly http = inject(HttpClient);

  list(): Observable<Server[]> {
    return this.http.get<Server[]>(`${API}/servers`);
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
  /** No toast: the settings form shows the error where it was submitted. */
  update(id: string, body: UpdateServerRequest): Observable<Server> {
    return this.http.put<Server>(`${API}/servers/${encodeURIComponent(id)}`, body, { context: new HttpContext().set(SKIP_ERROR_TOAST, true) });
  }
  remove(id: string): Observable<void> {
    return this.http.delete<void>(`${API}/servers/${encodeURIComponent(id)}`);
  }
}
