import { applyDecorators, ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { SkipThrottle, ThrottlerGuard } from '@nestjs/throttler';
import { sha256 } from './token.util';

/**
 * The two auth budgets, each counted per client (IP) across all of its routes together:
 * - `credentials`: login, register, change-password (password guessing): AUTH_RATE_LIMIT;
 * - `session`: refresh, logout (token renewal; a dashboard tab needs about one per 29 minutes
 *   plus one per page load): AUTH_SESSION_RATE_LIMIT.
 */
export type AuthBudget = 'credentials' | 'session';
export const AUTH_BUDGETS: readonly AuthBudget[] = ['credentials', 'session'];

/**
 * ThrottlerGuard with one counter per (budget, client) instead of one per route, so ten logins,
 * ten registrations and ten password changes share one budget. The key is a hash (no client IP
 * in Redis key names) and the same on every instance, so REDIS_URL shares it.
 */
@Injectable()
export class AuthThrottlerGuard extends ThrottlerGuard {
  protected generateKey(_context: ExecutionContext, tracker: string, budget: string): string {
    return authThrottleKey(budget, tracker);
  }

  /** Exactly one budget applies per route: answer the standard headers (`Retry-After`, `X-RateLimit-*`), not `…-<budget>`. */
  protected setResponseHeader(res: Record<string, unknown>, name: string, value: string | number): void {
    super.setResponseHeader(res, name.replace(/-(credentials|session)$/, ''), value);
  }
}

/** The limiter's storage key for a client in a budget (exported for the tests that inspect Redis). */
export const authThrottleKey = (budget: string, tracker: string) => sha256(`chatops-auth:${budget}:${tracker}`);

/** Counts the route in `budget` (and in no other) per client; 429 with `Retry-After` once it is spent. */
export function AuthRateLimit(budget: AuthBudget) {
  return applyDecorators(
    UseGuards(AuthThrottlerGuard),
    SkipThrottle(Object.fromEntries(AUTH_BUDGETS.filter((b) => b !== budget).map((b) => [b, true]))),
    ApiTooManyRequestsResponse({
      description: budget === 'credentials'
        ? 'Too many login, registration or password-change attempts from this address (AUTH_RATE_LIMIT)'
        : 'Too many refresh or logout requests from this address (AUTH_SESSION_RATE_LIMIT)',
    }),
  );
}
