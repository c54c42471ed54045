import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

/** Placeholder cards while data loads (announced once as "Loading"). */
@Component({
  selector: 'app-skeleton-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<div class="grid" role="status" aria-label="Loading" aria-busy="true">
    @for (i of items(); track i) {
      <div class="card" aria-hidden="true"><div class="line w60"></div><div class="line w40"></div><div class="line w80"></div></div>
    }
  </div>`,
  styles: `
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 16px; }
    .card { padding: 16px; border-radius: 12px; background: var(--mat-sys-surface-container); display: grid; gap: 12px; }
    .line { height: 14px; border-radius: 4px; background: var(--mat-sys-surface-container-highest); animation: pulse 1.2s ease-in-out infinite; }
    .w40 { width: 40%; } .w60 { width: 60%; } .w80 { width: 80%; }
    @keyframes pulse { 50% { opacity: .45; } }
    @media (prefers-reduced-motion: reduce) { .line { animation: none; } }
  `,
})
export class SkeletonListComponent {
  readonly count = input(6);
  protected readonly items = computed(() => Array.from({ length: this.count() }, (_, i) => i));
}
