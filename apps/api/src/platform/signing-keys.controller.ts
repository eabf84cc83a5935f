import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SigningKeysDto } from '../identity/identity.responses';
import { SigningService } from '@bo/signing';
import { Public } from '../auth/public.decorator';

@ApiTags('audit')
@Controller()
export class SigningKeysController {
  constructor(private readonly signing: SigningService) {}

  @Get('signing-keys')
  @Public()
  @ApiOperation({ summary: 'The Ed25519 public keys that sign audit checkpoints (and report seals): the active key and retired ones' })
  @ApiOkResponse({ type: SigningKeysDto })
  keys(): SigningKeysDto {
    return { keys: this.signing.publicKeys() };
  }
}
