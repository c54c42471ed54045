import { HttpContextToken } from '@angular/common/http';

/** Every REST call goes through this prefix (docs/api.md: REST under /api/v1). */
export const API = '/api/v1';

/** Set on a request to suppress the global error snackbar (the caller shows its own UI). */
export const SKIP_ERROR_TOAST = new HttpContextToken<boolean>(() => false);

/** Set on a retried request so a second 401 logs out instead of refreshing again. */
export const AUTH_RETRIED = new HttpContextToken<boolean>(() => false);
