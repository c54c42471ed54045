import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { SignInOptions } from '@chatops/protocol';

export class OidcLoginQuery {
  /** A path of the dashboard to land on after signing in (default `/`). */
  @IsOptional() @IsString() @MaxLength(512) @Matches(/^\/([^/\\\u0000-\u001f\u007f][^\u0000-\u001f\u007f]*)?$/, { message: 'returnTo must be a path of this app, e.g. /servers' })
  returnTo?: string;
}

/** The sign-in options take no query parameters (an unknown one is a 400, as everywhere). */
export class NoQuery {}

export class SignInOptionsResponse implements SignInOptions {
  /** Single sign-on through OpenID Connect is configured (OIDC_ISSUER). */
  oidcEnabled: boolean;
  /** The label of the single sign-on button (OIDC_BUTTON_LABEL). */
  oidcButtonLabel: string;
  /** Password sign-in and registration are on (LOCAL_LOGIN). */
  localLogin: boolean;
}
