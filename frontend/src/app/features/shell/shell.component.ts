import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, DestroyRef, Injector, ViewContainerRef, computed, effect, inject, viewChild } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatListModule } from '@angular/material/list';
import { MatMenuModule } from '@angular/material/menu';
import { MatSidenav, MatSidenavModule } from '@angular/material/sidenav';
import { MatToolbarModule } from '@angular/material/toolbar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { filter, map, startWith } from 'rxjs';
import { OpenAlertsService } from '../../core/alerts/open-alerts.service';
import { AuthService } from '../../core/auth/auth.service';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { IconComponent } from '../../shared/ui/icon.component';
import { serverIdFromUrl } from '../chat/chat-context';


@Component({
  selector: 'app-shell',
  imports: [MatToolbarModule, MatSidenavModule, MatListModule, MatButtonModule, MatMenuModule, MatTooltipModule, RouterOutlet, RouterLink, RouterLinkActive, IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './shell.component.html',
  styleUrl: './shell.component.scss',
})
export class ShellComponent {
  protected readonly auth = inject(AuthService);
  protected readonly live = inject(LiveSocketService);
  protected readonly openAlerts = inject(OpenAlertsService);
  private readonly sidenav = viewChild.required<MatSidenav>('sidenav');
  private readonly chatDrawer = viewChild.required<MatSidenav>('chatDrawer');
  /** Where the chat panel goes: created (its code loaded) on the drawer's first opening, then kept. */
  private readonly chatHost = viewChild.required('chatHost', { read: ViewContainerRef });
  private chatLoading: Promise<void> | null = null;
  private chatPanel: { focusInput(): void } | null = null;
  private readonly router = inject(Router);
  private readonly injector = inject(Injector);
  protected readonly chatServerId = toSignal(
    this.router.events.pipe(
      filter((e) => e instanceof NavigationEnd),
      startWith(null),
      map(() => serverIdFromUrl(this.router.url)),
    ),
    { initialValue: null },
  );

  protected readonly isPhone = toSignal(
    inject(BreakpointObserver).observe('(max-width: 768px)').pipe(map((r) => r.matches)),
    { initialValue: false },
  );
  protected readonly liveLabel = computed(
    () => ({ connected: 'Live: connected', connecting: 'Live: connecting…', disconnected: 'Live: disconnected' })[this.live.status()],
  );
  protected readonly openAlertsLabel = computed(() => {
    // The visible count is part of the name (WCAG 2.5.3, label in name): "0", not "none".
    return `Alerts: ${this.openAlerts.total()} open`;
  });
  protected readonly initials = computed(() => {
    const u = this.auth.user();
    const name = u?.fullName || u?.username || '?';
    return name.split(/\s+/).map((p) => p[0]).join('').slice(0, 2).toUpperCase();
  });

  constructor() {
    const sub = this.openAlerts.start();
    inject(DestroyRef).onDestroy(() => sub.unsubscribe());
  }

  protected navigated(): void {
    if (this.isPhone()) void this.sidenav().close();
  }

  protected toggleChat(): void {
    this.chatLoading ??= this.loadChat();
    void this.chatDrawer().toggle();
  }

  /**
   * A dynamic import rather than `@defer` (whose runtime would join the initial bundle): the panel,
   * its ECharts and ansi_up stay in the chat chunk.
   */
  private async loadChat(): Promise<void> {
    const { ChatPanelComponent } = await import('../chat/chat-panel.component');
    const ref = this.chatHost().createComponent(ChatPanelComponent, { injector: this.injector });
    ref.setInput('mode', 'drawer');
    ref.instance.closed.subscribe(() => void this.chatDrawer().close());
    this.chatPanel = ref.instance;
    ref.changeDetectorRef.detectChanges();
    this.focusChat();
    effect(() => ref.setInput('serverId', this.chatServerId()), { injector: this.injector });
  }

  /** The drawer opens on the message box (not its first button). */
  protected focusChat(): void {
    if (this.chatDrawer().opened) this.chatPanel?.focusInput();
  }

  protected logout(): void {
    void this.auth.logout();
  }
}
