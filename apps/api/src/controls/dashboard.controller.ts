import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DashboardService } from '@bo/controls';
import { Actor, CurrentActor } from '@bo/access';
import { Allow } from '../auth/allow.decorator';

const COUNT = { type: 'integer', minimum: 0 } as const;

@ApiTags('dashboard')
@Controller('dashboard')
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get()
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: "The web UI's dashboard figures: amounts funded per coverage, checks per state, overdue responses and corrective actions, my drafts, checks awaiting my decision" })
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['fundedByCoverage', 'checksByState', 'responsesOverdue', 'correctiveActionsOverdue', 'myDrafts', 'awaitingMyDecision', 'recentChecks'],
      properties: {
        fundedByCoverage: { type: 'array', items: { type: 'object', properties: { coverage: { type: 'string' }, actions: COUNT, amount: { type: 'number' } } } },
        checksByState: { type: 'array', items: { type: 'object', properties: { state: { type: 'string' }, checks: COUNT } } },
        responsesOverdue: COUNT,
        correctiveActionsOverdue: COUNT,
        myDrafts: COUNT,
        awaitingMyDecision: COUNT,
        recentChecks: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              id: { type: 'string', format: 'uuid' },
              providerSiret: { type: 'string' },
              providerName: { type: 'string', nullable: true },
              state: { type: 'string' },
              createdAt: { type: 'string', format: 'date-time' },
              responseDueAt: { type: 'string', format: 'date-time', nullable: true },
            },
          },
        },
      },
    },
  })
  view(@CurrentActor() actor: Actor) {
    return this.dashboard.view(actor);
  }
}
