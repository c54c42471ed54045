import { HttpErrorResponse, HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { catchError, throwError } from 'rxjs';
import { SKIP_ERROR_TOAST } from '../api/api-config';
import { describeHttpError } from '../api/error-message';
import { isPasswordChangeRequired } from '../auth/auth.service';
import { NotifyService } from './notify.service';

/**
 * Every failed request shows a snackbar with the server's message and request id (from the
 * error body, else the X-Request-Id header). Registered outside the auth interceptor, so a 401
 * that a token refresh recovered never reaches the user.
 */
export const errorInterceptor: HttpInterceptorFn = (req, next) => {
  const notify = inject(NotifyService);
  return next(req).pipe(
    catchError((err: unknown) => {
      // A pending password change is not an error to read: the user is taken to the page that asks for it.
      if (err instanceof HttpErrorResponse && !req.context.get(SKIP_ERROR_TOAST) && !isPasswordChangeRequired(err)) {
        const info = describeHttpError(err);
        notify.error(info.message, info.requestId);
      }
      return throwError(() => err);
    }),
  );
};
