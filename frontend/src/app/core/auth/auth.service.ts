import { HttpClient, HttpContext, HttpErrorResponse } from '@angular/common/http';
import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import type {
  AuthResponse,
  ChangePasswordRequest,
  LoginRequest,
  RegisterRequest,
  UpdateProfileRequest,
  User,
} from '@chatops/protocol';
import { Observable, catchError, finalize, firstValueFrom, map, of, shareReplay, tap, throwError } from 'rxjs';
import { API, SKIP_ERROR_TOAST } from '../api/api-config';

export const REFRESH_TOKEN_KEY = 'chatops.refresh';
/** Refresh this long before the access token expires. */
const REFRESH_LEAD_MS = 60_000;
/** Never schedule a proactive refresh sooner than this (guards against tiny/odd expiresIn). */
const MIN_REFRESH_DELAY_MS = 5_000;

/**
 * Session state. The access token lives only in memory (a signal), the refresh token in
 * localStorage so a reload can restore the session with POST /auth/refresh. Every refresh
 * rotates the refresh token: the new one always replaces the old one.
 */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly http = inject(HttpClient);
  private readonly router = inject(Router);

  private readonly _accessToken = signal<string | null>(null);
  private readonly _user = signal<User | null>(null);
  readonly accessToken = this._accessToken.asReadonly();
  readonly user = this._user.asReadonly();
  readonly isAuthenticated = computed(() => this._accessToken() !== null);

  private refreshInFlight: Observable<AuthResponse> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    inject(DestroyRef).onDestroy(() => this.clearTimer());
  }

  get refreshToken(): string | null {
    try {
      return localStorage.getItem(REFRESH_TOKEN_KEY);
    } catch {
      return null;
    }
  }

  login(body: LoginRequest): Observable<User> {
    return this.http
      .post<AuthResponse>(`${API}/auth/login`, body)
      .pipe(map((res) => this.applySession(res)));
  }

  register(body: RegisterRequest): Observable<User> {
    return this.http
      .post<AuthResponse>(`${API}/auth/register`, body)
      .pipe(map((res) => this.applySession(res)));
  }

  /**
   * Exchanges the stored refresh token for a new session. Single-flight: concurrent callers
   * (e.g. several requests that got a 401 at once) share one POST /auth/refresh.
   */
  refresh(): Observable<AuthResponse> {
    if (this.refreshInFlight) return this.refreshInFlight;
    const refreshToken = this.refreshToken;
    if (!refreshToken) return throwError(() => new Error('No refresh token'));
    this.refreshInFlight = this.http
      .post<AuthResponse>(`${API}/auth/refresh`, { refreshToken }, { context: quiet() })
      .pipe(
        tap((res) => this.applySession(res)),
        catchError((err: unknown) => {
          // A rejected token ends the session; a network blip keeps the refresh token for later.
          if (err instanceof HttpErrorResponse && [400, 401, 403].includes(err.status)) this.clearSession();
          return throwError(() => err);
        }),
        finalize(() => (this.refreshInFlight = null)),
        shareReplay({ bufferSize: 1, refCount: false }),
      );
    return this.refreshInFlight;
  }

  /** Resolves true when there is (or a reload could restore) a session. Used by the guards. */
  ensureSession(): Promise<boolean> {
    if (this.isAuthenticated()) return Promise.resolve(true);
    if (!this.refreshToken) return Promise.resolve(false);
    return firstValueFrom(
      this.refresh().pipe(
        map(() => true),
        catchError(() => of(false)),
      ),
    );
  }

  /** Revokes the refresh token on the server, then forgets everything locally. */
  logout(): Promise<void> {
    const refreshToken = this.refreshToken;
    const done = () => {
      this.clearSession();
      void this.router.navigateByUrl('/login');
    };
    if (!refreshToken) {
      done();
      return Promise.resolve();
    }
    return firstValueFrom(
      this.http.post<void>(`${API}/auth/logout`, { refreshToken }, { context: quiet() }).pipe(
        catchError(() => of(undefined)),
        finalize(done),
        map(() => undefined),
      ),
      { defaultValue: undefined },
    );
  }

  /** The session could not be renewed: back to the login page, remembering where we were. */
  expireSession(): void {
    const returnUrl = this.router.url;
    this.clearSession();
    const onAuthPage = returnUrl.startsWith('/login') || returnUrl.startsWith('/register');
    void this.router.navigate(['/login'], onAuthPage ? {} : { queryParams: { returnUrl } });
  }

  loadMe(): Observable<User> {
    return this.http.get<User>(`${API}/auth/me`).pipe(tap((u) => this._user.set(u)));
  }

  /** PUT /auth/me with a partial {fullName?, email?}; the backend returns the updated user. */
  updateProfile(body: UpdateProfileRequest): Observable<User> {
    return this.http.put<User>(`${API}/auth/me`, body).pipe(tap((u) => this._user.set(u)));
  }

  /** The backend revokes the other sessions and answers with a fresh session for this one. */
  changePassword(body: ChangePasswordRequest): Observable<User> {
    return this.http
      .post<AuthResponse>(`${API}/auth/change-password`, { ...body, refreshToken: this.refreshToken ?? undefined })
      .pipe(map((res) => (res && res.accessToken ? this.applySession(res) : this._user()!)));
  }

  private applySession(res: AuthResponse): User {
    this._accessToken.set(res.accessToken);
    this._user.set(res.user);
    try {
      localStorage.setItem(REFRESH_TOKEN_KEY, res.refreshToken);
    } catch {
      /* storage disabled: the session simply will not survive a reload */
    }
    this.scheduleRefresh(res.expiresIn);
    return res.user;
  }

  private scheduleRefresh(expiresInSec: number): void {
    this.clearTimer();
    if (!Number.isFinite(expiresInSec) || expiresInSec <= 0) return;
    const lifetimeMs = expiresInSec * 1000;
    // ~1 minute before expiry; for short lifetimes (tests, odd configs) at half-life instead.
    const delay = Math.max(Math.max(lifetimeMs - REFRESH_LEAD_MS, lifetimeMs / 2), MIN_REFRESH_DELAY_MS);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      this.refresh().subscribe({
        error: () => {
          // Rejected token: the session is gone. Network failure: the interceptor retries on the next 401.
          if (!this.refreshToken) this.expireSession();
        },
      });
    }, delay);
  }

  private clearTimer(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }

  private clearSession(): void {
    this.clearTimer();
    this._accessToken.set(null);
    this._user.set(null);
    try {
      localStorage.removeItem(REFRESH_TOKEN_KEY);
    } catch {
      /* ignore */
    }
  }
}

function quiet(): HttpContext {
  return new HttpContext().set(SKIP_ERROR_TOAST, true);
}
