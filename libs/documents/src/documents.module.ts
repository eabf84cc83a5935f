import { Module } from '@nestjs/common';

/** Rendering has no state: the module exists so that domain modules declare the dependency. */
@Module({})
export class DocumentsModule {}
