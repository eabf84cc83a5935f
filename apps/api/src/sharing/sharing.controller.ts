import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags, getSchemaPath, ApiExtraModels } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { Clock, Idempotent } from '@bo/core';
import { CheckSharingService, ControlPlanService, DossierService, LeadFunderService, MandatesService, ProfileRequests, ReliancesService } from '@bo/sharing';
import type { FastifyReply } from 'fastify';
import { Allow } from '../auth/allow.decorator';
import { RateLimit } from '../http/rate-limit';
import { JobAcceptedDto, binaryContent } from '../openapi/responses';
import {
  ControlPlanQuery,
  CreateMandateDto,
  CreateRelianceDto,
  DossierExportQuery,
  EndMandateDto,
  LeadClaimDto,
  LeadClaimListQuery,
  RecomputeProfilesDto,
  RelianceListQuery,
  SettleClaimDto,
  ShareCheckDto,
  SharingSettingsDto,
} from './sharing.dto';
import {
  CheckAudienceDto,
  ControlCoverageDto,
  ControlPlanDto,
  DossierDto,
  LeadClaimViewDto,
  LeadFunderDto,
  MandateDto,
  RelianceDto,
  SharedCheckDto,
  SharingSettingsViewDto,
} from './sharing.responses';

const attachment = (fileName: string) => `attachment; filename="${fileName.replace(/[^\w.-]/g, '_')}"`;

@ApiTags('sharing')
@Controller('sharing')
export class SharingSettingsController {
  constructor(private readonly sharing: CheckSharingService) {}

  @Get('settings')
  @Allow(['officer', 'manager', 'admin'])
  @ApiOperation({ summary: "The organisation's sharing settings: default share, need-to-know, duplicate and plan windows" })
  @ApiOkResponse({ type: SharingSettingsViewDto })
  settings(@CurrentActor() actor: Actor): Promise<SharingSettingsViewDto> {
    return this.sharing.settings(actor);
  }

  @Put('settings')
  @Allow(['manager', 'admin'])
  @ApiOperation({ summary: 'Change the sharing settings (audited; need-to-know takes effect on the next request)' })
  @ApiOkResponse({ type: SharingSettingsViewDto })
  update(@CurrentActor() actor: Actor, @Body() body: SharingSettingsDto): Promise<SharingSettingsViewDto> {
    return this.sharing.updateSettings(actor, body);
  }
}

@ApiTags('sharing')
@Controller('checks')
export class CheckSharingController {
  constructor(private readonly sharing: CheckSharingService) {}

  @Get(':id/sharing')
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'Who sees one of your checks besides you: its share, need-to-know, mandating funders, reliances' })
  @ApiOkResponse({ type: CheckAudienceDto })
  audience(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<CheckAudienceDto> {
    return this.sharing.audience(actor, id);
  }

  @Put(':id/sharing')
  @Allow(['manager'])
  @ApiOperation({ summary: 'Share a completed check: PRIVATE, POOL or NAMED funders (audited, effective on the next request)' })
  @ApiOkResponse({ type: CheckAudienceDto })
  share(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: ShareCheckDto): Promise<CheckAudienceDto> {
    return this.sharing.share(actor, id, body);
  }

  @Delete(':id/sharing')
  @Allow(['manager'])
  @ApiOperation({ summary: 'Revoke the share (the check becomes PRIVATE); reliances on it turn stale' })
  @ApiOkResponse({ type: CheckAudienceDto })
  revoke(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<CheckAudienceDto> {
    return this.sharing.share(actor, id, { mode: 'PRIVATE' });
  }
}

@ApiTags('sharing')
@Controller('shared-checks')
export class SharedChecksController {
  constructor(private readonly sharing: CheckSharingService) {}

  @Get(':id')
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'A check you may see (own, shared with you, or run by a body you mandated); personal-data evidence of others shows existence and hash only' })
  @ApiOkResponse({ type: SharedCheckDto })
  get(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<SharedCheckDto> {
    return this.sharing.sharedView(actor, id);
  }
}

