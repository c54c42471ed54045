import { ComponentFixture } from '@angular/core/testing';

export function q<T extends Element = HTMLElement>(fixture: ComponentFixture<unknown>, selector: string): T {
  const el = (fixture.nativeElement as HTMLElement).querySelector<T>(selector);
  if (!el) throw new Error(`No element matches ${selector}`);
  return el;
}

export function qa<T extends Element = HTMLElement>(fixture: ComponentFixture<unknown>, selector: string): T[] {
  return Array.from((fixture.nativeElement as HTMLElement).querySelectorAll<T>(selector));
}

export function text(fixture: ComponentFixture<unknown>): string {
  return ((fixture.nativeElement as HTMLElement).textContent ?? '').replace(/\s+/g, ' ');
}

export function type(input: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event('input'));
  input.dispatchEvent(new Event('blur'));
}

/** Finds a button (or link) by its visible text. */
export function button(fixture: ComponentFixture<unknown>, label: string | RegExp, root: ParentNode = fixture.nativeElement): HTMLButtonElement {
  const all = Array.from(root.querySelectorAll<HTMLButtonElement>('button, a, [role=tab]'));
  const found = all.find((b) => (typeof label === 'string' ? b.textContent?.trim() === label : label.test(b.textContent ?? '')));
  if (!found) throw new Error(`No button labelled ${label}: ${all.map((b) => b.textContent?.trim()).join(' | ')}`);
  return found;
}
