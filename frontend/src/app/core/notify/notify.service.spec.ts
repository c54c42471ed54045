import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { Router, provideRouter } from '@angular/router';
import { NotifyService } from './notify.service';

@Component({ template: '' })
class BlankPage {}

describe('NotifyService', () => {
  let notify: NotifyService;
  let router: Router;
  const toasts = () => Array.from(document.querySelectorAll('mat-snack-bar-container'));
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 0));
    TestBed.tick();
  };

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: '', component: BlankPage }, { path: 'audit', component: BlankPage }, { path: 'profile', component: BlankPage }]),
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    notify = TestBed.inject(NotifyService);
    router = TestBed.inject(Router);
    await router.navigateByUrl('/audit');
  });
  afterEach(() => document.querySelectorAll('.cdk-overlay-container').forEach((e) => (e.innerHTML = '')));

  it('shows the message of an error, with the request id in a Details expander rather than in the sentence', async () => {
    await notify.error('Name taken', 'req-42');
    await settle();
    const toast = toasts()[0] as HTMLElement;
    expect(toast.querySelector('[data-testid=toast-message]')!.textContent).toBe('Name taken');
    expect(toast.querySelector('[data-testid=toast-message]')!.textContent).not.toContain('req-42');
    const details = toast.querySelector('details')!;
    expect(details.open).toBe(false);
    expect(details.querySelector('summary')!.textContent).toBe('Details');
    expect(toast.querySelector('[data-testid=toast-request-id]')!.textContent).toBe('req-42');
  });

  it('has no Details expander when there is no request id', async () => {
    await notify.error('Cannot reach the ChatOps server.');
    await settle();
    expect(toasts()[0].querySelector('details')).toBeNull();
  });

  it('dismisses a toast when the user goes to another page, but not on a query-string change', async () => {
    await notify.error('Could not load the audit log', 'r1');
    await settle();
    expect(toasts()).toHaveLength(1);
    await router.navigateByUrl('/audit?action=server.create');
    await settle();
    expect(toasts()).toHaveLength(1);
    await router.navigateByUrl('/profile');
    await settle();
    expect(toasts()).toHaveLength(0);
  });

  it('does not open, on the new page, a toast asked for on the page the user left', async () => {
    const pending = notify.success('Saved'); // MatSnackBar is still loading
    await router.navigateByUrl('/profile');
    await pending;
    await settle();
    expect(toasts()).toHaveLength(0);
    // A toast raised after the navigation (e.g. "deleted", once on the overview) shows.
    await notify.success('prod-db deleted');
    await settle();
    expect(toasts()).toHaveLength(1);
    expect(toasts()[0].textContent).toContain('prod-db deleted');
  });

  it('never covers a fired alert or an error still on screen with a confirmation, but a new alert replaces a confirmation', async () => {
    await notify.attention('Critical: memory 93 % on web-1', 'View', () => undefined);
    await settle();
    await notify.success('Rule created'); // the save answered after the alert it caused
    await settle();
    expect(toasts()).toHaveLength(1);
    expect(toasts()[0].textContent).toContain('Critical: memory');

    document.querySelectorAll('.cdk-overlay-container').forEach((e) => (e.innerHTML = ''));
    await router.navigateByUrl('/profile'); // a clean page: nothing on screen
    await settle();
    await notify.success('Saved');
    await settle();
    await notify.attention('Warning: disk 85 % on web-2', 'View', () => undefined);
    await settle();
    expect(toasts().map((t) => t.textContent)).toEqual([expect.stringContaining('Warning: disk')]);
  });
});
