import { ChangeDetectionStrategy, Component, ElementRef, computed, effect, inject, input, output, signal, viewChild } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { ChatCompletion } from '@chatops/protocol/chatops';
import { CHAT_TEXT_MAX_LENGTH } from '@chatops/protocol/chatops';
import { MatButtonModule } from '@angular/material/button';
import { Subject, catchError, debounceTime, distinctUntilChanged, map, of, switchMap } from 'rxjs';
import { ChatopsApi } from '../../core/api/chatops-api.service';
import { IconComponent } from '../../shared/ui/icon.component';
import { CommandRecall } from '../server-commands/command-recall';

/** Wait this long after the last keystroke before asking for completions. */
export const COMPLETE_DEBOUNCE_MS = 200;

let nextId = 0;

/**
 * The message box: completion from `/chatops/complete` (↑/↓ move, Tab/Enter accept, Esc closes),
 * ↑/↓ recall of earlier messages when no suggestion list is open, Enter sends, Shift+Enter breaks
 * the line.
 */
@Component({
  selector: 'app-chat-input',
  imports: [MatButtonModule, IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './chat-input.component.html',
  styleUrl: './chat-input.component.scss',
})
export class ChatInputComponent {
  /** The conversation's server: completion of container names and server-less commands uses it. */
  readonly serverId = input<string | null>(null);
  /** Earlier messages, newest first, for ↑ recall (the history seeds it). */
  readonly recallSeed = input<readonly string[]>([]);
  readonly busy = input(false);
  readonly send = output<string>();

  protected readonly id = `chat-input-${nextId++}`;
  protected readonly maxLength = CHAT_TEXT_MAX_LENGTH;
  protected readonly value = signal('');
  protected readonly items = signal<ChatCompletion[]>([]);
  /** The highlighted suggestion, -1 when none. */
  protected readonly active = signal(-1);
  protected readonly open = computed(() => this.items().length > 0);
  protected readonly activeId = computed(() => (this.open() && this.active() >= 0 ? `${this.id}-opt-${this.active()}` : null));

  private readonly box = viewChild.required<ElementRef<HTMLTextAreaElement>>('box');
  private readonly recall = new CommandRecall();
  private readonly typed = new Subject<string>();

  constructor() {
    const api = inject(ChatopsApi);
    effect(() => this.recall.seed(this.recallSeed()));
    this.typed
      .pipe(
        debounceTime(COMPLETE_DEBOUNCE_MS),
        distinctUntilChanged(),
        switchMap((text) => (text.trim() && !text.includes('\n')
          ? api.complete(text, this.serverId()).pipe(map((r) => ({ text, items: r.items })), catchError(() => of({ text, items: [] })))
          : of({ text, items: [] }))),
        takeUntilDestroyed(),
      )
      .subscribe(({ text, items }) => {
        // Suggestions for text the user has since sent, recalled or replaced are stale.
        if (text !== this.value()) return;
        this.items.set(items.filter((i) => i.text !== text));
        this.active.set(-1);
      });
  }

  /** Puts text in the box (an action's command, "try help") and focuses it. */
  fill(text: string): void {
    this.setValue(text);
    this.focus();
  }

  focus(): void {
    this.box().nativeElement.focus();
  }

  protected onInput(text: string): void {
    this.value.set(text);
    this.recall.reset();
    this.typed.next(text);
    if (!text.trim()) this.close();
  }

  protected onKeydown(e: KeyboardEvent): void {
    if (e.isComposing) return;
    if (this.open()) {
      const n = this.items().length;
      switch (e.key) {
        case 'ArrowDown':
          e.preventDefault();
          this.active.set((this.active() + 1) % n);
          return;
        case 'ArrowUp':
          e.preventDefault();
          this.active.set(this.active() <= 0 ? n - 1 : this.active() - 1);
          return;
        case 'Tab':
          if (e.shiftKey) break;
          e.preventDefault();
          this.accept(Math.max(0, this.active()));
          return;
        case 'Enter':
          if (this.active() >= 0 && !e.shiftKey) {
            e.preventDefault();
            this.accept(this.active());
            return;
          }
          break;
        case 'Escape':
          e.preventDefault();
          this.close();
          return;
      }
    }
    const el = e.target as HTMLTextAreaElement;
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      this.submit();
    } else if (e.key === 'ArrowUp' && !el.value.slice(0, el.selectionStart ?? 0).includes('\n')) {
      const prev = this.recall.up(this.value());
      if (prev !== null) {
        e.preventDefault();
        this.setValue(prev);
      }
    } else if (e.key === 'ArrowDown' && !el.value.slice(el.selectionEnd ?? 0).includes('\n')) {
      const next = this.recall.down();
      if (next !== null) {
        e.preventDefault();
        this.setValue(next);
      }
    }
  }

  protected accept(index: number): void {
    const item = this.items()[index];
    if (!item) return;
    this.setValue(item.text);
    // Completing a word is followed by the next one: ask what may come after it.
    if (item.text.endsWith(' ')) this.typed.next(item.text);
    this.focus();
  }

  protected submit(): void {
    const text = this.value().trim();
    if (!text || this.busy()) return;
    this.recall.push(text);
    this.setValue('');
    this.typed.next('');
    this.send.emit(text);
  }

  protected close(): void {
    this.items.set([]);
    this.active.set(-1);
  }

  /** Sets the text without asking for completions (recall, accepted suggestion, sent). */
  private setValue(text: string): void {
    this.value.set(text);
    this.close();
    const el = this.box().nativeElement;
    el.value = text;
    el.setSelectionRange(text.length, text.length);
  }
}
