import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, getSchemaPath } from '@nestjs/swagger';
import { stringify } from 'csv-stringify/sync';
import { Actor, CurrentActor } from '@bo/access';
import { FundingCheckItem, FundingCheckService } from '@bo/controls';
import type { FastifyReply } from 'fastify';
import { ANY_ROLE, Allow } from '../auth/allow.decorator';
import { RateLimit } from '../http/rate-limit';
import { BulkFundingCheckDto } from './providers.dto';
import { BulkFundingCheckResultDto } from './providers.responses';
import { binaryContent } from '../openapi/responses';

/** The CSV answer's columns: one line per question, in the order asked (docs/registry.md). */
const CSV_COLUMNS: { header: string; value: (item: FundingCheckItem, asked: Record<string, unknown>) => unknown }[] = [
  { header: 'index', value: (i) => i.index },
  { header: 'siret', value: (i, asked) => i.answer?.siret ?? asked.siret },
  { header: 'nda_demande', value: (_i, asked) => asked.nda },
  { header: 'category', value: (i, asked) => i.answer?.category ?? asked.category },
  { header: 'date', value: (i, asked) => i.answer?.date ?? asked.date },
  { header: 'status', value: (i) => i.answer?.certification.status },
  { header: 'nda', value: (i) => i.answer?.certification.nda },
  { header: 'flags', value: (i) => i.answer?.certification.flags.join('|') },
  { header: 'observed_on', value: (i) => i.answer?.certification.observation?.observedOn },
  { header: 'valid_until', value: (i) => i.answer?.certification.observation?.validUntil },
  { header: 'certifier', value: (i) => i.answer?.certification.observation?.certifier },
  { header: 'exemption_id', value: (i) => i.answer?.certification.exemptionId },
  { header: 'exemption_kind', value: (i) => i.answer?.exemptions.find((e) => e.id === i.answer?.certification.exemptionId)?.kind },
  { header: 'in_registry', value: (i) => i.answer?.activity.inRegistry },
  { header: 'listed', value: (i) => i.answer?.activity.listed },
  { header: 'last_declaration_date', value: (i) => i.answer?.activity.lastDeclarationDate },
  { header: 'open_major_nc', value: (i) => i.answer?.controls.openMajorNonConformities.length },
  { header: 'overdue_major_nc', value: (i) => i.answer?.controls.openMajorNonConformities.filter((m) => m.overdue).length },
  { header: 'blocked_actions', value: (i) => i.answer?.controls.blockedPayments?.actions },
  { header: 'blocked_amount_funded', value: (i) => i.answer?.controls.blockedPayments?.amountFunded },
  { header: 'open_price_anomalies', value: (i) => i.answer?.controls.priceAnomalies?.open },
  { header: 'confirmed_price_anomalies', value: (i) => i.answer?.controls.priceAnomalies?.confirmed },
  { header: 'other_funders_checks', value: (i) => i.answer?.controls.acrossFunders.checks },
  { header: 'other_funders_non_compliant', value: (i) => i.answer?.controls.acrossFunders.nonCompliant },
  { header: 'open_reports_exist', value: (i) => i.answer?.controls.openReportsExist },
  { header: 'error_code', value: (i) => i.error?.code },
  { header: 'error_detail', value: (i) => i.error?.errors.map((e) => `${e.field}: ${e.message}`).join('; ') },
];

const asObject = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

@ApiTags('providers')
@ApiExtraModels(BulkFundingCheckResultDto)
@Controller('funding-checks')
export class FundingChecksController {
  constructor(private readonly funding: FundingCheckService) {}

  @Post()
  @HttpCode(200)
  @Allow(ANY_ROLE, ['providers:read'])
  @RateLimit('bulk')
  @ApiHeader({ name: 'accept', required: false, description: 'application/json (default) or text/csv' })
  @ApiOkResponse({
    description: 'One answer or error per question, in the order asked; with Accept: text/csv one CSV line per question',
    content: { 'application/json': { schema: { $ref: getSchemaPath(BulkFundingCheckResultDto) } }, ...binaryContent('text/csv') },
  })
  @ApiTooManyRequestsResponse({ description: 'More than 60 requests in the minute for this API key (or user); see Retry-After' })
  @ApiOperation({
    summary: 'Bulk funding check: up to 1,000 questions {siret, nda?, category, date?}, each answered as the single funding check would, in the order asked',
  })
  async check(@CurrentActor() actor: Actor, @Body() body: BulkFundingCheckDto, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const items = await this.funding.checkMany(actor, body.items);
    if (!(accept ?? '').includes('text/csv')) return { items };
    void reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="funding-checks.csv"');
    return stringify(
      items.map((item) => CSV_COLUMNS.map((c) => c.value(item, asObject(body.items[item.index])) ?? null)),
      { header: true, columns: CSV_COLUMNS.map((c) => c.header), delimiter: ';', bom: true, record_delimiter: 'windows', escape_formulas: true, cast: { boolean: (b) => (b ? 'true' : 'false') } },
    );
  }
}
