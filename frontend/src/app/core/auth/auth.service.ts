import { HttpClient, HttpContext, HttpErrorResponse, HttpHeaders } from '@angular/common/http';
import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import type {
  CompletePasswordResetRequest,
  BrowserAuthResponse,
  ChangePasswordRequest,
  LoginRequest,
  RefreshCookieHeader,
  RegisterRequest,
  UpdateProfileRequest,
  User,
} from '@chatops/protocol';
import { Observable, catchError, finalize, firstValueFrom, map, of, shareReplay, tap, throwError } from 'rxjs';
import { API, SKIP_ERROR_TOAST } from '../api/api-config';
import { withCrossTabLock } from './cross-tab-lock';

/**
 * Where earlier versions kept the refresh token. Read once at start to move that session into the
 * cookie, and removed: no token stays readable by scripts.
 */
export const LEGACY_REFRESH_TOKEN_KEY = 'chatops.refresh';
/** Set when a logout could not reach the server: no silent restore, and the logout is retried on the next visit. */
export const LOGOUT_PENDING_KEY = 'chatops.logoutPending';
/** Asks the server for cookie mode; refresh and logout accept the cookie only with it (CSRF). */
export const REFRESH_HEADER: RefreshCookieHeader = 'X-ChatOps-Refresh';
/** Refresh this long before the access token expires. */
const REFRESH_LEAD_MS = 60_000;
/** Never schedule a proactive refresh sooner than this (guards against tiny/odd expiresIn). */
const MIN_REFRESH_DELAY_MS = 5_000;
/** After a refresh that failed for a transient reason (network, 5xx, 429), try again this much later. */
export const REFRESH_RETRY_MS = 30_000;

/** The server refused the refresh token (as opposed to not answering): the session is over. */
export const isRefreshRejection = (err: unknown) => err instanceof HttpErrorResponse && [400, 401, 403].includes(err.status);

