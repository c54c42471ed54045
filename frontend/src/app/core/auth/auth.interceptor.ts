import { HttpContext, HttpErrorResponse, HttpHandlerFn, HttpInterceptorFn, HttpRequest } from '@angular/common/http';
import { inject } from '@angular/core';
import { catchError, switchMap, throwError } from 'rxjs';
import { API, AUTH_RETRIED } from '../api/api-config';
import { AuthService, isPasswordChangeRequired, isRefreshRejection } from './auth.service';

/** Endpoints that authenticate by credentials or the refresh cookie, never by a bearer token, and never trigger a refresh. */
const AUTH_BODY_ROUTES = /\/auth\/(login|register|refresh|logout|reset-password)$/;

export function isApiRequest(url: string): boolean {
  return url.startsWith(API) || url.startsWith(`${location.origin}${API}`);
}

function withBearer(req: HttpRequest<unknown>, token: string | null): HttpRequest<unknown> {
  return token ? req.clone({ setHeaders: { Authorization: `Bearer ${token}` } }) : req;
}

/**
 * Adds `Authorization: Bearer <access token>` to API calls. On a 401 from a non-auth route it
 * refreshes once (concurrent 401s share the single in-flight refresh) and retries the request.
 * If the refresh is refused, or the retry is refused again, the session ends and we go to /login;
 * if the refresh could not be done (network, 5xx, 429) the session stays and the request fails
 * with that error.
 */
export const authInterceptor: HttpInterceptorFn = (req: HttpRequest<unknown>, next: HttpHandlerFn) => {
  if (!isApiRequest(req.url) || AUTH_BODY_ROUTES.test(req.url.split('?')[0])) return next(req);
  const auth = inject(AuthService);

  return next(withBearer(req, auth.accessToken())).pipe(
    catchError((err: unknown) => {
      if (isPasswordChangeRequired(err)) auth.requirePasswordChange();
      if (!(err instanceof HttpErrorResponse) || err.status !== 401 || req.context.get(AUTH_RETRIED)) {
        if (err instanceof HttpErrorResponse && err.status === 401) auth.expireSession();
        return throwError(() => err);
      }
      return auth.refresh().pipe(
        catchError((refreshErr: unknown) => {
          if (!isRefreshRejection(refreshErr)) return throwError(() => refreshErr); // transient: keep the session
          auth.expireSession();
          return throwError(() => err);
        }),
        switchMap((session) =>
          next(withBearer(req.clone({ context: copyContext(req.context).set(AUTH_RETRIED, true) }), session.accessToken)).pipe(
            catchError((retryErr: unknown) => {
              if (retryErr instanceof HttpErrorResponse && retryErr.status === 401) auth.expireSession();
              return throwError(() => retryErr);
            }),
          ),
        ),
      );
    }),
  );
};

function copyContext(ctx: HttpContext): HttpContext {
  const copy = new HttpContext();
  for (const key of ctx.keys()) copy.set(key, ctx.get(key));
  return copy;
}
