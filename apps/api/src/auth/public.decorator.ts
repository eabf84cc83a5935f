import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'bo:public';

/** The route needs no credentials (health, log-in, token refresh). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
