// moodshift web chat: one ES module, no build step, no dependencies.
// Talks to the server's /api (turns, progress events, images); never builds HTML from text.

const $ = (id) => document.getElementById(id);

const log = $('log');
const chat = $('chat');
const form = $('composer');
const message = $('message');
const fileInput = $('file');
const sendButton = $('send');
const connection = $('connection');

/** Filled from /api/meta. */
let meta = {
  emotions: [],
  actions: [
    { action: 'more', label: 'More' },
    { action: 'less', label: 'Less' },
    { action: 'undo', label: 'Undo' },
    { action: 'redo', label: 'Redo' },
    { action: 'retry', label: 'Try again' },
  ],
  maxImageBytes: 20 * 1024 * 1024,
  tooLargeMessage: 'That file is too big. Please send a smaller picture.',
  maxTextLength: 2000,
};

const state = {
  /** The photo waiting to be sent: { file, url }. */
  attachment: undefined,
  /** The picture the next request acts on: { replyTo, label, url, card }. */
  target: undefined,
  /** The turn in flight: { turnId, bubble }. */
  pending: undefined,
  pictureCount: 0,
  /** Each edit shown, by edit id: { card, number, what }. An edit shown again moves the Current marker to its card. */
  cards: new Map(),
  /** The edit id of the card marked Current (the conversation's current picture). */
  current: undefined,
};

/** Small element builder: attributes, then children (strings become text nodes). */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false || value === null) continue;
    if (name === 'class') element.className = value;
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

function svgIcon(path) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const p = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  p.setAttribute('d', path);
  svg.append(p);
  return svg;
}

function scrollToEnd() {
  requestAnimationFrame(() => {
    chat.scrollTop = chat.scrollHeight;
  });
}

// Pictures change the height of the conversation as they load: keep the newest message in view.
log.addEventListener('load', scrollToEnd, true);

function randomId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return 't' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function emotionInfo(name) {
  return meta.emotions.find((e) => e.name === name) ?? { name, emoji: '', meaning: '' };
}

/* ---------- the composer ---------- */

function setAttachment(file) {
  clearAttachment();
  if (!file) return;
  const isImage = file.type.startsWith('image/');
  const url = isImage ? URL.createObjectURL(file) : undefined;
  state.attachment = { file, url };
  const preview = $('attachment-preview');
  if (url) preview.src = url;
  else preview.removeAttribute('src');
  $('attachment-name').textContent = file.name || 'Pasted picture';
  $('attachment').hidden = false;
  // A new photo starts a new edit: it does not continue from an earlier picture.
  clearTarget();
  message.focus();
}

function clearAttachment() {
  state.attachment = undefined;
  $('attachment').hidden = true;
  $('attachment-preview').removeAttribute('src');
  fileInput.value = '';
}

function setTarget(target) {
  if (state.target?.card) state.target.card.classList.remove('selected');
  state.target = target;
  target.card?.classList.add('selected');
  $('target-preview').src = target.url;
  // Honest about what happens: More, Less and Try again change this picture; a new feeling is made from the original photo.
  $('target-text').textContent = `Next message acts on ${target.label} · a new feeling starts from the original photo`;
  $('target').hidden = false;
  if (state.attachment) clearAttachment();
  message.focus();
}

function clearTarget() {
  if (state.target?.card) state.target.card.classList.remove('selected');
  state.target = undefined;
  $('target').hidden = true;
}

function setBusy(busy) {
  sendButton.disabled = busy;
  for (const button of log.querySelectorAll('.card button[data-turn], .ask-chips button')) {
    button.disabled = busy || button.dataset.offered === 'false';
  }
}

$('attach').addEventListener('click', () => fileInput.click());
fileInput.addEventListener('change', () => setAttachment(fileInput.files?.[0]));
$('remove-attachment').addEventListener('click', () => {
  clearAttachment();
  message.focus();
});
$('cancel-target').addEventListener('click', () => {
  clearTarget();
  message.focus();
});

