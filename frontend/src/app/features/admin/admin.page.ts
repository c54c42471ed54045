import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatTabsModule } from '@angular/material/tabs';
import { AdminRegistrationComponent } from './admin-registration.component';
import { AdminUsersComponent } from './admin-users.component';

/** `/admin` (instance admin only): users, and who may register. */
@Component({
  selector: 'app-admin-page',
  imports: [MatTabsModule, AdminUsersComponent, AdminRegistrationComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      <header class="page-header"><h1>Administration</h1></header>
      <mat-tab-group mat-stretch-tabs="false" animationDuration="0ms">
        <mat-tab label="Users"><ng-template matTabContent><app-admin-users /></ng-template></mat-tab>
        <mat-tab label="Registration"><ng-template matTabContent><app-admin-registration /></ng-template></mat-tab>
      </mat-tab-group>
    </div>
  `,
})
export class AdminPage {}
