import { DOCUMENT } from '@angular/common';
import { Injectable, computed, effect, inject, signal } from '@angular/core';

export type ThemeMode = 'light' | 'dark' | 'system';
export const THEME_KEY = 'chatops.theme';

/** Light/dark/system, remembered in localStorage, applied as a class + color-scheme on <html>. */
@Injectable({ providedIn: 'root' })
export class ThemeService {
  private readonly doc = inject(DOCUMENT);
  readonly mode = signal<ThemeMode>(readStored());
  private readonly systemDark = signal(false);
  /** What is actually shown (resolves 'system'); charts pick their palette from it. */
  readonly isDark = computed(() => this.mode() === 'dark' || (this.mode() === 'system' && this.systemDark()));

  constructor() {
    const mq = this.doc.defaultView?.matchMedia?.('(prefers-color-scheme: dark)');
    if (mq) {
      this.systemDark.set(mq.matches);
      mq.addEventListener?.('change', (e) => this.systemDark.set(e.matches));
    }
    effect(() => {
      const mode = this.mode();
      const html = this.doc.documentElement;
      html.classList.remove('theme-light', 'theme-dark', 'theme-system');
      html.classList.add(`theme-${mode}`);
      html.style.colorScheme = mode === 'system' ? 'light dark' : mode;
      try {
        localStorage.setItem(THEME_KEY, mode);
      } catch {
        /* ignore */
      }
    });
  }

  set(mode: ThemeMode): void {
    this.mode.set(mode);
  }
}

function readStored(): ThemeMode {
  try {
    const v = localStorage.getItem(THEME_KEY);
    return v === 'light' || v === 'dark' || v === 'system' ? v : 'system';
  } catch {
    return 'system';
  }
}
