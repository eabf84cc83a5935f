import { Module } from '@nestjs/common';
import { FrameworksService } from './frameworks/frameworks.service';
import { ChecksService } from './checks/checks.service';

/** Control frameworks, mapping sets and quality checks (services; the API adds the controllers). */
@Module({ providers: [FrameworksService, ChecksService], exports: [FrameworksService, ChecksService] })
export class ControlsModule {}
