import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import type { ChatCompletion } from '@chatops/protocol/chatops';
import { q, qa } from '../../../testing/dom';
import { COMPLETE_DEBOUNCE_MS, ChatInputComponent } from './chat-input.component';

describe('ChatInputComponent', () => {
  let fixture: ComponentFixture<ChatInputComponent>;
  let http: HttpTestingController;
  let sent: string[];

  beforeEach(() => {
    jest.useFakeTimers();
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } }],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ChatInputComponent);
    fixture.componentRef.setInput('serverId', 's1');
    sent = [];
    fixture.componentInstance.send.subscribe((t) => sent.push(t));
    fixture.detectChanges();
  });
  afterEach(() => {
    http.verify();
    jest.useRealTimers();
  });

  const box = () => q<HTMLTextAreaElement>(fixture, '[data-testid=chat-input]');
  const options = () => qa(fixture, '[role=option]');
  const selected = () => options().findIndex((o) => o.getAttribute('aria-selected') === 'true');
  function typeText(value: string): void {
    box().value = value;
    box().dispatchEvent(new Event('input'));
    fixture.detectChanges();
  }
  function key(k: string, init: KeyboardEventInit = {}): KeyboardEvent {
    const e = new KeyboardEvent('keydown', { key: k, cancelable: true, ...init });
    box().dispatchEvent(e);
    fixture.detectChanges();
    return e;
  }
  function suggest(items: ChatCompletion[]): void {
    jest.advanceTimersByTime(COMPLETE_DEBOUNCE_MS);
    const req = http.expectOne((r) => r.url === '/api/v1/chatops/complete');
    expect(req.request.params.get('serverId')).toBe('s1');
    req.flush({ items });
    fixture.detectChanges();
  }
  const items: ChatCompletion[] = [
    { text: 'status ', label: 'status', kind: 'command', description: 'The fleet at a glance' },
    { text: 'silence ', label: 'silence', kind: 'command' },
  ];

  describe('completion', () => {
    it('asks once the typing pauses (debounced) and lists the suggestions as a listbox', () => {
      typeText('s');
      jest.advanceTimersByTime(COMPLETE_DEBOUNCE_MS / 2);
      typeText('st');
      http.expectNone((r) => r.url === '/api/v1/chatops/complete');
      jest.advanceTimersByTime(COMPLETE_DEBOUNCE_MS);
      const req = http.expectOne((r) => r.url === '/api/v1/chatops/complete');
      expect(req.request.params.get('text')).toBe('st');
      req.flush({ items });
      fixture.detectChanges();
      expect(options().map((o) => o.querySelector('.label')?.textContent)).toEqual(['status', 'silence']);
      // A textarea may not take role=combobox (ARIA in HTML): it stays a textbox that names its list.
      expect(box().getAttribute('role')).toBeNull();
      expect(box().getAttribute('aria-autocomplete')).toBe('list');
      expect(box().getAttribute('aria-controls')).toBe(fixture.nativeElement.querySelector('[role=listbox]').id);
    });

    it('↓/↑ move the highlight (wrapping), Enter accepts it without sending', () => {
      typeText('s');
      suggest(items);
      key('ArrowDown');
      expect(selected()).toBe(0);
      expect(box().getAttribute('aria-activedescendant')).toBe(options()[0].id);
      key('ArrowDown');
      expect(selected()).toBe(1);
      key('ArrowDown');
      expect(selected()).toBe(0);
      key('ArrowUp');
      expect(selected()).toBe(1);
      const e = key('Enter');
      expect(e.defaultPrevented).toBe(true);
      expect(box().value).toBe('silence ');
      expect(options()).toHaveLength(0);
      expect(sent).toEqual([]);
      // The accepted word ends with a space: what may follow is asked for at once.
      jest.advanceTimersByTime(COMPLETE_DEBOUNCE_MS);
      expect(http.expectOne((r) => r.url === '/api/v1/chatops/complete').request.params.get('text')).toBe('silence ');
    });

    it('Tab accepts the first suggestion when none is highlighted; Escape closes the list', () => {
      typeText('s');
      suggest(items);
      key('Escape');
      expect(options()).toHaveLength(0);
      typeText('st');
      suggest(items);
      key('Tab');
      expect(box().value).toBe('status ');
      jest.advanceTimersByTime(COMPLETE_DEBOUNCE_MS);
      http.expectOne((r) => r.url === '/api/v1/chatops/complete').flush({ items: [] });
    });

    it('Enter with the list open but nothing highlighted sends the text', () => {
      typeText('st');
      suggest(items);
      key('Enter');
      expect(sent).toEqual(['st']);
      expect(box().value).toBe('');
    });
  });

  describe('sending and recall', () => {
    it('Enter sends (trimmed), Shift+Enter keeps a new line, blank text is not sent', () => {
      typeText('   ');
      key('Enter');
      expect(sent).toEqual([]);
      typeText('run web-1 -- uptime');
      const shift = key('Enter', { shiftKey: true });
      expect(shift.defaultPrevented).toBe(false);
      expect(sent).toEqual([]);
      key('Enter');
      expect(sent).toEqual(['run web-1 -- uptime']);
      expect(box().value).toBe('');
      jest.advanceTimersByTime(COMPLETE_DEBOUNCE_MS);
      http.match(() => true).forEach((r) => r.flush({ items: [] }));
    });

    it('↑/↓ walk through earlier messages (the history, then those sent here) and give the draft back', () => {
      fixture.componentRef.setInput('recallSeed', ['status', 'help']);
      fixture.detectChanges();
      key('ArrowUp');
      expect(box().value).toBe('status');
      key('ArrowUp');
      expect(box().value).toBe('help');
      key('ArrowUp');
      expect(box().value).toBe('help');
      key('ArrowDown');
      expect(box().value).toBe('status');
      key('ArrowDown');
      expect(box().value).toBe('');

      typeText('top web-1');
      key('Enter');
      key('ArrowUp');
      expect(box().value).toBe('top web-1');
      key('ArrowUp');
      expect(box().value).toBe('status');
      // Recall never asks for completions.
      jest.advanceTimersByTime(COMPLETE_DEBOUNCE_MS);
      http.match(() => true).forEach((r) => r.flush({ items: [] }));
    });
  });
});
