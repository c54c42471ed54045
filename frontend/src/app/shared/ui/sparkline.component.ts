import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

/** A dependency-free inline SVG sparkline (keeps ECharts out of the overview bundle). 0–100 scale by default. */
@Component({
  selector: 'app-sparkline',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<svg [attr.viewBox]="'0 0 ' + width() + ' ' + height()" [attr.width]="width()" [attr.height]="height()"
      role="img" [attr.aria-label]="ariaLabel()" preserveAspectRatio="none">
    @if (points()) { <polyline [attr.points]="points()" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" /> }
  </svg>`,
  styles: `:host { display: inline-block; color: var(--mat-sys-primary); line-height: 0; }`,
})
export class SparklineComponent {
  readonly values = input<readonly number[]>([]);
  readonly width = input(120);
  readonly height = input(28);
  readonly max = input(100);
  readonly label = input('trend');

  protected readonly points = computed(() => {
    const v = this.values();
    if (v.length < 2) return '';
    const w = this.width(), h = this.height(), max = Math.max(this.max(), ...v) || 1;
    const step = w / (v.length - 1);
    return v.map((y, i) => `${(i * step).toFixed(1)},${(h - 1 - (Math.max(0, y) / max) * (h - 2)).toFixed(1)}`).join(' ');
  });
  protected readonly ariaLabel = computed(() => {
    const v = this.values();
    return v.length ? `${this.label()}: latest ${Math.round(v[v.length - 1])}%` : `${this.label()}: no data yet`;
  });
}
