import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

/**
 * A tiny self-contained SVG icon set (no icon font download: the dashboard is self-hosted and
 * must render offline). Decorative by default; pass `label` to expose it to assistive tech.
 */
const PATHS: Record<string, string> = {
  menu: 'M3 6h18v2H3zm0 5h18v2H3zm0 5h18v2H3z',
  online: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm-1.5 14.2-4.2-4.2 1.4-1.4 2.8 2.8 6.1-6.1 1.4 1.4z',
  offline: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm4.2 12.8-1.4 1.4L12 13.4l-2.8 2.8-1.4-1.4 2.8-2.8-2.8-2.8 1.4-1.4 2.8 2.8 2.8-2.8 1.4 1.4-2.8 2.8z',
  unknown: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 16h-2v-2h2zm2.1-7.7-.9.9c-.7.7-1.2 1.3-1.2 2.8h-2v-.5c0-1.1.5-2.1 1.2-2.8l1.2-1.3c.4-.4.6-.9.6-1.4a2 2 0 0 0-4 0H8a4 4 0 0 1 8 0c0 .9-.4 1.7-.9 2.3z',
  add: 'M11 5h2v6h6v2h-6v6h-2v-6H5v-2h6z',
  check: 'M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z',
  edit: 'M3 17.2V21h3.8L17.8 9.9l-3.8-3.8zM20.7 7c.4-.4.4-1 0-1.4l-2.3-2.3a1 1 0 0 0-1.4 0l-1.8 1.8 3.8 3.8z',
  dashboard: 'M3 3h8v10H3zm10 0h8v6h-8zM3 15h8v6H3zm10-4h8v10h-8z',
  group: 'M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7zm7 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM9 13c-2.7 0-7 1.3-7 4v2h14v-2c0-2.7-4.3-4-7-4zm7 0c-.4 0-.8 0-1.2.1 1.3.9 2.2 2.2 2.2 3.9v2h5v-2c0-2.4-3.7-4-6-4z',
  person: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm0 2c-3.3 0-8 1.7-8 5v1h16v-1c0-3.3-4.7-5-8-5z',
  logout: 'M10 17l1.4-1.4L8.8 13H20v-2H8.8l2.6-2.6L10 7l-5 5zM4 5h7V3H4a2 2 0 0 0-2 2v14c0 1.1.9 2 2 2h7v-2H4z',
  settings: 'M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zm9 5.2v-2.4l-2.5-.6-.6-1.5 1.3-2.2-1.7-1.7-2.2 1.3-1.5-.6L13.2 3h-2.4l-.6 2.5-1.5.6-2.2-1.3-1.7 1.7 1.3 2.2-.6 1.5L3 10.8v2.4l2.5.6.6 1.5-1.3 2.2 1.7 1.7 2.2-1.3 1.5.6.6 2.5h2.4l.6-2.5 1.5-.6 2.2 1.3 1.7-1.7-1.3-2.2.6-1.5z',
  copy: 'M8 3h11a2 2 0 0 1 2 2v12h-2V5H8zM5 7h10a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V9c0-1.1.9-2 2-2zm0 2v10h10V9z',
  delete: 'M9 3h6l1 1h4v2H4V4h4zm-3 5h12l-1 13H7z',
  warning: 'M12 2 1 21h22zm1 15h-2v-2h2zm0-4h-2V9h2z',
  search: 'M10 3a7 7 0 0 1 5.6 11.2l5.1 5.1-1.4 1.4-5.1-5.1A7 7 0 1 1 10 3zm0 2a5 5 0 1 0 0 10 5 5 0 0 0 0-10z',
  server: 'M3 4h18v6H3zm0 10h18v6H3zm3-8v2h2V6zm0 10v2h2v-2z',
  back: 'M20 11H7.8l5.6-5.6L12 4l-8 8 8 8 1.4-1.4L7.8 13H20z',
  wifi: 'M12 18a2 2 0 1 1 0 4 2 2 0 0 1 0-4zm-5-3.3a7 7 0 0 1 10 0l-1.4 1.4a5 5 0 0 0-7.2 0zM3.5 11.2a12 12 0 0 1 17 0l-1.4 1.4a10 10 0 0 0-14.2 0z',
  theme: 'M12 3a9 9 0 1 0 0 18zm0 2v14a7 7 0 0 1 0-14z',
  play: 'M8 5v14l11-7z',
  stop: 'M6 6h12v12H6z',
  pause: 'M6 5h4v14H6zm8 0h4v14h-4z',
  container: 'M3 7l9-4 9 4v10l-9 4-9-4zm2 1.5v7.2l6 2.7v-7.2zm14 0-6 2.7v7.2l6-2.7zM12 5.2 6.6 7.6 12 10l5.4-2.4z',
  more: 'M12 8a2 2 0 1 0 0-4 2 2 0 0 0 0 4zm0 6a2 2 0 1 0 0-4 2 2 0 0 0 0 4zm0 6a2 2 0 1 0 0-4 2 2 0 0 0 0 4z',
  close: 'M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z',
  terminal: 'M3 4h18a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1zm1 2v12h16V6zm2.3 2.3L10 12l-3.7 3.7-1.4-1.4L7.2 12 4.9 9.7zM11 15h6v2h-6z',
  download: 'M11 4h2v8.2l3.3-3.3 1.4 1.4L12 16l-5.7-5.7 1.4-1.4 3.3 3.3zM5 18h14v2H5z',
  replay: 'M12 5V1L7 6l5 5V7a5 5 0 1 1-5 5H5a7 7 0 1 0 7-7z',
  expand: 'M7.4 8.6 12 13.2l4.6-4.6L18 10l-6 6-6-6z',
  collapse: 'M7.4 15.4 12 10.8l4.6 4.6L18 14l-6-6-6 6z',
  info: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 15h-2v-6h2zm0-8h-2V7h2z',
  critical: 'M8.3 2h7.4L22 8.3v7.4L15.7 22H8.3L2 15.7V8.3zM11 7v6h2V7zm0 8v2h2v-2z',
  bell: 'M12 22a2 2 0 0 0 2-2h-4a2 2 0 0 0 2 2zm6-6v-5c0-3.1-1.6-5.6-4.5-6.3V4a1.5 1.5 0 0 0-3 0v.7C7.6 5.4 6 7.9 6 11v5l-2 2v1h16v-1z',
  mute: 'M4 5.3 5.3 4 20 18.7 18.7 20l-1-1H4v-1l2-2v-5c0-1 .2-1.9.5-2.7zM12 22a2 2 0 0 0 2-2h-4a2 2 0 0 0 2 2zm6-7.8V11c0-3.1-1.6-5.6-4.5-6.3V4a1.5 1.5 0 0 0-3 0v.7c-.6.1-1.1.4-1.6.7z',
  list: 'M3 5h2v2H3zm4 0h14v2H7zM3 11h2v2H3zm4 0h14v2H7zm-4 6h2v2H3zm4 0h14v2H7z',
  send: 'M2 21 23 12 2 3v7l15 2-15 2z',
};

@Component({
  selector: 'app-icon',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<svg viewBox="0 0 24 24" [attr.width]="size()" [attr.height]="size()" fill="currentColor"
      [attr.aria-hidden]="label() ? null : 'true'" [attr.role]="label() ? 'img' : null" [attr.aria-label]="label() || null"
      focusable="false"><path [attr.d]="path()" /></svg>`,
  styles: `:host { display: inline-flex; vertical-align: middle; line-height: 0; }`,
})
export class IconComponent {
  readonly name = input.required<string>();
  readonly size = input(20);
  readonly label = input<string>('');
  protected readonly path = computed(() => PATHS[this.name()] ?? PATHS['unknown']);
}
