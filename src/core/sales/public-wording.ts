/**
 * Words the public forms show and the server records, kept apart from the server code so the
 * web pages import exactly the same text (web/src/public/PublicPages.tsx): what a visitor
 * agreed to is the wording they saw.
 */

/** The marketing-email checkbox of the quiz, the ROI calculator and the contact form (unchecked unless the visitor ticks it). */
export const MARKETING_CONSENT_WORDING =
  'Yes, send me occasional emails about putting AI to work: news, guides and invitations. I can withdraw at any time by replying to any of them.';
