import { IMPORT_CHECKS } from '@bo/registry';
import { SeededRandom, TestDatabase, createTestDatabase } from '@bo/testing';

/**
 * The funded-actions import checks values with expressions written for speed (libs/registry
 * actions.sql.ts, IMPORT_CHECKS; migration 0037 for siret_is_valid's shape): each must answer what
 * its plain pattern answers, NULL for NULL, on any string, including non-ASCII digits, blanks and
 * line ends.
 */
describe('import value checks: the fast expressions agree with their plain patterns', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  // Digits, the separators and signs the checks look for, and what must never pass for a digit.
  const alphabet = ['0', '1', '2', '5', '9', '9', '.', '.', '-', '+', ' ', 'e', 'a', '\n', '\u0663', '\uff11', '\u00a0', 'é', ','];
  const random = new SeededRandom(20261205);
  const values: (string | null)[] = [null, '', '.', '0', '00000000000000', '1.', '.5', '1.234', '-1', '1e3', ' 12', '12 ', '12\n', '１２'];
  for (let n = 1; n <= 16; n++) values.push('9'.repeat(n), `${'9'.repeat(n)}.5`, `${'9'.repeat(n)}.55`, `${'9'.repeat(n)}.555`);
  for (let i = 0; i < 20_000; i++) {
    const length = random.int(0, 17);
    values.push(Array.from({ length }, () => alphabet[random.int(0, alphabet.length - 1)]).join(''));
  }

  async function disagreements(pairs: [string, string][]): Promise<unknown[]> {
    const columns = pairs.map(([plain, fast], i) => `(${plain}) IS DISTINCT FROM (${fast}) AS d${i}`).join(', ');
    const rows = await db.superQuery<Record<string, boolean> & { v: string | null }>(`SELECT v, ${columns} FROM unnest($1::text[]) v`, [values]);
    return rows.flatMap((row) => pairs.flatMap(([plain], i) => (row[`d${i}`] ? [{ value: row.v, plain }] : [])));
  }

  it('digits of a fixed or bounded length, and decimals with at most 2 places', async () => {
    expect(
      await disagreements([
        [`v ~ '^[0-9]{11}$'`, IMPORT_CHECKS.digits('v', 11)],
        [`v ~ '^[0-9]{5}$'`, IMPORT_CHECKS.digits('v', 5)],
        [`v ~ '^[0-9]{1,9}$'`, IMPORT_CHECKS.digits('v', 1, 9)],
        [`v ~ '^[0-9]{1,4}$'`, IMPORT_CHECKS.digits('v', 1, 4)],
        [`v ~ '^[0-9]{1,8}([.][0-9]{1,2})?$'`, IMPORT_CHECKS.decimal('v', 8)],
        [`v ~ '^[0-9]{1,12}([.][0-9]{1,2})?$'`, IMPORT_CHECKS.decimal('v', 12)],
      ]),
    ).toEqual([]);
  });

  it("siret_is_valid: false for anything but 14 ASCII digits, the Luhn key's answer otherwise", async () => {
    const luhn = (s: string) =>
      [...s].reduce((sum, c, i) => {
        const d = Number(c) * (i % 2 === 0 ? 2 : 1);
        return sum + (d > 9 ? d - 9 : d);
      }, 0) % 10 === 0;
    const sirets = Array.from({ length: 2000 }, () => Array.from({ length: 14 }, () => String(random.int(0, 9))).join(''));
    const rows = await db.superQuery<{ v: string | null; valid: boolean }>(`SELECT v, siret_is_valid(v) AS valid FROM unnest($1::text[]) v`, [[...values, ...sirets]]);
    const expected = (v: string | null) => v !== null && /^[0-9]{14}$/.test(v) && (v.startsWith('356000000') ? v === '35600000000048' || [...v].reduce((s, c) => s + Number(c), 0) % 5 === 0 : luhn(v));
    expect(rows.filter((r) => r.valid !== expected(r.v))).toEqual([]);
    expect(rows.filter((r) => r.valid).length).toBeGreaterThan(100);
  });
});
