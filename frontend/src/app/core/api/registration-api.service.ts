import { HttpClient, HttpContext } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { InviteCheck, RegistrationStatus } from '@chatops/protocol/admin';
import { Observable } from 'rxjs';
import { API, SKIP_ERROR_TOAST } from './api-config';

/** What the register page asks before an account exists (public routes). Failures show inline, not as toasts. */
@Injectable({ providedIn: 'root' })
export class RegistrationApi {
  private readonly http = inject(HttpClient);
  private readonly quiet = () => ({ context: new HttpContext().set(SKIP_ERROR_TOAST, true) });

  status(): Observable<RegistrationStatus> {
    return this.http.get<RegistrationStatus>(`${API}/auth/registration`, this.quiet());
  }

  checkInvite(inviteToken: string): Observable<InviteCheck> {
    return this.http.post<InviteCheck>(`${API}/auth/invites/check`, { inviteToken }, this.quiet());
  }
}
