import { Body, Controller, Headers, HttpCode, Post, Res, StreamableFile } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, getSchemaPath } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { TabularColumn, csvStream } from '@bo/documents';
import { FundingCheckItem, FundingCheckService } from '@bo/controls';
import type { FastifyReply } from 'fastify';
import { ANY_ROLE, Allow } from '../auth/allow.decorator';
import { RateLimit } from '../http/rate-limit';
import { BulkFundingCheckDto } from './providers.dto';
import { BulkFundingCheckResultDto } from './providers.responses';
import { binaryContent } from '../openapi/responses';

/** One CSV line: an answer (or error) with the question as asked. */
type CsvRow = FundingCheckItem & { asked: Record<string, unknown> };

/** The CSV answer's columns: one line per question, in the order asked (docs/registry.md). */
const CSV_COLUMNS: TabularColumn<CsvRow>[] = [
  { header: 'index', value: (i) => i.index },
  { header: 'siret', value: (i) => i.answer?.siret ?? i.asked.siret },
  { header: 'nda_demande', value: (i) => i.asked.nda },
  { header: 'category', value: (i) => i.answer?.category ?? i.asked.category },
  { header: 'date', value: (i) => i.answer?.date ?? i.asked.date },
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
    if (!(accept ?? '').includes('text/csv')) {
      // The answers' JSON text as the statement built it (BulkFundingCheckResultDto's shape).
      void reply.type('application/json; charset=utf-8');
      return this.funding.checkManyJson(actor, body.items);
    }
    const items = await this.funding.checkMany(actor, body.items);
    void reply.header('content-disposition', 'attachment; filename="funding-checks.csv"');
    const rows = items.map((item): CsvRow => ({ ...item, asked: asObject(body.items[item.index]) }));
    return new StreamableFile(csvStream(CSV_COLUMNS, rows), { type: 'text/csv; charset=utf-8' });
  }
}
