import { inject } from '@angular/core';
import { CanActivateFn, Router } from '@angular/router';
import { AuthService, CHOOSE_PASSWORD_PATH } from './auth.service';

/** The "choose a new password" page: signed-in users with a temporary password only (others go on to the app). */
export const passwordChangeGuard: CanActivateFn = async (_route, state) => {
  const auth = inject(AuthService);
  const router = inject(Router);
  if (!(await auth.ensureSession())) return router.createUrlTree(['/login'], { queryParams: { returnUrl: state.url } });
  return auth.user()?.mustChangePassword ? true : router.createUrlTree(['/']);
};

/** Signed-in users only; others go to /login?returnUrl=<where they wanted to go>. */
export const authGuard: CanActivateFn = async (_route, state) => {
  const auth = inject(AuthService);
  const router = inject(Router);
  if (await auth.ensureSession()) {
    // A temporary password set by an admin: nothing else works until it is replaced.
    return auth.user()?.mustChangePassword ? router.createUrlTree([CHOOSE_PASSWORD_PATH], { queryParams: { returnUrl: state.url } }) : true;
  }
  return router.createUrlTree(['/login'], { queryParams: { returnUrl: state.url } });
};

/** Login/register are for signed-out users; a restored session goes straight to the app. */
export const guestGuard: CanActivateFn = async () => {
  const auth = inject(AuthService);
  const router = inject(Router);
  return (await auth.ensureSession()) ? router.createUrlTree(['/']) : true;
};

/** The instance admin's pages; anybody else goes to the overview (the API refuses them anyway). */
export const adminGuard: CanActivateFn = async () => {
  const auth = inject(AuthService);
  const router = inject(Router);
  return (await auth.ensureSession()) && auth.user()?.role === 'admin' ? true : router.createUrlTree(['/']);
};
