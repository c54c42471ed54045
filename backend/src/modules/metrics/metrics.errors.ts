import { domainException } from '../../common/domain-exception';

export enum MetricsErrorCode {
  /** The server has sent no sample yet. */
  NotFound = 'metrics.not_found',
  BadRange = 'metrics.bad_range',
  /** Ingest: the database refused the values themselves (the agent must not resend them). */
  IngestInvalid = 'ingest.invalid',
  /** Ingest: storage unavailable, behind, or shutting down (the agent keeps the samples and resends). */
  IngestUnavailable = 'ingest.unavailable',
  IngestBackpressure = 'ingest.backpressure',
  IngestStopped = 'ingest.stopped',
}

export const MetricsException = domainException<MetricsErrorCode>('MetricsException', {
  [MetricsErrorCode.NotFound]: 404,
  [MetricsErrorCode.BadRange]: 400,
  [MetricsErrorCode.IngestInvalid]: 400,
  [MetricsErrorCode.IngestUnavailable]: 503,
  [MetricsErrorCode.IngestBackpressure]: 503,
  [MetricsErrorCode.IngestStopped]: 503,
});
