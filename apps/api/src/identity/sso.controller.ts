import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsOptional, IsString, IsUrl, Length, MaxLength } from 'class-validator';
import { Actor, CurrentActor } from '@bo/access';
import { SsoService } from '@bo/identity';
import { Allow } from '../auth/allow.decorator';
import { Public } from '../auth/public.decorator';
import { SsoConfigViewDto, SsoStartDto, TokenPairDto } from './identity.responses';
import { RateLimit } from '../http/rate-limit';

/** Absolute http(s) URLs; hosts without a TLD (localhost, 127.0.0.1) are accepted, the service applies the HTTPS rule. */
const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class SsoStartQuery {
  @ApiProperty({ example: 'https://bo.example.fr/sso/callback', description: 'Where the identity provider sends the browser back (registered at the provider)' })
  @IsUrl(URL_OPTIONS)
  @MaxLength(2000)
  redirectUri: string;
}

export class SsoCallbackDto {
  @ApiProperty({ example: 'https://bo.example.fr/sso/callback?code=...&state=...', description: 'The full URL the identity provider redirected the browser to' })
  @IsUrl(URL_OPTIONS)
  @MaxLength(8000)
  callbackUrl: string;
}

export class SsoConfigDto {
  @ApiProperty({ example: 'https://idp.example.fr/realms/funder', description: 'OpenID Connect issuer; https, or http on a loopback host with allowInsecureLoopback' })
  @IsUrl(URL_OPTIONS)
  @MaxLength(500)
  issuer: string;

  @ApiProperty()
  @IsString()
  @Length(1, 500)
  clientId: string;

  @ApiPropertyOptional({ description: 'Required the first time; omit to keep the stored secret. Never returned.' })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  clientSecret?: string;

  @ApiPropertyOptional({ default: false, description: 'Allow plain http for a loopback issuer (test mode only)' })
  @IsOptional()
  @IsBoolean()
  allowInsecureLoopback?: boolean;

  @ApiPropertyOptional({
    type: [String],
    example: ['https://bo.example.fr/sso/callback'],
    description: 'The only redirect URIs a sign-in may use (https). Required the first time; omit to keep the stored list.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsUrl(URL_OPTIONS, { each: true })
  @MaxLength(2000, { each: true })
  redirectUris?: string[];
}

@ApiTags('auth')
@Controller()
export class SsoController {
  constructor(private readonly sso: SsoService) {}

  @Get('auth/sso/:organisationCode/start')
  @Public()
  @RateLimit('anonymous')
  @ApiOperation({ summary: "Start a single sign-on with the organisation's identity provider: the URL to send the browser to" })
  @ApiOkResponse({ type: SsoStartDto })
  start(@Param('organisationCode') organisationCode: string, @Query() query: SsoStartQuery): Promise<SsoStartDto> {
    return this.sso.start(organisationCode, query.redirectUri);
  }

  @Post('auth/sso/callback')
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'Finish a single sign-on from the URL the identity provider redirected to: access token and refresh token' })
  @ApiOkResponse({ type: TokenPairDto })
  callback(@Body() body: SsoCallbackDto): Promise<TokenPairDto> {
    return this.sso.callback(body.callbackUrl);
  }

  @Put('organisations/me/sso')
  @Allow(['admin'])
  @ApiOperation({ summary: "Configure the organisation's OpenID Connect provider (the secret is never returned)" })
  @ApiOkResponse({ type: SsoConfigViewDto })
  configure(@CurrentActor() actor: Actor, @Body() body: SsoConfigDto): Promise<SsoConfigViewDto> {
    return this.sso.configure(actor, body);
  }

  @Get('organisations/me/sso')
  @Allow(['admin'])
  @ApiOperation({ summary: "The organisation's OpenID Connect settings, without the secret" })
  @ApiOkResponse({ type: SsoConfigViewDto })
  getConfig(@CurrentActor() actor: Actor): Promise<SsoConfigViewDto> {
    return this.sso.getConfig(actor);
  }
}
