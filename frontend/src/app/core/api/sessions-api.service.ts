import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { UserSession } from '@chatops/protocol/admin';
import { Observable } from 'rxjs';
import { API } from './api-config';

/** `/auth/sessions`: the signed-in user's sessions (Profile → Sessions). */
@Injectable({ providedIn: 'root' })
export class SessionsApi {
  private readonly http = inject(HttpClient);

  list(): Observable<UserSession[]> {
    return this.http.get<UserSession[]>(`${API}/auth/sessions`);
  }

  revoke(id: string): Observable<void> {
    return this.http.delete<void>(`${API}/auth/sessions/${id}`);
  }

  revokeOthers(): Observable<{ revoked: number }> {
    return this.http.post<{ revoked: number }>(`${API}/auth/sessions/revoke-others`, {});
  }
}
