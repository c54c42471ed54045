import { CHAT_METRIC_RANGES, type ChatCompletion, type ChatCompletionKind } from '@chatops/protocol';
import { ArgSpec, COMMANDS, CommandName, CommandSpec, findCommand } from './chat-commands';
import { tokenize, visibleNames } from './chat-parser';

/** Names the completion may offer, looked up by the caller (the user's servers, containers, tags). */
export interface CompletionSources {
  servers: readonly string[];
  containers: readonly string[];
  tags: readonly string[];
}

export const MAX_COMPLETIONS = 20;

/**
 * Completes the last word of `text` from the command table: command names first, then what the
 * argument at that position takes (servers, containers, keywords). Never throws.
 */
export function complete(text: string, sources: CompletionSources): ChatCompletion[] {
  try {
    return completeUnsafe(text, sources);
  } catch {
    return [];
  }
}

function completeUnsafe(text: string, sources: CompletionSources): ChatCompletion[] {
  const tokens = tokenize(text);
  const endsWithSpace = text.length === 0 || /\s$/.test(text);
  const current = endsWithSpace ? '' : (tokens[tokens.length - 1]?.value ?? '');
  const prefix = endsWithSpace ? text : text.slice(0, tokens[tokens.length - 1].start);
  const words = (endsWithSpace ? tokens : tokens.slice(0, -1)).map((t) => t.value);
  const offer = (values: readonly string[], kind: ChatCompletionKind, describe?: (v: string) => string | undefined): ChatCompletion[] => {
    const c = current.toLowerCase();
    const seen = new Set<string>();
    const out: ChatCompletion[] = [];
    for (const v of values) {
      if (out.length >= MAX_COMPLETIONS) break;
      if (seen.has(v) || !v.toLowerCase().startsWith(c)) continue;
      seen.add(v);
      const description = describe?.(v);
      out.push({ text: `${prefix}${v} `, label: v, kind, ...(description ? { description } : {}) });
    }
    return out;
  };

  if (!words.length) return offer(visibleNames(), 'command', (n) => COMMANDS[n as CommandName].description);
  const spec = findCommand(words[0].replace(/^\//, ''));
  if (!spec || spec.hidden) return [];
  const arg = argAt(spec, words.slice(1));
  if (!arg) return [];
  switch (arg.kind) {
    case 'server': return offer(sources.servers, 'server');
    case 'target': return [
      ...offer(spec.name === 'silence' ? ['all'] : [], 'keyword', () => 'every server of yours'),
      ...offer(sources.servers, 'server'),
      ...offer(sources.tags, 'keyword', () => 'tag'),
    ].slice(0, MAX_COMPLETIONS);
    case 'container': return offer(sources.containers, 'container');
    case 'choice': return offer(arg.choices, 'keyword');
    case 'range': return offer(CHAT_METRIC_RANGES, 'keyword');
    case 'literal': return offer([arg.literal], 'keyword');
    case 'on': return offer(['on'], 'keyword');
    case 'flag': return offer([arg.flag], 'keyword');
    case 'topic': return offer(visibleNames(), 'command', (n) => COMMANDS[n as CommandName].description);
    default: return [];
  }
}

/** The argument the next word fills, after `words` (the command's words typed so far). */
function argAt(spec: CommandSpec<CommandName>, words: string[]): ArgSpec | null {
  let k = 0;
  let afterOn = false;
  for (let i = 0; i < words.length; i++) {
    const a = spec.args[k];
    if (!a) return null;
    const w = words[i];
    if (a.kind === 'rest') return null;
    if (a.kind === 'on') {
      if (afterOn) { afterOn = false; k++; continue; }
      if (w.toLowerCase() === 'on') { afterOn = true; continue; }
      k++; i--; // `on <server>` left out: the word belongs to the next argument
      continue;
    }
    const next = spec.args[k + 1];
    if (a.kind === 'server' && a.contextual && next?.kind === 'literal' && w === next.literal) { k += 2; continue; }
    k++;
  }
  if (afterOn) return { kind: 'server', name: 'server' };
  return spec.args[k] ?? null;
}
