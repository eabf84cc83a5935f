// French wording of the funded-actions import's line errors. The import (libs/registry,
// actions.sql.ts and action-csv-records.ts) writes one English reason per bad field; the UI shows
// these French sentences instead, keeping the rejected value. An unknown reason falls back to a
// French generic text: English never reaches the table.

const RULES: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/ is empty$/, () => 'obligatoire, absent'],
  [/ is longer than (\d+) characters$/, (m) => `dépasse ${m[1]} caractères`],
  [/ repeats the one on line (\d+)$/, (m) => `référence déjà présente ligne ${m[1]} (la première est retenue)`],
  [/ must contain digits only, got "(.*)"$/, (m) => `chiffres uniquement (reçu « ${m[1]} »)`],
  [/ must have exactly (\d+) digits, got (\d+)$/, (m) => `${m[1]} chiffres attendus (reçu ${m[2]} chiffres)`],
  [/ must have exactly (\d+) digits, got "(.*)"$/, (m) => `${m[1]} chiffres attendus (reçu « ${m[2]} »)`],
  [/ fails its check digit \(Luhn\)$/, () => 'clé de contrôle (Luhn) incorrecte'],
  [/ "(.*)" is not one of (.*)$/, (m) => `valeur « ${m[1]} » inconnue (attendu : ${m[2]})`],
  [/ "(.*)" is not a 2-digit INSEE region code$/, (m) => `« ${m[1]} » n’est pas un code région INSEE à 2 chiffres`],
  [/certificationCode and formacode are both empty/, () => 'certificationCode et formacode sont vides : renseignez au moins l’un des deux'],
  [/ must be RNCP .* got "(.*)"$/, (m) => `RNCP suivi de 2 à 5 chiffres (éventuellement BC et 2 chiffres) ou RS suivi de 1 à 5 chiffres attendu (reçu « ${m[1]} »)`],
  [/ must be YYYY-MM-DD, got "(.*)"$/, (m) => `date AAAA-MM-JJ attendue (reçu « ${m[1]} »)`],
  [/ is before startDate /, () => 'antérieure à la date de début'],
  [/ must be >= 0, got "(.*)"$/, (m) => `doit être positif ou nul (reçu « ${m[1]} »)`],
  [/ must be a number with a dot and at most 2 decimals, got "(.*)"$/, (m) => `nombre attendu, point décimal, 2 décimales au plus (reçu « ${m[1]} »)`],
  [/ must be a whole number, got "(.*)"$/, (m) => `nombre entier attendu (reçu « ${m[1]} »)`],
  [/ must be an IDCC of up to 4 digits, got "(.*)"$/, (m) => `IDCC de 4 chiffres au plus attendu (reçu « ${m[1]} »)`],
  [/^the line has (\d+) values, the header (\d+)$/, (m) => `la ligne a ${m[1]} valeurs, l’en-tête ${m[2]}`],
];

export function importReason(reason: string): string {
  for (const [pattern, french] of RULES) {
    const m = reason.match(pattern);
    if (m) return french(m);
  }
  return 'valeur refusée (voir la documentation du format)';
}
