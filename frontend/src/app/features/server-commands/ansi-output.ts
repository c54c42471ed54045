import { AnsiUp } from 'ansi_up';

export type OutputStream = 'stdout' | 'stderr';

const ESCAPED = Symbol('produced by ansi_up with escape_html');

/**
 * HTML made by ansi_up from command output. Only this file can create one (the constructor needs a
 * module-private symbol), so the type guarantees that what AnsiHtmlDirective writes into the DOM
 * went through ansi_up's escaping, never raw output.
 */
export class AnsiHtml {
  constructor(readonly html: string, token: typeof ESCAPED) {
    if (token !== ESCAPED) throw new Error('AnsiHtml is made by AnsiOutput only');
  }
}

/** A run of output from one stream; `id` is its position (stable while data is appended to it). */
export interface OutputChunk {
  id: number;
  stream: OutputStream;
  html: AnsiHtml;
}

/**
 * Turns command output with ANSI colour codes into HTML. ansi_up escapes every character of the
 * text (`& < > " '`) and emits only `<span>` elements with its own classes/styles (and `<a>` for
 * http(s) OSC 8 links). One converter per stream keeps its colour state across chunks (an escape
 * sequence split between two chunks is buffered by ansi_up).
 */
export class AnsiOutput {
  private readonly converters: Record<OutputStream, AnsiUp> = { stdout: converter(), stderr: converter() };
  private readonly html: string[] = [];
  private readonly streams: OutputStream[] = [];
  private _chunks: OutputChunk[] = [];

  /** The output so far: consecutive data of one stream is merged into one chunk. */
  get chunks(): OutputChunk[] {
    return this._chunks;
  }

  /** Appends data of one stream; returns the new chunk list (a new array, for signals). */
  append(stream: OutputStream, data: string): OutputChunk[] {
    const html = this.converters[stream].ansi_to_html(data);
    if (!html) return this._chunks;
    const last = this.streams.length - 1;
    if (last >= 0 && this.streams[last] === stream) {
      this.html[last] += html;
      this._chunks = [...this._chunks.slice(0, last), { id: last, stream, html: new AnsiHtml(this.html[last], ESCAPED) }];
    } else {
      this.html.push(html);
      this.streams.push(stream);
      this._chunks = [...this._chunks, { id: this.streams.length - 1, stream, html: new AnsiHtml(html, ESCAPED) }];
    }
    return this._chunks;
  }
}

function converter(): AnsiUp {
  const c = new AnsiUp();
  c.use_classes = true; // the 16 colours as classes (themed in CSS); 256/true colours stay inline styles
  c.escape_html = true; // the default, stated: this is what makes the output safe
  return c;
}

/**
 * Log lines to HTML, line by line (the Containers tab's logs viewer): one converter per stream, so
 * a colour set on one line carries to the next as in a terminal. Same escaping as AnsiOutput.
 */
export class AnsiLines {
  private readonly converters: Record<OutputStream, AnsiUp> = { stdout: converter(), stderr: converter() };

  line(stream: OutputStream, text: string): AnsiHtml {
    return new AnsiHtml(this.converters[stream].ansi_to_html(text), ESCAPED);
  }
}

/** CSI and OSC escape sequences, removed for search and for the plain-text download. */
const ANSI_SEQUENCE = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
export const stripAnsi = (text: string): string => text.replace(ANSI_SEQUENCE, '');
