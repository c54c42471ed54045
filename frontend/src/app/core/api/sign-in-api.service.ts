import { HttpClient, HttpContext } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { CreatePersonalTokenRequest, CreatedPersonalToken, PersonalToken, SignInOptions } from '@chatops/protocol';
import { Observable, catchError, of } from 'rxjs';
import { API, SKIP_ERROR_TOAST } from './api-config';

/** Password sign-in alone: what an instance offers when its sign-in options cannot be read. */
const PASSWORD_ONLY: SignInOptions = { oidcEnabled: false, oidcButtonLabel: '', localLogin: true };

/** Sign-in options (single sign-on) and personal API tokens (docs/api.md, Sign-in). */
@Injectable({ providedIn: 'root' })
export class SignInApi {
  private readonly http = inject(HttpClient);

  /** Never fails: without an answer the page offers the password form (the server still decides). */
  options(): Observable<SignInOptions> {
    return this.http
      .get<SignInOptions>(`${API}/auth/oidc/config`, { context: new HttpContext().set(SKIP_ERROR_TOAST, true) })
      .pipe(catchError(() => of(PASSWORD_ONLY)));
  }

  /** Where the browser goes to sign in with single sign-on (a full-page navigation, not XHR). */
  oidcLoginUrl(returnUrl: string): string {
    return returnUrl === '/' ? `${API}/auth/oidc/login` : `${API}/auth/oidc/login?returnTo=${encodeURIComponent(returnUrl)}`;
  }

  listTokens(): Observable<PersonalToken[]> {
    return this.http.get<PersonalToken[]>(`${API}/auth/tokens`);
  }
  createToken(body: CreatePersonalTokenRequest): Observable<CreatedPersonalToken> {
    return this.http.post<CreatedPersonalToken>(`${API}/auth/tokens`, body);
  }
  revokeToken(id: string): Observable<void> {
    return this.http.delete<void>(`${API}/auth/tokens/${encodeURIComponent(id)}`);
  }
}
