/**
 * @module Words the web chat says itself, about the HTTP request rather than the picture or
 * the conversation (those come from the engine's `src/messages.ts`).
 */

export const WEB_MESSAGES = {
  badRequest: 'Your browser sent something I could not read. Please reload the page and try again.',
  unsupportedContentType: 'Please send a turn as a form upload (multipart/form-data) or as JSON.',
  textTooLong: (limit: number) => `That message is too long; please keep it under ${limit} characters.`,
  onePictureAtATime: 'I used the first picture; send one picture at a time.',
  crossSite: 'Requests from other sites are not accepted.',
  stopping: 'The web chat is restarting. Please try again in a moment.',
  notFound: 'Not found.',
  tooManyStreams: 'Too many open tabs for this chat; close one and reload.',
} as const;