message.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    form.requestSubmit();
  } else if (event.key === 'Escape') {
    if (state.target) clearTarget();
    else if (state.attachment) clearAttachment();
  }
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = message.value.trim();
  if (state.pending) return;
  if (!text && !state.attachment) {
    message.focus();
    return;
  }
  const file = state.attachment?.file;
  if (file && file.size > meta.maxImageBytes) {
    addMine({ text, fileName: file.name });
    addBotText({ kind: 'error', text: meta.tooLargeMessage });
    clearAttachment();
    return;
  }
  sendTurn({ text, file, fileUrl: state.attachment?.url, replyTo: state.target?.replyTo });
  message.value = '';
  state.attachment = undefined;
  $('attachment').hidden = true;
  fileInput.value = '';
  clearTarget();
});

// Paste a picture anywhere on the page.
document.addEventListener('paste', (event) => {
  const file = [...(event.clipboardData?.files ?? [])][0];
  if (file) {
    event.preventDefault();
    setAttachment(file);
  }
});

// Drop a picture anywhere on the page.
let dragDepth = 0;
const overlay = $('drop-overlay');
document.addEventListener('dragenter', (event) => {
  if (![...(event.dataTransfer?.types ?? [])].includes('Files')) return;
  dragDepth += 1;
  overlay.hidden = false;
});
document.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) overlay.hidden = true;
});
document.addEventListener('dragover', (event) => event.preventDefault());
document.addEventListener('drop', (event) => {
  event.preventDefault();
  dragDepth = 0;
  overlay.hidden = true;
  const file = event.dataTransfer?.files?.[0];
  if (file) setAttachment(file);
});

/* ---------- the conversation ---------- */

function addMine({ text, fileUrl, fileName, note }) {
  const bubble = h('div', { class: 'bubble' });
  const item = h('li', { class: 'msg mine' });
  if (fileUrl) {
    const button = h(
      'button',
      { type: 'button', class: 'mine-photo', disabled: true, 'aria-label': 'Your photo' },
      h('img', { src: fileUrl, alt: 'Your photo' }),
    );
    item.append(button);
  } else if (fileName) {
    item.append(
      h(
        'span',
        { class: 'file-chip' },
        svgIcon('M8 12.5l6.2-6.2a3 3 0 1 1 4.2 4.2L10 18.9a5 5 0 0 1-7-7L10.5 4.4'),
        fileName,
      ),
    );
  }
  if (note) bubble.append(h('span', { class: 'action-note' }, note));
  if (text) bubble.append(text);
  if (note || text) item.append(bubble);
  log.append(item);
  scrollToEnd();
  return item;
}

