import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { AccessClaims, AuthService } from './auth.service';
import { jwtHmacKey } from './jwt-key';
import { AuthErrorCode, AuthException } from './auth.errors';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(@Inject(APP_CONFIG) config: AppConfig, private readonly auth: AuthService) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt hands the key to jsonwebtoken, which takes a KeyObject (its typings say string | Buffer)
      secretOrKey: jwtHmacKey(config.jwtSecret) as unknown as Buffer,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessClaims & { exp: number }) {
    const user = await this.auth.validateClaims(claims);
    if (!user) throw new AuthException(AuthErrorCode.SessionRevoked, 'Session is no longer valid');
    return user;
  }
}