/**
 * Session state. The access token lives only in memory (a signal). The refresh token never
 * reaches script: the server keeps it in an HttpOnly cookie scoped to /api/v1/auth, set and
 * rotated by login, register, refresh and change-password when they carry `X-ChatOps-Refresh: 1`.
 * A reload restores the session with POST /auth/refresh (the browser sends the cookie).
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

  private refreshInFlight: Observable<BrowserAuthResponse> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  /** False once the server said there is nothing to restore (or the user left), until the next sign-in. */
  private mayRestore = true;
  /** A refresh token found under the legacy storage key: presented once, which moves the session into the cookie. */
  private legacyRefreshToken: string | null = takeFromStorage(LEGACY_REFRESH_TOKEN_KEY);

  constructor() {
    inject(DestroyRef).onDestroy(() => this.clearTimer());
  }

  /** The sign-in page shows a failure inline, where the form is (no toast as well). */
  login(body: LoginRequest): Observable<User> {
    return this.http
      .post<BrowserAuthResponse>(`${API}/auth/login`, body, { headers: cookieMode(), context: quiet() })
      .pipe(map((res) => this.applySession(res)));
  }

  /** As `login`: the register page shows a failure inline. */
  register(body: RegisterRequest): Observable<User> {
    return this.http
      .post<BrowserAuthResponse>(`${API}/auth/register`, body, { headers: cookieMode(), context: quiet() })
      .pipe(map((res) => this.applySession(res)));
  }

  /**
   * Renews the session with the refresh cookie (the server rotates it). Single-flight within the
   * tab: concurrent callers (e.g. several requests that got a 401 at once) share one request; and
   * serialised across tabs, which share the cookie. A refusal (400/401/403) ends the session; a
   * network failure, 5xx or 429 keeps it (the caller sees the error and may retry).
   */
  refresh(): Observable<BrowserAuthResponse> {
    if (this.refreshInFlight) return this.refreshInFlight;
    const legacy = this.legacyRefreshToken;
    this.legacyRefreshToken = null;
    this.refreshInFlight = withCrossTabLock('chatops.refresh', () =>
      this.http.post<BrowserAuthResponse>(`${API}/auth/refresh`, legacy ? { refreshToken: legacy } : {}, {
        headers: cookieMode(),
        context: quiet(),
      }),
    ).pipe(
      tap((res) => this.applySession(res)),
      catchError((err: unknown) => {
        if (isRefreshRejection(err)) {
          this.mayRestore = false;
          this.clearSession();
        }
        return throwError(() => err);
      }),
      finalize(() => (this.refreshInFlight = null)),
      shareReplay({ bufferSize: 1, refCount: false }),
    );
    return this.refreshInFlight;
  }

  /**
   * Resolves true when there is a session, restoring it from the cookie after a reload (one
   * request; none once the server said there is nothing to restore). Used by the guards.
   */
  async ensureSession(): Promise<boolean> {
    if (this.isAuthenticated()) return true;
    if (readStorage(LOGOUT_PENDING_KEY)) {
      this.mayRestore = false; // the user signed out: finish that instead of restoring the session
      await this.finishPendingLogout();
      return false;
    }
    if (!this.mayRestore) return false;
    return firstValueFrom(
      this.refresh().pipe(
        map(() => true),
        catchError(() => of(false)),
      ),
    );
  }

  /**
   * Ends the session on the server (revokes it, clears the cookie), then forgets everything
   * locally and goes to /login. The user asked to leave: local state is cleared even when the
   * server cannot be reached; then the logout is retried on the next visit, and until it
   * succeeds the session is not restored.
   */
  logout(): Promise<void> {
    return firstValueFrom(
      this.http.post<void>(`${API}/auth/logout`, {}, { headers: cookieMode(), context: quiet() }).pipe(
        map(() => removeFromStorage(LOGOUT_PENDING_KEY)),
        catchError(() => of(writeStorage(LOGOUT_PENDING_KEY, '1'))),
        finalize(() => {
          this.clearSession();
          this.mayRestore = false;
          void this.router.navigateByUrl('/login');
        }),
        map(() => undefined),
      ),
      { defaultValue: undefined },
    );
  }

  /**
   * The user signs in with a temporary password an admin set (the API answers 403
   * `auth.password_change_required` to everything else): to the "choose a new password" page.
   */
  requirePasswordChange(): void {
    const user = this._user();
    if (user && !user.mustChangePassword) this._user.set({ ...user, mustChangePassword: true });
    if (!this.router.url.startsWith(CHOOSE_PASSWORD_PATH)) {
      void this.router.navigate([CHOOSE_PASSWORD_PATH], { queryParams: { returnUrl: this.router.url } });
    }
  }

  /** The session could not be renewed: back to the login page, remembering where we were. */
  expireSession(): void {
    const returnUrl = this.router.url;
    this.clearSession();
    this.mayRestore = false;
    const onAuthPage = returnUrl.startsWith('/login') || returnUrl.startsWith('/register');
    void this.router.navigate(['/login'], onAuthPage ? {} : { queryParams: { returnUrl } });
  }

  loadMe(): Observable<User> {
    return this.http.get<User>(`${API}/auth/me`).pipe(tap((u) => this._user.set(u)));
  }

  /** PUT /auth/me with a partial {fullName?, email?}; the backend returns the updated user. */
  /** No toast: the Profile form shows the error where it was submitted (as changePassword). */
  updateProfile(body: UpdateProfileRequest): Observable<User> {
    return this.http.put<User>(`${API}/auth/me`, body, { context: quiet() }).pipe(tap((u) => this._user.set(u)));
  }

  /** The backend revokes the other sessions and answers with a fresh session (and cookie) for this one. */
  changePassword(body: ChangePasswordRequest): Observable<User> {
    return this.http
      .post<BrowserAuthResponse>(`${API}/auth/change-password`, body, { headers: cookieMode(), context: quiet() })
      .pipe(map((res) => (res && res.accessToken ? this.applySession(res) : this._user()!)));
  }

  /** A reset link's new password (no session needed; the page shows a failure inline). */
  completePasswordReset(body: CompletePasswordResetRequest): Observable<void> {
    return this.http.post<void>(`${API}/auth/reset-password`, body, { context: quiet() });
  }

  private applySession(res: BrowserAuthResponse): User {
    this._accessToken.set(res.accessToken);
    this._user.set(res.user);
    // A new session supersedes an old one that was never used or a logout still pending.
    this.mayRestore = true;
    this.legacyRefreshToken = null;
    removeFromStorage(LOGOUT_PENDING_KEY);
    this.scheduleRefresh(res.expiresIn);
    return res.user;
  }

  /** Retries a logout that could not reach the server; done once the server answered it. */
  private finishPendingLogout(): Promise<void> {
    return firstValueFrom(
      this.http.post<void>(`${API}/auth/logout`, {}, { headers: cookieMode(), context: quiet() }).pipe(
        map(() => removeFromStorage(LOGOUT_PENDING_KEY)),
        catchError((err: unknown) => of(isRefreshRejection(err) ? removeFromStorage(LOGOUT_PENDING_KEY) : undefined)),
      ),
      { defaultValue: undefined },
    );
  }

  private scheduleRefresh(expiresInSec: number): void {
    this.clearTimer();
    if (!Number.isFinite(expiresInSec) || expiresInSec <= 0) return;
    const lifetimeMs = expiresInSec * 1000;
    // ~1 minute before expiry; for short lifetimes (tests, odd configs) at half-life instead.
    const delay = Math.max(Math.max(lifetimeMs - REFRESH_LEAD_MS, lifetimeMs / 2), MIN_REFRESH_DELAY_MS);
    this.refreshTimer = setTimeout(() => this.refreshOnTimer(), delay);
  }

  private refreshOnTimer(): void {
    this.refreshTimer = null;
    this.refresh().subscribe({
      error: (err: unknown) => {
        if (isRefreshRejection(err)) {
          this.expireSession(); // the session is over: sign-in page
        } else if (this.isAuthenticated() && !this.refreshTimer) {
          // Offline, restarting or overloaded server: keep the session and try again a little later.
          this.refreshTimer = setTimeout(() => this.refreshOnTimer(), REFRESH_RETRY_MS);
        }
      },
    });
  }

  private clearTimer(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }

  private clearSession(): void {
    this.clearTimer();
    this._accessToken.set(null);
    this._user.set(null);
  }
}

/** The page a user with a temporary password is sent to. */
export const CHOOSE_PASSWORD_PATH = '/choose-password';

/** 403 `auth.password_change_required`: the signed-in user must replace a temporary password first. */
export function isPasswordChangeRequired(err: unknown): boolean {
  return err instanceof HttpErrorResponse && err.status === 403 && (err.error as { code?: string } | null)?.code === 'auth.password_change_required';
}

function quiet(): HttpContext {
  return new HttpContext().set(SKIP_ERROR_TOAST, true);
}

function cookieMode(): HttpHeaders {
  return new HttpHeaders({ [REFRESH_HEADER]: '1' });
}

// Storage may be disabled (privacy modes): the app then works, it just forgets these markers.
function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeStorage(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* ignore */
  }
}

function removeFromStorage(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    /* ignore */
  }
}

function takeFromStorage(key: string): string | null {
  const value = readStorage(key);
  removeFromStorage(key);
  return value;
}
