import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, viewChild } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatListModule } from '@angular/material/list';
import { MatMenuModule } from '@angular/material/menu';
import { MatSidenav, MatSidenavModule } from '@angular/material/sidenav';
import { MatToolbarModule } from '@angular/material/toolbar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { map } from 'rxjs';
import { OpenAlertsService } from '../../core/alerts/open-alerts.service';
import { AuthService } from '../../core/auth/auth.service';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { IconComponent } from '../../shared/ui/icon.component';

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
  private readonly sidenav = viewChild.required(MatSidenav);

  protected readonly isPhone = toSignal(
    inject(BreakpointObserver).observe('(max-width: 768px)').pipe(map((r) => r.matches)),
    { initialValue: false },
  );
  protected readonly liveLabel = computed(
    () => ({ connected: 'Live: connected', connecting: 'Live: connecting…', disconnected: 'Live: disconnected' })[this.live.status()],
  );
  protected readonly openAlertsLabel = computed(() => {
    const n = this.openAlerts.total();
    return n ? `Alerts: ${n} open` : 'Alerts: none open';
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

  protected logout(): void {
    void this.auth.logout();
  }
}
