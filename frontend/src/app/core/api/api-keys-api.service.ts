import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { ApiKey, CreateApiKeyRequest, CreatedApiKey } from '@chatops/protocol';
import { Observable } from 'rxjs';
import { API } from './api-config';

@Injectable({ providedIn: 'root' })
export class ApiKeysApi {
  private readonly http = inject(HttpClient);

  listForServer(serverId: string): Observable<ApiKey[]> {
    return this.http.get<ApiKey[]>(`${API}/api-keys/server/${encodeURIComponent(serverId)}`);
  }
  create(body: CreateApiKeyRequest): Observable<CreatedApiKey> {
    return this.http.post<CreatedApiKey>(`${API}/api-keys`, body);
  }
  deactivate(id: string): Observable<unknown> {
    return this.http.post(`${API}/api-keys/${encodeURIComponent(id)}/deactivate`, {});
  }
  remove(id: string): Observable<void> {
    return this.http.delete<void>(`${API}/api-keys/${encodeURIComponent(id)}`);
  }
}
