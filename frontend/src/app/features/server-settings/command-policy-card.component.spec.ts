import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { CommandPolicy } from '@chatops/protocol';
import { q, qa, text, type } from '../../../testing/dom';
import { NotifyService } from '../../core/notify/notify.service';
import { CommandPolicyCardComponent } from './command-policy-card.component';
import { policyLines, serverPolicyErrors } from './policy-lines';

const POLICY: CommandPolicy = { serverId: 's1', allow: ['df *', 'uptime'], deny: ['rm *'], updatedAt: '2026-11-01T10:00:00.000Z' };

describe('CommandPolicyCardComponent', () => {
  let fixture: ComponentFixture<CommandPolicyCardComponent>;
  let http: HttpTestingController;

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    jest.spyOn(TestBed.inject(NotifyService), 'success').mockResolvedValue();
    fixture = TestBed.createComponent(CommandPolicyCardComponent);
    fixture.componentRef.setInput('serverId', 's1');
    await fixture.whenStable();
  });
  afterEach(() => http.verify());

  const area = (list: 'allow' | 'deny') => q<HTMLTextAreaElement>(fixture, `[data-testid=policy-${list}]`);
  const errors = (list: 'allow' | 'deny') => qa(fixture, `[data-testid=policy-${list}-errors] li`).map((li) => li.textContent?.trim());
  const saveButton = () => q<HTMLButtonElement>(fixture, '[data-testid=policy-save]');
  async function loaded(policy: CommandPolicy = POLICY): Promise<void> {
    http.expectOne('/api/v1/commands/s1/policy').flush(policy);
    await fixture.whenStable();
  }
  async function edit(list: 'allow' | 'deny', value: string): Promise<void> {
    type(area(list), value);
    await fixture.whenStable();
  }

  it('shows the patterns one per line with the syntax summary, and saves the edited lists', async () => {
    await loaded();
    expect(area('allow').value).toBe('df *\nuptime');
    expect(area('deny').value).toBe('rm *');
    expect(text(fixture)).toContain('never the shell\'s control characters');
    expect(saveButton().disabled).toBe(true); // nothing changed yet

    await edit('deny', 'rm *\n\n# no reboots\n  reboot  ');
    saveButton().click();
    await fixture.whenStable();
    const put = http.expectOne({ method: 'PUT', url: '/api/v1/commands/s1/policy' });
    expect(put.request.body).toEqual({ allow: ['df *', 'uptime'], deny: ['rm *', 'reboot'] });
    put.flush({ ...POLICY, deny: ['rm *', 'reboot'] });
    await fixture.whenStable();
    expect(area('deny').value).toBe('rm *\nreboot');
    expect(TestBed.inject(NotifyService).success).toHaveBeenCalledWith('Command policy saved');
  });

  it('names a bad line as it is typed (the same compiler as the server), and will not save it', async () => {
    await loaded();
    await edit('allow', 'df *\n# a comment\nre:(unclosed');
    expect(errors('allow')).toEqual([expect.stringMatching(/^Line 3: invalid regular expression/)]);
    expect(area('allow').getAttribute('aria-invalid')).toBe('true');
    expect(saveButton().disabled).toBe(true);
    await edit('allow', 'df *\n# a comment\nre:(closed)');
    expect(errors('allow')).toEqual([]);
    expect(saveButton().disabled).toBe(false);
  });

  it('shows the server\'s 400 under the line it names, counted as in the text box', async () => {
    await loaded({ ...POLICY, allow: [], deny: [] });
    await edit('deny', '# comments first\n\nok *\nbad');
    saveButton().click();
    await fixture.whenStable();
    http.expectOne({ method: 'PUT', url: '/api/v1/commands/s1/policy' }).flush({
      statusCode: 400, error: 'Bad Request', code: 'command.invalid_policy', message: 'Invalid pattern: deny line 2 "bad": too risky', requestId: 'r1',
      details: [{ field: 'deny[1]', errors: ['deny line 2 "bad": too risky'] }],
    }, { status: 400, statusText: 'Bad Request' });
    await fixture.whenStable();
    expect(errors('deny')).toEqual(['Line 4: too risky']);
    await edit('deny', '# comments first\n\nok *');
    expect(errors('deny')).toEqual([]);
  });

  it('is hidden from a user the API does not let see the policy', async () => {
    http.expectOne('/api/v1/commands/s1/policy').flush({ statusCode: 403, message: 'no' }, { status: 403, statusText: 'Forbidden' });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=command-policy]')).toHaveLength(0);
  });
});

describe('policy lines', () => {
  it('skips blanks and comments, keeping the text box line numbers', () => {
    expect(policyLines('a\n\n # c\n b ')).toEqual([{ line: 1, pattern: 'a' }, { line: 4, pattern: 'b' }]);
  });

  it('maps the server\'s details to lists and lines, and ignores what it does not understand', () => {
    const sent = { allow: [{ line: 3, pattern: 'x' }], deny: [] };
    expect(serverPolicyErrors({ details: [{ field: 'allow[0]', errors: ['allow line 1 "x": empty'] }, { field: 'other', errors: ['?'] }, 'junk'] }, sent))
      .toEqual([{ list: 'allow', line: 3, message: 'empty' }]);
    expect(serverPolicyErrors({ details: [{ field: 'deny', errors: ['more than 500 patterns'] }] }, sent))
      .toEqual([{ list: 'deny', line: null, message: 'more than 500 patterns' }]);
    expect(serverPolicyErrors({ message: 'no details' }, sent)).toEqual([]);
  });
});
