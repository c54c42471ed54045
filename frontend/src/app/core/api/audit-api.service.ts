import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { AuditPage } from '@chatops/protocol';
import { Observable } from 'rxjs';
import { API } from './api-config';
import { queryParams } from './query-params';

export interface AuditQuery { serverId?: string; action?: string; limit?: number; before?: string }

/** `GET /audit`: newest first, `{items, nextCursor}`. */
@Injectable({ providedIn: 'root' })
export class AuditApi {
  private readonly http = inject(HttpClient);

  list(query: AuditQuery = {}): Observable<AuditPage> {
    let params = queryParams().set('limit', query.limit ?? 50);
    for (const key of ['serverId', 'action', 'before'] as const) {
      const v = query[key]?.trim();
      if (v) params = params.set(key, v);
    }
    return this.http.get<AuditPage>(`${API}/audit`, { params });
  }
}
