/**
 * One output stream of a command (stdout or stderr): UTF-8 decoded across chunk boundaries
 * (a character split between two pipe reads comes out whole) and kept up to a byte cap. Past the
 * cap the caller keeps reading and everything is discarded, so the child never blocks on a full
 * pipe and the agent's memory stays bounded whatever the command prints.
 */
import { StringDecoder } from 'node:string_decoder';

export class CappedOutput {
  private readonly decoder = new StringDecoder('utf8');
  private readonly parts: string[] = [];
  private kept = 0;
  private cut = false;
  private joined: string | null = null;

  constructor(private readonly capBytes: number) {}

  /** Bytes were discarded because of the cap. */
  get truncated(): boolean {
    return this.cut;
  }

  /** Takes one chunk read from the pipe; returns the text it adds (empty once past the cap). */
  write(chunk: Buffer): string {
    if (this.cut) return '';
    const room = this.capBytes - this.kept;
    let bytes = chunk;
    if (bytes.length > room) {
      bytes = bytes.subarray(0, room);
      this.cut = true;
    }
    this.kept += bytes.length;
    return this.add(this.decoder.write(bytes));
  }

  /**
   * End of the stream. Trailing bytes of an incomplete character become U+FFFD, as any UTF-8
   * decoder does, unless the cap cut that character: then they are simply dropped.
   */
  end(): string {
    return this.cut ? '' : this.add(this.decoder.end());
  }

  /** Everything kept, decoded. */
  get text(): string {
    this.joined ??= this.parts.join('');
    return this.joined;
  }

  private add(text: string): string {
    if (text) {
      this.parts.push(text);
      this.joined = null;
    }
    return text;
  }
}
