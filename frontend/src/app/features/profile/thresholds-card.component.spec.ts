import { TestBed } from '@angular/core/testing';
import { q, qa, type } from '../../../testing/dom';
import { DEFAULT_THRESHOLDS, ThresholdsService } from '../../shared/thresholds/thresholds';
import { ThresholdsCardComponent } from './thresholds-card.component';

describe('ThresholdsCardComponent', () => {
  afterEach(() => localStorage.clear());

  it('saves valid levels, refuses a warning above critical, and restores the defaults', async () => {
    const fixture = TestBed.createComponent(ThresholdsCardComponent);
    await fixture.whenStable();
    const service = TestBed.inject(ThresholdsService);
    const saveButton = () => qa<HTMLButtonElement>(fixture, 'button').find((b) => b.textContent?.includes('Save levels'))!;

    type(q<HTMLInputElement>(fixture, '[data-testid=cpu-warning]'), '99');
    await fixture.whenStable();
    expect(q(fixture, '[role=alert]').textContent).toContain('CPU: both from 0 to 100, warning at most critical.');
    expect(saveButton().disabled).toBe(true);

    type(q<HTMLInputElement>(fixture, '[data-testid=cpu-warning]'), '60');
    type(q<HTMLInputElement>(fixture, '[data-testid=cpu-critical]'), '70');
    await fixture.whenStable();
    saveButton().click();
    await fixture.whenStable();
    expect(service.thresholds().cpu).toEqual({ warning: 60, critical: 70 });
    expect(q(fixture, '[role=status]').textContent).toContain('Saved');

    qa<HTMLButtonElement>(fixture, 'button').find((b) => b.textContent?.includes('Restore defaults'))!.click();
    await fixture.whenStable();
    expect(service.thresholds()).toEqual(DEFAULT_THRESHOLDS);
    expect(q<HTMLInputElement>(fixture, '[data-testid=cpu-warning]').value).toBe('80');
  });
});
