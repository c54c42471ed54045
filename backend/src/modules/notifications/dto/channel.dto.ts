import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import {
  CHANNEL_TYPES,
  type ChannelTestResult, type ChannelType, type CreateChannelRequest, type DeliveryAttempt, type DeliveryKind, type DeliveryStatus,
  type NotificationChannel, type NotificationDelivery, type UpdateChannelRequest,
} from '@chatops/protocol';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateChannelDto implements CreateChannelRequest {
  @Transform(trim) @IsString() @MinLength(1) @MaxLength(100) name: string;
  /** `webhook` (signed JSON POST), `slack` (Slack-compatible incoming webhook) or `email` (SMTP). */
  @IsIn(CHANNEL_TYPES) type: ChannelType;
  @IsOptional() @IsBoolean() enabled?: boolean;
  /** webhook, slack: the http(s) URL. Stored encrypted, never returned. */
  @IsOptional() @Transform(trim) @IsString() @MaxLength(2000) url?: string;
  /** webhook: HMAC-SHA256 signing secret, 16–256 characters. Stored encrypted, never returned. */
  @IsOptional() @IsString() @MinLength(16) @MaxLength(256) secret?: string;
  /** email: 1–20 recipients. */
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @IsEmail({}, { each: true }) emailTo?: string[];
}

export class UpdateChannelDto implements UpdateChannelRequest {
  @IsOptional() @Transform(trim) @IsString() @MinLength(1) @MaxLength(100) name?: string;
  @IsOptional() @IsBoolean() enabled?: boolean;
  /** Replaces the stored URL (left out: kept). */
  @IsOptional() @Transform(trim) @IsString() @MaxLength(2000) url?: string;
  /** Replaces the stored signing secret (left out: kept). */
  @IsOptional() @IsString() @MinLength(16) @MaxLength(256) secret?: string;
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @IsEmail({}, { each: true }) emailTo?: string[];
}

export class ChannelResponse implements NotificationChannel {
  id: string;
  name: string;
  type: ChannelType;
  enabled: boolean;
  /** Scheme and host only, e.g. `https://hooks.example.com/…`. */
  urlPreview: string | null;
  emailTo: string[] | null;
  /** A secret (URL, signing secret) is stored, encrypted. */
  hasSecret: boolean;
  createdAt: string;
  updatedAt: string;
}

export class ChannelTestResponse implements ChannelTestResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export class DeliveryAttemptResponse implements DeliveryAttempt {
  at: string;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export class DeliveryResponse implements NotificationDelivery {
  id: string;
  channelId: string | null;
  channelName: string | null;
  channelType: ChannelType | null;
  /** `fired`, `acknowledged`, `resolved` or `test`. */
  kind: DeliveryKind;
  /** `pending` (queued or retrying), `sent`, `failed` (retries exhausted), `suppressed` (silence, cooldown). */
  status: DeliveryStatus;
  /** More than one: a grouped message. */
  alertIds: string[];
  detail: string | null;
  attempts: DeliveryAttemptResponse[];
  createdAt: string;
  sentAt: string | null;
}
