import { CHAT_STREAM_VIEW_MAX_CHARS } from '@chatops/protocol/chatops';

export interface ChatStreamPiece {
  stream: 'stdout' | 'stderr';
  text: string;
}

/** What a streamed card shows while its action runs: the newest output, bounded. */
export interface ChatStreamView {
  pieces: ChatStreamPiece[];
  chars: number;
  /** Older output was dropped to stay within the bound (the final card has the end of it). */
  dropped: boolean;
}

export const emptyStreamView = (): ChatStreamView => ({ pieces: [], chars: 0, dropped: false });

/**
 * Appends a chunk (merging it into the previous piece of the same stream) and drops the oldest
 * output beyond `max` characters. Returns a new view (for signals); the input is not changed.
 */
export function appendToStreamView(view: ChatStreamView, stream: 'stdout' | 'stderr', chunk: string, max = CHAT_STREAM_VIEW_MAX_CHARS): ChatStreamView {
  if (!chunk) return view;
  const pieces = view.pieces.slice();
  const last = pieces[pieces.length - 1];
  if (last?.stream === stream) pieces[pieces.length - 1] = { stream, text: last.text + chunk };
  else pieces.push({ stream, text: chunk });
  let chars = view.chars + chunk.length;
  let dropped = view.dropped;
  while (chars > max && pieces.length) {
    const over = chars - max;
    const first = pieces[0];
    if (first.text.length <= over) {
      pieces.shift();
      chars -= first.text.length;
    } else {
      // Cut at a line start when there is one close by, so the view does not open mid-line.
      const nl = first.text.indexOf('\n', over);
      const cut = nl >= 0 && nl - over < 200 ? nl + 1 : over;
      pieces[0] = { stream: first.stream, text: first.text.slice(cut) };
      chars -= cut;
    }
    dropped = true;
  }
  return { pieces, chars, dropped };
}
