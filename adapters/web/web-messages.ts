/**
 * @module Words the web chat says itself, about the HTTP request rather than the picture or
 * the conversation (those come from the engine's `src/messages.ts`).
 */

export const WEB_MESSAGES = {
  badRequest: 'Your browser sent something I could not read. Please reload the page and try again.',
  unsupportedContentType: 'Please send a turn as a form upload (multipart/form-data) or as JSON.',
  textTooLong: (limit: number) => `That message is too long; please keep it under ${limit} characters.`,
  onePictureAtATime: 'I used the first picture; send one picture at a time.',
  crossSite:
    'Requests from other sites are not accepted. If this page is served under another name (a reverse proxy), add that name to WEB_ALLOWED_HOSTS; a script that posts here sends an Origin header with the address of the chat (e.g. Origin: http://127.0.0.1:8080).',
  stopping: 'The web chat is restarting. Please try again in a moment.',
  notFound: 'Not found.',
  tooManyStreams: 'Too many open tabs for this chat; close one and reload.',
  tooManyStreamsOverall: 'The web chat has too many live connections right now. Please try again in a minute.',
  tooManyNewSessions: (limit: number) =>
    `Too many new conversations from your address (the limit is ${limit} a minute). Please wait a minute, then reload the page; your browser keeps the conversation once it has one.`,
  hostNotAllowed: (host: string) =>
    `This web chat does not answer to the host name ${host}. If that is this server's own name, add it to WEB_ALLOWED_HOSTS (comma-separated, e.g. WEB_ALLOWED_HOSTS=${host}) and restart.`,
} as const;
