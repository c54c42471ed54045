import { domainException } from '../../common/domain-exception';

export enum TerminalErrorCode {
  NotFound = 'terminal.not_found',
  BadCursor = 'terminal.bad_cursor',
}

export const TerminalException = domainException<TerminalErrorCode>('TerminalException', {
  [TerminalErrorCode.NotFound]: 404,
  [TerminalErrorCode.BadCursor]: 400,
});
