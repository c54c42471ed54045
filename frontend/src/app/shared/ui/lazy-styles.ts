/**
 * Adds a library's stylesheet to the document once (a `<style data-lazy-styles=id>` in <head>).
 * Used by lazy chunks (xterm, asciinema-player) so their CSS loads with them, not with the app.
 */
export function adoptStyles(doc: Document, id: string, css: string): void {
  if (doc.head.querySelector(`style[data-lazy-styles="${id}"]`)) return;
  const style = doc.createElement('style');
  style.setAttribute('data-lazy-styles', id);
  style.textContent = css;
  doc.head.appendChild(style);
}