function addPending() {
  const text = h('span', { class: 'pending-text' }, 'Working on it…');
  const fill = h('div', { class: 'meter-fill' });
  const meter = h('div', { class: 'meter', hidden: true }, fill);
  const item = h(
    'li',
    { class: 'msg bot pending', 'aria-busy': 'true' },
    h(
      'div',
      { class: 'bubble' },
      h('div', { class: 'pending-line' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text),
      meter,
    ),
  );
  log.append(item);
  scrollToEnd();
  return { item, text, meter, fill };
}

function showProgress(event) {
  const pending = state.pending;
  if (!pending || event.turnId !== pending.turnId) return;
  pending.bubble.text.textContent = event.text;
  const progress = event.progress;
  if (progress.stage === 'rendering' && progress.steps > 0) {
    pending.bubble.meter.hidden = false;
    pending.bubble.fill.style.setProperty('width', `${Math.round((100 * progress.step) / progress.steps)}%`);
  }
}

function addBotText(reply) {
  const item = h(
    'li',
    { class: `msg bot ${reply.kind === 'error' ? 'error' : ''}` },
    h('div', { class: 'bubble' }, reply.text),
  );
  if (reply.kind === 'ask' && reply.emotions?.length && reply.editId) {
    item.append(emotionChips(reply, 'ask-chips'));
  }
  log.append(item);
  scrollToEnd();
  return item;
}

function emotionChips(reply, extraClass = '') {
  const group = h('div', { class: `chips ${extraClass}`, role: 'group', 'aria-label': 'Pick a feeling' });
  group.append(
    h('p', { class: 'chips-label' }, reply.kind === 'ask' ? 'Pick a feeling:' : 'Or give it another feeling:'),
  );
  const names = meta.emotions.length ? meta.emotions.map((e) => e.name) : reply.emotions;
  for (const name of names) {
    const info = emotionInfo(name);
    const offered = reply.emotions.includes(name);
    const current = reply.target === name;
    group.append(
      h(
        'button',
        {
          type: 'button',
          class: 'chip',
          'data-emotion': name,
          'data-turn': 'emotion',
          'data-offered': String(offered),
          'aria-current': current ? 'true' : undefined,
          disabled: !offered,
          title: info.meaning || undefined,
          onclick: () =>
            sendTurn({
              action: { kind: 'emotion', emotion: name, editId: reply.editId },
              note: `Make it feel ${name}`,
            }),
        },
        h('span', { class: 'dot', 'aria-hidden': 'true' }),
        name,
      ),
    );
  }
  return group;
}

function captionOf(reply) {
  const [title, ...rest] = reply.text.split('\n');
  const titleElement = h('div', { class: 'caption-title' });
  const parts = title.split(' → ');
  if (parts.length === 2)
    titleElement.append(parts[0], h('span', { class: 'arrow', 'aria-label': 'to' }, ' → '), parts[1]);
  else titleElement.append(title);
  return h(
    'div',
    { class: 'caption' },
    titleElement,
    rest.length ? h('div', { class: 'caption-text' }, rest.join('\n')) : undefined,
  );
}

function actionButtons(reply, number) {
  const actions = h('div', { class: 'actions', role: 'group', 'aria-label': `Change picture ${number}` });
  for (const { action, label: text } of meta.actions) {
    const offered = reply.actions.includes(action);
    actions.append(
      h(
        'button',
        {
          type: 'button',
          class: action === 'more' ? 'primary' : undefined,
          'data-turn': action,
          'data-offered': String(offered),
          disabled: !offered,
          onclick: () => sendTurn({ action: { kind: action, editId: reply.editId }, note: text }),
        },
        text,
      ),
    );
  }
  return actions;
}

/** Marks the card of `editId` as the current picture (what text alone acts on), and no other. */
function markCurrent(editId) {
  const previous = state.cards.get(state.current);
  if (previous) {
    previous.card.classList.remove('current');
    previous.card.removeAttribute('aria-current');
    previous.card.querySelector('.current-badge')?.remove();
  }
  state.current = editId;
  const shown = state.cards.get(editId);
  if (!shown) return;
  shown.card.classList.add('current');
  shown.card.setAttribute('aria-current', 'true');
  shown.card.querySelector('.picture-number').append(h('span', { class: 'current-badge' }, 'Current'));
}

/**
 * A reply showing a picture already in the conversation (Undo, Redo, Start over): no copy of it;
 * the Current marker moves to its card, which gets the reply's buttons, and a line says so.
 */
function showAgain(reply, shown) {
  const fresh = actionButtons(reply, shown.number);
  shown.card.querySelector('.actions').replaceWith(fresh);
  markCurrent(reply.editId);
  const item = h(
    'li',
    { class: 'msg bot moved' },
    h(
      'div',
      { class: 'bubble' },
      `Back to picture ${shown.number} (${shown.what}), marked Current above. `,
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: () => shown.card.scrollIntoView({ block: 'center', behavior: 'smooth' }),
        },
        `Show picture ${shown.number}`,
      ),
    ),
  );
  log.append(item);
  scrollToEnd();
  return { item, card: shown.card, label: `picture ${shown.number}`, url: shown.url };
}

