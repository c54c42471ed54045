import { HttpClient, HttpContext } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { ApiKey, CreateApiKeyRequest, CreatedApiKey } from '@chatops/protocol';
import { Observable } from 'rxjs';
import { API, SKIP_ERROR_TOAST } from './api-config';

@Injectable({ providedIn: 'root' })
export class ApiKeysApi {
  private readonly http = inject(HttpClient);

  listForServer(serverId: string): Observable<ApiKey[]> {
    return this.http.get<ApiKey[]>(`${API}/api-keys/server/${encodeURIComponent(serverId)}`);
  }
  /** No toast: the wizard and the keys panel show the error beside their button. */
  create(body: CreateApiKeyRequest): Observable<CreatedApiKey> {
    return this.http.post<CreatedApiKey>(`${API}/api-keys`, body, { context: new HttpContext().set(SKIP_ERROR_TOAST, true) });
  }
  deactivate(id: string): Observable<unknown> {
    return this.http.post(`${API}/api-keys/${encodeURIComponent(id)}/deactivate`, {});
  }
  remove(id: string): Observable<void> {
    return this.http.delete<void>(`${API}/api-keys/${encodeURIComponent(id)}`);
  }
}
