import { describe, expect, it } from '@jest/globals';
import { ArrayMinSize, IsEmail, IsIn, IsNotEmpty, IsString, Length, Matches, MaxLength, Min, validate } from 'class-validator';
import { ERROR_MESSAGES_FR, fieldLabelFr, translateFieldError, translateProblem } from './errors.fr';

/** Words that betray an English sentence (the API's own messages are English). */
const ENGLISH = /\b(the|is|must|not|should|found|invalid|required|exist)\b/i;

describe('French error catalogue', () => {
  it('writes every message as a French sentence', () => {
    for (const [code, message] of Object.entries(ERROR_MESSAGES_FR)) {
      expect({ code, english: ENGLISH.test(message) }).toEqual({ code, english: false });
      expect({ code, sentence: /[.!?]$/.test(message) }).toEqual({ code, sentence: true });
    }
  });

  it('translates a problem by its code and falls back by status for an unknown one', () => {
    expect(translateProblem({ code: 'AUTH.INVALID_CREDENTIALS', status: 401 }).message).toBe('Adresse e-mail ou mot de passe incorrect.');
    expect(translateProblem({ code: 'SOMETHING.NEW' as never, status: 403 }).message).toBe(ERROR_MESSAGES_FR['ACCESS.FORBIDDEN']);
  });

  it('labels field paths in French, with positions counted from 1', () => {
    expect(fieldLabelFr('providerSiret')).toBe('SIRET de l’organisme');
    expect(fieldLabelFr('items[2].hoursPerTrainee')).toBe('Lignes n° 3 › heures par stagiaire');
    expect(fieldLabelFr('firstAdmin.email')).toBe('Premier administrateur › adresse e-mail');
    expect(fieldLabelFr('someNewField')).toBe('SomeNewField');
  });
});

/** A DTO validated by the real class-validator, decorators applied as plain calls. */
class Sample {
  name: unknown;
  providerSiret: unknown;
  email: unknown;
  roles: unknown;
  amountFunded: unknown;
  region: unknown;
  startDate: unknown;
  method: unknown;
}
IsString()(Sample.prototype, 'name');
IsNotEmpty()(Sample.prototype, 'name');
MaxLength(200)(Sample.prototype, 'name');
Matches(/^\d{14}$/)(Sample.prototype, 'providerSiret');
IsEmail()(Sample.prototype, 'email');
ArrayMinSize(1)(Sample.prototype, 'roles');
Min(0)(Sample.prototype, 'amountFunded');
Length(2, 2)(Sample.prototype, 'region');
Matches(/^\d{4}-\d{2}-\d{2}$/)(Sample.prototype, 'startDate');
IsIn(['ON_SITE', 'DOCUMENTARY'])(Sample.prototype, 'method');

describe('French field errors from the real class-validator constraints', () => {
  it('translates each constraint with the field and the limit', async () => {
    const sample = Object.assign(new Sample(), {
      name: 'x'.repeat(201),
      providerSiret: '123',
      email: 'nope',
      roles: [],
      amountFunded: -1,
      region: '123',
      startDate: '2026-13',
      method: 'PHONE',
    });
    const errors = (await validate(sample)).flatMap((e) =>
      Object.entries(e.constraints ?? {}).map(([constraint, message]) => ({ field: e.property, constraint, message })),
    );
    const fr = Object.fromEntries(errors.map((e) => [`${e.field}.${e.constraint}`, translateFieldError(e)]));
    expect(fr).toEqual({
      'name.maxLength': 'Nom : doit compter au plus 200 caractères.',
      'providerSiret.matches': 'SIRET de l’organisme : un SIRET compte exactement 14 chiffres.',
      'email.isEmail': 'Adresse e-mail : adresse e-mail invalide.',
      'roles.arrayMinSize': 'Rôles : choisissez au moins 1 élément(s).',
      'amountFunded.min': 'Montant financé : doit être supérieur ou égal à 0.',
      'region.isLength': 'Région : doit compter au plus 2 caractères.',
      'startDate.matches': 'Date de début : date invalide (format attendu : jj/mm/aaaa).',
      'method.isIn': 'Méthode de contrôle : cette valeur ne fait pas partie des choix possibles.',
    });
  });

  it('never shows the English message of a business-rule field error', () => {
    expect(translateFieldError({ field: 'email', message: 'already used' })).toBe('Adresse e-mail : valeur refusée.');
  });
});