function addPicture(reply) {
  const shown = reply.editId ? state.cards.get(reply.editId) : undefined;
  if (shown) return showAgain(reply, shown);
  state.pictureCount += 1;
  const number = state.pictureCount;
  const label = `picture ${number}`;
  const what = reply.target ? `${reply.target}` : 'the original';
  const card = h('figure', { class: 'card', 'data-edit-id': reply.editId, 'data-picture': String(number) });
  const image = reply.image;
  const img = h('img', {
    src: image.url,
    alt: `Picture ${number}: ${what}`,
    width: image.width,
    height: image.height,
    class: 'result',
  });
  const pick = h(
    'button',
    {
      type: 'button',
      class: 'pick',
      'aria-label': `Act on picture ${number} (${what}) with your next message`,
      title: 'Make your next message act on this picture',
      onclick: () => setTarget({ replyTo: reply.id, label: `${label} (${what})`, url: image.url, card }),
    },
    img,
  );
  const frame = h('div', { class: 'frame' }, pick);

  const actions = actionButtons(reply, number);

  const tools = h('div', { class: 'tools' });
  if (reply.original) {
    const compareButton = h(
      'button',
      { type: 'button', 'aria-pressed': 'false', onclick: () => toggleCompare() },
      svgIcon('M12 3v18M5 7l-3 5 3 5M19 7l3 5-3 5'),
      'Before / after',
    );
    tools.append(compareButton);
    let compare;
    const toggleCompare = () => {
      const on = compareButton.getAttribute('aria-pressed') !== 'true';
      compareButton.setAttribute('aria-pressed', String(on));
      if (on) {
        compare = compareView(image, reply.original.url, number);
        pick.hidden = true;
        frame.append(compare);
        compare.querySelector('input').focus();
      } else {
        compare?.remove();
        pick.hidden = false;
      }
    };
  }
  tools.append(
    h(
      'a',
      { class: 'button', href: image.downloadUrl, download: image.name, 'aria-label': `Download picture ${number}` },
      svgIcon('M12 4v11M7 10l5 5 5-5M5 20h14'),
      'Download',
    ),
  );

  card.append(
    h('span', { class: 'picture-number' }, `Picture ${number}`),
    frame,
    captionOf(reply),
    actions,
    tools,
    emotionChips(reply),
  );
  const item = h('li', { class: 'msg bot' }, card);
  log.append(item);
  if (reply.editId) {
    state.cards.set(reply.editId, { card, number, what, url: image.url });
    markCurrent(reply.editId);
  }
  scrollToEnd();
  return { item, card, label, url: image.url };
}

function compareView(image, beforeUrl, number) {
  const view = h(
    'div',
    { class: 'compare' },
    h('img', { src: image.url, alt: `Picture ${number} after the edit`, width: image.width, height: image.height }),
    h('img', { class: 'before', src: beforeUrl, alt: `Picture ${number} before the edit` }),
    h('span', { class: 'divider' }),
    h('span', { class: 'tag left' }, 'Before'),
    h('span', { class: 'tag right' }, 'After'),
  );
  const range = h('input', {
    type: 'range',
    class: 'compare-range',
    min: '0',
    max: '100',
    value: '50',
    'aria-label': 'Slide between before (left) and after (right)',
  });
  range.addEventListener('input', () => view.style.setProperty('--split', `${range.value}%`));
  return h('div', {}, view, range);
}

function showReplies(replies) {
  for (const reply of replies) {
    if (reply.kind === 'edit' && reply.image) addPicture(reply);
    else addBotText(reply);
    if (reply.editId) message.placeholder = 'How should it feel now? Or add a new photo…';
  }
}

/* ---------- talking to the server ---------- */

