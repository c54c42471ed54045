import { DestroyRef, Signal, computed, inject, signal } from '@angular/core';

/**
 * Seconds left until `expiresAt` (an ISO time), ticking once a second and stopping at zero. Made in
 * an injection context; the timer stops with its component.
 */
export function confirmCountdown(expiresAt: () => string | undefined): Signal<number> {
  const now = signal(Date.now());
  const timer = setInterval(() => {
    now.set(Date.now());
    const at = expiresAt();
    if (!at || Date.parse(at) <= Date.now()) clearInterval(timer);
  }, 1000);
  inject(DestroyRef).onDestroy(() => clearInterval(timer));
  return computed(() => {
    const at = expiresAt();
    return at ? Math.max(0, Math.ceil((Date.parse(at) - now()) / 1000)) : 0;
  });
}
