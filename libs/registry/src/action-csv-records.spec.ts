import { Readable } from 'node:stream';
import { AppError } from '@bo/core';
import { ACTION_CSV_COLUMNS } from './csv-layouts';
import { ActionCsvRecords, checkActionCsvHeader } from './action-csv-records';
import { ActionInput, normaliseAction } from './actions.service';

const HEADER = ACTION_CSV_COLUMNS.join(',');

async function records(csv: string, chunk = 7): Promise<string[]> {
  const parts: Buffer[] = [];
  for (let i = 0; i < csv.length; i += chunk) parts.push(Buffer.from(csv.slice(i, i + chunk)));
  const out: Buffer[] = [];
  for await (const piece of Readable.from(parts).pipe(new ActionCsvRecords(ACTION_CSV_COLUMNS.length))) out.push(piece as Buffer);
  // A quoted line break stays inside its record: split on record starts (`<line>,`) only.
  return Buffer.concat(out).toString().split(/\n(?=\d+,)/).map((r) => r.replace(/\n$/, ''));
}

describe('funded-actions CSV header', () => {
  it('accepts every column once, in any order, with a BOM and quotes', () => {
    expect(checkActionCsvHeader(`\uFEFF${HEADER}\r\n`)).toMatchObject({ ok: true });
    const shuffled = [...ACTION_CSV_COLUMNS].reverse().map((c) => `"${c}"`).join(',');
    expect(checkActionCsvHeader(shuffled)).toMatchObject({ ok: true, columns: [...ACTION_CSV_COLUMNS].reverse() });
  });

  it('names missing, unknown and repeated columns', () => {
    const check = checkActionCsvHeader(HEADER.replace('amountFunded,', '') + ',extra,region');
    expect(check.ok).toBe(false);
    expect(check.ok ? [] : check.problems).toEqual(['missing column: amountFunded', 'unknown column: "extra"', 'repeated column: region']);
  });
});

describe('funded-actions CSV records', () => {
  it('numbers records by their first physical line, keeps quoted line breaks, skips blank lines, flags bad shapes', async () => {
    const values = (ref: string, note = 'x') => ['A-' + ref, '12345678901234', '', 'TRAINING', 'RNCP1234', '', 'ON_SITE', '84', '', '2026-01-01', '', '', '', '', '10', note].join(',');
    const csv = [HEADER, values('1'), values('2', '"two\nlines"'), '', values('3').replace(/,[^,]*$/, ''), values('4')].join('\n') + '\n';
    const out = await records(csv);
    expect(out.map((l) => l.split(',')[0])).toEqual(['2', '3', '6', '7']);
    expect(out[1]).toContain('"two\nlines"');
    expect(out[2]).toMatch(/^6,"the line has 15 values, the header 16"/);
  });
});

describe('funded action normalisation', () => {
  const good: ActionInput = {
    externalRef: 'A-1',
    providerSiret: '35600000049837',
    category: 'TRAINING',
    certificationCode: 'rncp 37098',
    modality: 'BLENDED',
    region: '84',
    startDate: '2026-01-01',
    amountFunded: 100,
  };

  it('normalises identifiers (La Poste SIRET, RNCP spacing)', () => {
    expect(normaliseAction(good)).toMatchObject({ providerSiret: '35600000049837', certificationCode: 'RNCP37098' });
  });

  it('reports every bad field at once', () => {
    try {
      normaliseAction({ ...good, providerSiret: '12345678901235', certificationCode: null, formacode: null, region: '99', endDate: '2025-01-01', hoursPerTrainee: -3 });
      throw new Error('should refuse');
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).details.errors!.map((e) => e.field).sort()).toEqual(['certificationCode', 'endDate', 'hoursPerTrainee', 'providerSiret', 'region']);
    }
  });
});
