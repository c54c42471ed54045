import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { AuditModule } from '../audit/audit.module';
import { PersonalTokensModule } from '../personal-tokens/personal-tokens.module';
import { UsersModule } from '../users/users.module';
import { AuthThrottlerOptions } from './auth-throttler-options';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { jwtHmacKey } from './jwt-key';
import { JwtStrategy } from './jwt.strategy';
import { RefreshCookie } from './refresh-cookie';
import { RefreshTokenEntity } from './refresh-token.entity';
import { RegistrationModule } from '../registration/registration.module';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';
import { OidcAccountsService } from './oidc/oidc-accounts.service';
import { OidcClientService } from './oidc/oidc-client.service';
import { OidcController } from './oidc/oidc.controller';

@Module({
  imports: [
    UsersModule,
    AuditModule,
    RegistrationModule,
    PersonalTokensModule,
    PassportModule,
    TypeOrmModule.forFeature([RefreshTokenEntity]),
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => ({ secret: jwtHmacKey(c.jwtSecret), signOptions: { algorithm: 'HS256' } }),
    }),
    // AUTH_RATE_LIMIT and AUTH_SESSION_RATE_LIMIT, shared by every instance through Redis when REDIS_URL is set.
    ThrottlerModule.forRootAsync({ useClass: AuthThrottlerOptions }),
  ],
  controllers: [AuthController, SessionsController, OidcController],
  providers: [AuthService, SessionsService, RefreshCookie, JwtStrategy, OidcClientService, OidcAccountsService, { provide: APP_GUARD, useClass: JwtAuthGuard }],
  // The limiter's storage (Redis-backed with REDIS_URL, failing open) is shared with the chat doors' limit.
  exports: [AuthService, SessionsService, ThrottlerModule],
})
export class AuthModule {}
