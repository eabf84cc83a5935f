import { Global, Module } from '@nestjs/common';
import { Authenticator } from '@bo/access';
import { ApiKeysService } from './api-keys.service';
import { AuthService } from './auth.service';
import { OrganisationsService } from './organisations.service';
import { SsoService } from './sso.service';
import { TokensService } from './tokens.service';
import { UsersService } from './users.service';
import { SecurityRedisModule } from './security-redis';

@Global()
@Module({
  imports: [SecurityRedisModule],
  providers: [TokensService, AuthService, { provide: Authenticator, useExisting: AuthService }, UsersService, OrganisationsService, ApiKeysService, SsoService],
  exports: [TokensService, AuthService, Authenticator, UsersService, OrganisationsService, ApiKeysService, SsoService, SecurityRedisModule],
})
export class IdentityModule {}
