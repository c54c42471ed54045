import { domainException } from '../../common/domain-exception';

export enum ServerErrorCode {
  /** No such server, or not yours: the same answer, so nothing about others leaks. */
  NotFound = 'server.not_found',
  MetadataTooLarge = 'server.metadata_too_large',
}

export const ServerException = domainException<ServerErrorCode>('ServerException', {
  [ServerErrorCode.NotFound]: 404,
  [ServerErrorCode.MetadataTooLarge]: 400,
});

export const serverNotFound = () => new ServerException(ServerErrorCode.NotFound, 'Server not found');
