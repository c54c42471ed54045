import { HttpParameterCodec, HttpParams } from '@angular/common/http';

/**
 * Encodes every reserved character. Angular's default codec leaves `+` as it is, which the backend's
 * query parser reads as a space: searching the command history or the chat for `a+b`, or completing
 * `run web-1 -- echo a+b`, would ask about `a b`.
 */
export const STRICT_QUERY_CODEC: HttpParameterCodec = {
  encodeKey: encodeURIComponent,
  encodeValue: encodeURIComponent,
  decodeKey: decodeURIComponent,
  decodeValue: decodeURIComponent,
};

/** Query parameters of an API call, strictly encoded (see STRICT_QUERY_CODEC). */
export const queryParams = (): HttpParams => new HttpParams({ encoder: STRICT_QUERY_CODEC });