async function sendTurn({ text = '', file, fileUrl, replyTo, action, note }) {
  if (state.pending) return;
  const turnId = randomId();
  const mine = addMine({ text, fileUrl, fileName: file && !fileUrl ? file.name : undefined, note });
  state.pending = { turnId, bubble: addPending() };
  setBusy(true);
  let request;
  if (file) {
    const body = new FormData();
    body.set('turnId', turnId);
    body.set('text', text);
    if (replyTo) body.set('replyTo', replyTo);
    body.set('image', file, file.name || 'photo');
    request = { method: 'POST', body };
  } else {
    const payload = { turnId, text };
    if (replyTo) payload.replyTo = replyTo;
    if (action) payload.action = action;
    request = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) };
  }
  try {
    const response = await fetch('/api/turns', request);
    let body;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    state.pending.bubble.item.remove();
    if (body?.replies?.length) {
      showReplies(body.replies);
      const accepted = body.replies.every((reply) => reply.kind !== 'error');
      if (fileUrl && accepted && body.messageId) makeOwnPhotoPickable(mine, body.messageId, fileUrl);
    } else {
      addBotText({
        kind: 'error',
        text: body?.error?.message ?? `Something went wrong (HTTP ${response.status}). Please try again.`,
      });
    }
  } catch {
    state.pending.bubble.item.remove();
    addBotText({ kind: 'error', text: 'I could not reach the moodshift server. Is it still running?' });
  } finally {
    state.pending = undefined;
    setBusy(false);
    scrollToEnd();
    if (!action) message.focus();
  }
}

function makeOwnPhotoPickable(item, messageId, url) {
  const button = item.querySelector('.mine-photo');
  if (!button) return;
  button.disabled = false;
  button.setAttribute('aria-label', 'Act on your photo with your next message');
  button.title = 'Make your next message act on your photo';
  button.addEventListener('click', () => setTarget({ replyTo: messageId, label: 'your photo', url }));
}

function listenForProgress() {
  if (!('EventSource' in window)) return;
  const events = new EventSource('/api/events');
  events.addEventListener('progress', (event) => {
    try {
      showProgress(JSON.parse(event.data));
    } catch {
      /* a malformed event is ignored */
    }
  });
  events.addEventListener('ready', () => {
    connection.textContent = '';
  });
  events.addEventListener('error', () => {
    // The browser retries on its own after a dropped connection, but not after a refusal.
    connection.textContent =
      events.readyState === EventSource.CLOSED
        ? 'Live progress is off; reload the page to turn it on.'
        : 'Reconnecting…';
  });
}

/** What a button press looked like in the person's own bubble. */
function noteOf(action) {
  if (!action) return undefined;
  if (action.kind === 'emotion') return `Make it feel ${action.emotion}`;
  return meta.actions.find((a) => a.action === action.kind)?.label ?? action.kind;
}

/** Shows the conversation the server kept: the person's messages, every picture with its buttons, the current one marked. */
async function restore() {
  let tree;
  try {
    tree = await (await fetch('/api/conversation')).json();
  } catch {
    return; /* nothing to restore */
  }
  const exchanges = tree.exchanges ?? [];
  if (!exchanges.length) return;
  for (const exchange of exchanges) {
    const mine = addMine({ text: exchange.text, fileUrl: exchange.photo?.url, note: noteOf(exchange.action) });
    if (exchange.photo) makeOwnPhotoPickable(mine, exchange.messageId, exchange.photo.url);
    for (const reply of exchange.replies) {
      if (reply.kind === 'edit' && !reply.image)
        addBotText({ kind: 'info', text: `${reply.text}\n(This picture is no longer kept.)` });
      else showReplies([reply]);
    }
  }
  // The server's cursor decides which picture is current (a turn may have moved it since a card was shown).
  if (tree.cursor && state.cards.has(tree.cursor)) markCurrent(tree.cursor);
  addBotText({ kind: 'info', text: 'Welcome back: this is where you left off.' });
  message.placeholder = 'How should it feel now? Or add a new photo…';
  await Promise.allSettled([...log.querySelectorAll('img')].map((img) => img.decode()));
  chat.scrollTop = chat.scrollHeight;
}

async function start() {
  try {
    meta = { ...meta, ...(await (await fetch('/api/meta')).json()) };
  } catch {
    /* the defaults above still work */
  }
  message.maxLength = meta.maxTextLength;
  listenForProgress();
  await restore();
  document.body.dataset.ready = 'true';
  message.focus();
}

start();