@ApiTags('sharing')
@Controller('reliances')
export class ReliancesController {
  constructor(private readonly reliances: ReliancesService) {}

  @Get()
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: "The organisation's reliances on other organisations' checks (stale ones included)" })
  @ApiOkResponse({ type: [RelianceDto] })
  list(@CurrentActor() actor: Actor, @Query() query: RelianceListQuery): Promise<RelianceDto[]> {
    return this.reliances.list(actor, query);
  }

  @Post()
  @Idempotent()
  @Allow(['manager'])
  @ApiOperation({ summary: "Rely on another organisation's completed check visible to you, with a reason (counts as your coverage)" })
  @ApiCreatedResponse({ type: RelianceDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateRelianceDto): Promise<RelianceDto> {
    return this.reliances.create(actor, body);
  }

  @Delete(':id')
  @Allow(['manager'])
  @ApiOperation({ summary: 'Withdraw a reliance' })
  @ApiOkResponse({ type: RelianceDto })
  withdraw(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<RelianceDto> {
    return this.reliances.withdraw(actor, id);
  }
}

@ApiTags('sharing')
@Controller('mandates')
export class MandatesController {
  constructor(
    private readonly mandates: MandatesService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Allow(['officer', 'manager', 'admin'])
  @ApiOperation({ summary: 'Mandates the funder gave, or (a mandated body) those it holds' })
  @ApiOkResponse({ type: [MandateDto] })
  list(@CurrentActor() actor: Actor): Promise<MandateDto[]> {
    return this.mandates.list(actor);
  }

  @Post()
  @Idempotent()
  @Allow(['manager'])
  @ApiOperation({ summary: 'Mandate a body (R.6316-7) from a date: its checks created while the mandate runs become visible to you and count as your coverage' })
  @ApiCreatedResponse({ type: MandateDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateMandateDto): Promise<MandateDto> {
    return this.mandates.create(actor, body);
  }

  @Post(':id/end')
  @HttpCode(200)
  @Allow(['manager'])
  @ApiOperation({ summary: 'End a mandate on a date (today by default)' })
  @ApiOkResponse({ type: MandateDto })
  async end(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: EndMandateDto): Promise<MandateDto> {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(await this.clock.now());
    return this.mandates.end(actor, id, body.validUntil ?? today);
  }
}

@ApiTags('sharing')
@ApiExtraModels(DossierDto)
@Controller('providers')
export class ProviderSharingController {
  constructor(
    private readonly leads: LeadFunderService,
    private readonly dossiers: DossierService,
  ) {}

  @Get(':siret/lead-funder')
  @Allow(['officer', 'manager', 'admin', 'platform_admin'])
  @ApiParam({ name: 'siret', description: '14 digits' })
  @ApiOperation({ summary: "The provider's lead funder (who coordinates its controls), and your pending claim" })
  @ApiOkResponse({ type: LeadFunderDto })
  lead(@CurrentActor() actor: Actor, @Param('siret') siret: string): Promise<LeadFunderDto> {
    return this.leads.get(actor, siret);
  }

  @Post(':siret/lead-funder/claims')
  @Allow(['manager'])
  @ApiParam({ name: 'siret', description: '14 digits' })
  @ApiOperation({ summary: 'Claim the lead: granted at once when nobody holds it, otherwise settled by a platform administrator (audited)' })
  @ApiCreatedResponse({ type: LeadFunderDto })
  claim(@CurrentActor() actor: Actor, @Param('siret') siret: string, @Body() body: LeadClaimDto): Promise<LeadFunderDto> {
    return this.leads.claim(actor, siret, body.reason);
  }

  @Get(':siret/dossier')
  @RateLimit('heavy')
  @Allow(['officer', 'manager'])
  @ApiParam({ name: 'siret', description: '14 digits' })
  @ApiOperation({ summary: 'The provider control dossier: certification history, visible checks, non-conformities by indicator, corrective actions, reliance, lead funder, profile' })
  @ApiOkResponse({ type: DossierDto })
  dossier(@CurrentActor() actor: Actor, @Param('siret') siret: string): Promise<DossierDto> {
    return this.dossiers.dossier(actor, siret);
  }

  @Get(':siret/dossier/export')
  @RateLimit('heavy')
  @Allow(['officer', 'manager'])
  @ApiParam({ name: 'siret', description: '14 digits' })
  @ApiOperation({ summary: 'The dossier as JSON or PDF' })
  @ApiOkResponse({
    description: 'An attachment: ?format=json the dossier (DossierDto), ?format=pdf its PDF',
    content: { 'application/json': { schema: { $ref: getSchemaPath(DossierDto) } }, ...binaryContent('application/pdf') },
  })
  async export(@CurrentActor() actor: Actor, @Param('siret') siret: string, @Query() query: DossierExportQuery, @Res() reply: FastifyReply) {
    const out = await this.dossiers.export(actor, siret, query.format);
    if (out.pdf) return reply.header('content-type', 'application/pdf').header('content-disposition', attachment(out.fileName)).send(out.pdf);
    return reply.header('content-type', 'application/json; charset=utf-8').header('content-disposition', attachment(out.fileName)).send(out.json);
  }
}

@ApiTags('sharing')
@Controller('lead-funder-claims')
export class LeadClaimsController {
  constructor(private readonly leads: LeadFunderService) {}

  @Get()
  @Allow(['manager', 'platform_admin'])
  @ApiOperation({ summary: "Lead-funder claims: a funder's own; every claim for a platform administrator (pending first)" })
  @ApiOkResponse({ type: [LeadClaimViewDto] })
  list(@CurrentActor() actor: Actor, @Query() query: LeadClaimListQuery): Promise<LeadClaimViewDto[]> {
    return this.leads.claims(actor, query);
  }

  @Post(':id/settle')
  @HttpCode(200)
  @Allow(['platform_admin'])
  @ApiOperation({ summary: 'Settle a disputed claim: grant (the claimant leads) or reject, with a note (audited)' })
  @ApiOkResponse({ type: LeadClaimViewDto })
  settle(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: SettleClaimDto): Promise<LeadClaimViewDto> {
    return this.leads.settle(actor, id, body);
  }
}

@ApiTags('sharing')
@Controller()
export class ControlPlanController {
  constructor(
    private readonly plans: ControlPlanService,
    private readonly profiles: ProfileRequests,
  ) {}

  @Get('control-plan')
  @RateLimit('heavy')
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'The providers you fund, not covered by a visible or relied-on check of the window, by risk score x your amount funded' })
  @ApiOkResponse({ type: ControlPlanDto })
  plan(@CurrentActor() actor: Actor, @Query() query: ControlPlanQuery): Promise<ControlPlanDto> {
    return this.plans.plan(actor, query.limit ?? 50);
  }

  @Get('coverage')
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'Control coverage: share of your amount funded (actions started in the last 12 months) whose provider had a visible or relied-on check before the start' })
  @ApiOkResponse({ type: ControlCoverageDto })
  coverage(@CurrentActor() actor: Actor): Promise<ControlCoverageDto> {
    return this.plans.coverage(actor);
  }

  @Post('admin/provider-profiles/recompute')
  @HttpCode(202)
  @Allow(['platform_admin'])
  @ApiOperation({ summary: 'Recompute the provider control profiles now (incremental, or every provider with full)' })
  @ApiAcceptedResponse({ type: JobAcceptedDto, description: 'The job id; follow Location for its status' })
  async recompute(@CurrentActor() actor: Actor, @Body() body: RecomputeProfilesDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<JobAcceptedDto> {
    const jobId = await this.profiles.recomputeNow(actor.id, body.full ?? false);
    void reply.header('location', `/api/v1/jobs/${jobId}`);
    return { jobId };
  }
}
