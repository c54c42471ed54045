import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { RouterLink } from '@angular/router';
import { EmptyStateComponent } from './empty-state.component';

/** Route '**' and the server pages (on a 404) render this. */
@Component({
  selector: 'app-not-found',
  imports: [EmptyStateComponent, MatButtonModule, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<div class="page" data-testid="not-found">
    <app-empty-state icon="warning" title="Not found" [message]="message()" [headingLevel]="1">
      <a mat-flat-button routerLink="/">Back to the overview</a>
    </app-empty-state>
  </div>`,
})
export class NotFoundComponent {
  readonly message = input('The page you asked for does not exist, or it is not yours.');
}
