import { HttpClient, HttpContext } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { UserRole } from '@chatops/protocol';
import type {
  AdminBulkAction, AdminBulkResponse, AdminUser, AdminUserPage, AdminUserQuery, CreateInviteRequest, CreatedInvite, Invite, PasswordResetLink, RegistrationMode, RegistrationSettings,
} from '@chatops/protocol/admin';
import { Observable } from 'rxjs';
import { API, SKIP_ERROR_TOAST } from './api-config';
import { queryParams } from './query-params';

/** `/admin` (docs/api.md, "Admin"): users, the registration setting and invites. Instance admin only. */
@Injectable({ providedIn: 'root' })
export class AdminApi {
  private readonly http = inject(HttpClient);

  users(query: AdminUserQuery = {}): Observable<AdminUserPage> {
    let params = queryParams().set('limit', query.limit ?? 50).set('offset', query.offset ?? 0);
    if (query.q?.trim()) params = params.set('q', query.q.trim());
    return this.http.get<AdminUserPage>(`${API}/admin/users`, { params });
  }

  disable(id: string): Observable<AdminUser> {
    return this.http.post<AdminUser>(`${API}/admin/users/${id}/disable`, {});
  }

  enable(id: string): Observable<AdminUser> {
    return this.http.post<AdminUser>(`${API}/admin/users/${id}/enable`, {});
  }

  setRole(id: string, role: UserRole): Observable<AdminUser> {
    return this.http.put<AdminUser>(`${API}/admin/users/${id}/role`, { role });
  }

  /** A temporary password the user must change at the next sign-in. */
  resetPassword(id: string, password: string): Observable<AdminUser> {
    return this.http.post<AdminUser>(`${API}/admin/users/${id}/reset-password`, { password });
  }

  /** One action on several users; a result per user (no toast: the page reports once for all). */
  bulk(action: AdminBulkAction, userIds: string[]): Observable<AdminBulkResponse> {
    return this.http.post<AdminBulkResponse>(`${API}/admin/users/bulk`, { action, userIds }, { context: new HttpContext().set(SKIP_ERROR_TOAST, true) });
  }

  /** A one-time reset link (its token is in this answer only). */
  createResetLink(id: string): Observable<PasswordResetLink> {
    return this.http.post<PasswordResetLink>(`${API}/admin/users/${id}/reset-link`, {});
  }

  registration(): Observable<RegistrationSettings> {
    return this.http.get<RegistrationSettings>(`${API}/admin/registration`);
  }

  setRegistration(mode: RegistrationMode): Observable<RegistrationSettings> {
    return this.http.put<RegistrationSettings>(`${API}/admin/registration`, { mode });
  }

  invites(): Observable<Invite[]> {
    return this.http.get<Invite[]>(`${API}/admin/invites`);
  }

  /** The form shows a failure inline (no toast). */
  createInvite(body: CreateInviteRequest): Observable<CreatedInvite> {
    return this.http.post<CreatedInvite>(`${API}/admin/invites`, body, { context: new HttpContext().set(SKIP_ERROR_TOAST, true) });
  }

  revokeInvite(id: string): Observable<Invite> {
    return this.http.post<Invite>(`${API}/admin/invites/${id}/revoke`, {});
  }
}
