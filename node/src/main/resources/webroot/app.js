// p2pchat web UI. Plain browser JavaScript, no build step, no third-party code.
// Security rule for this file: every piece of text from the network is put on the page with
// textContent (or as an attribute value), never with innerHTML.
'use strict';

(() => {
  /** Conversation key of the broadcast conversation. */
  const EVERYONE = '*';
  /** Messages asked from history at (re)connect; the node bounds it too. */
  const HISTORY_LIMIT = 500;
  /** Messages kept per conversation in the page, so a long session cannot grow without bound. */
  const MAX_MESSAGES_PER_CONVERSATION = 1000;
  /** Reconnect back-off: first retry quickly, then at most every 10 s. */
  const RECONNECT_MIN_MS = 500;
  const RECONNECT_MAX_MS = 10000;
  /** Consecutive messages from one sender closer than this share one header. */
  const GROUP_WINDOW_MS = 5 * 60 * 1000;
  /** Failed reconnects after which the banner suggests the node may have restarted. */
  const RESTART_HINT_AFTER = 3;

  const STATE_LABELS = {
    'connecting': 'connecting',
    'direct-lan': 'direct · LAN',
    'direct': 'direct',
    'relayed': 'relayed',
    'gone': 'gone',
  };

  /** A path's label: its state, and "over TLS" for a path relayed over the node's TLS link to the rendezvous. */
  const pathLabel = (peer, pstate) =>
    (STATE_LABELS[pstate] || pstate) + (pstate === 'relayed' && peer.transport === 'tls' ? ' over TLS' : '');
  /**
   * Where a path goes, as the console shows it: the peer's address, the relay's for a relayed path, and
   * "via" the rendezvous's TLS address for one relayed over TLS (null: no address yet).
   */
  const pathAddress = (peer, pstate) => !peer.address ? null
    : (pstate === 'relayed' && peer.transport === 'tls' ? 'via ' : '') + String(peer.address);

  const $ = (id) => document.getElementById(id);
  const els = {
    meAvatar: $('me-avatar'), meNick: $('me-nick'), meStatus: $('me-status'), meStatusText: $('me-status-text'),
    everyone: $('conv-everyone'), everyoneSub: $('everyone-sub'),
    peerList: $('peer-list'), peerCount: $('peer-count'), noPeers: $('no-peers'),
    bannerNode: $('banner-node'), bannerNodeText: $('banner-node-text'),
    bannerRendezvous: $('banner-rendezvous'), bannerRendezvousText: $('banner-rendezvous-text'),
    chatAvatar: $('chat-avatar'), chatTitle: $('chat-title'), chatSub: $('chat-sub'),
    messages: $('messages'), composer: $('composer'), input: $('input'), send: $('send'),
  };

  const state = {
    me: '',
    ws: null,
    connected: false,
    everConnected: false,
    failedAttempts: 0,
    reconnectDelay: RECONNECT_MIN_MS,
    rendezvous: null,              // {state, address} or null when unknown
    peers: new Map(),              // nick -> {nick, state, address, rttMs?, fingerprint?}
    messages: new Map(),           // key (keyOf) -> {key, id, from, to?, text, ts, direction, conv}
    delivery: new Map(),           // id -> {base?, delivered: Set, queued: Set, failed: Map(peer -> reason), error?}
    unsent: [],                    // local messages waiting for the node's id
    unread: new Map(),             // conv -> count
    active: EVERYONE,
    pending: new Map(),            // rid -> {resolve, reject}
    nextRid: 1,
    nextLocal: 1,
  };

  // ---------------------------------------------------------------- helpers

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function hue(nick) {
    let h = 0;
    for (const ch of String(nick)) h = (h * 31 + ch.codePointAt(0)) % 360;
    return h;
  }

  function fillAvatar(node, nick) {
    const first = Array.from(String(nick || '?'))[0] || '?';
    node.textContent = first.toLocaleUpperCase();
    node.style.setProperty('--h', String(hue(nick)));
  }

  function toMillis(ts) {
    const n = Number(ts);
    if (!Number.isFinite(n) || n <= 0) return Date.now();
    return n < 1e12 ? n * 1000 : n; // seconds or milliseconds
  }

  const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
  const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });
  const dayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });

  function dayLabel(ms) {
    const d = new Date(ms);
    const today = new Date();
    const yesterday = new Date(Date.now() - 86400000);
    if (d.toDateString() === today.toDateString()) return 'Today';
    if (d.toDateString() === yesterday.toDateString()) return 'Yesterday';
    return dayFmt.format(d);
  }

  function shortFingerprint(fp) {
    const clean = String(fp || '').replace(/[^0-9a-zA-Z]/g, '');
    return clean.slice(0, 16).replace(/(.{4})(?=.)/g, '$1 ');
  }

  // A round trip as a person reads it: a LAN's 0.3 ms is not "0 ms". Tenths of a millisecond under 10 ms
  // (rttMs carries microseconds), whole milliseconds above.
  function formatRtt(rttMs) {
    const ms = Number(rttMs);
    if (ms < 0.1) return '<0.1 ms';
    if (ms < 9.95) return `${ms.toFixed(1)} ms`;
    return `${Math.round(ms)} ms`;
  }

  function conversationOf(msg) {
    if (msg.direction === 'out') return msg.to ? msg.to : EVERYONE;
    return msg.to ? msg.from : EVERYONE;
  }

  // ---------------------------------------------------------------- push channel

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    // The HttpOnly cookie set on first load authenticates this socket; the page never sees the token.
    const ws = new WebSocket(`${scheme}//${location.host}/ws`);
    state.ws = ws;
    ws.onmessage = (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      onFrame(frame);
    };
    ws.onclose = () => {
      if (state.ws !== ws) return;
      state.ws = null;
      state.connected = false;
      state.failedAttempts++;
      for (const { reject } of state.pending.values()) reject(new Error('connection to the node lost'));
      state.pending.clear();
      renderStatus();
      setTimeout(connect, state.reconnectDelay);
      state.reconnectDelay = Math.min(state.reconnectDelay * 2, RECONNECT_MAX_MS);
    };
  }

  function request(address, body) {
    return new Promise((resolve, reject) => {
      const ws = state.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN) {
        reject(new Error('not connected to your node'));
        return;
      }
      const rid = state.nextRid++;
      state.pending.set(rid, { resolve, reject });
      ws.send(JSON.stringify({ type: 'request', rid, address, body: body || {} }));
    });
  }

  function onFrame(frame) {
    switch (frame.type) {
      case 'hello': return onHello(frame);
      case 'reply':
      case 'error': {
        const waiter = state.pending.get(frame.rid);
        if (!waiter) return;
        state.pending.delete(frame.rid);
        if (frame.type === 'reply') waiter.resolve(frame.body || {});
        else waiter.reject(new Error(frame.message || 'request failed'));
        return;
      }
      case 'event': return onEvent(frame.address, frame.body || {});
      default: return;
    }
  }

  function onHello(frame) {
    state.connected = true;
    state.everConnected = true;
    state.failedAttempts = 0;
    state.reconnectDelay = RECONNECT_MIN_MS;
    if (frame.nick) state.me = String(frame.nick);
    renderStatus();
    loadSnapshot();
  }

  async function loadSnapshot() {
    try {
      const [peers, history] = await Promise.all([
        request('peers', {}),
        request('history', { limit: HISTORY_LIMIT }),
      ]);
      state.peers.clear();
      for (const p of peers.peers || []) if (p && p.nick) state.peers.set(String(p.nick), p);
      for (const m of history.messages || []) addMessage(m, { fromHistory: true });
      renderAll();
    } catch (e) {
      showNodeProblem(`Could not load peers and history: ${e.message}`);
    }
  }

  function onEvent(address, body) {
    switch (address) {
      case 'chat.received':
        addMessage({ ...body, direction: 'in' }, { fromHistory: false });
        break;
      case 'chat.sent':
        adoptOrAddSent(body);
        break;
      case 'chat.delivered':
        deliveryOf(body.id).delivered.add(String(body.peer));
        deliveryOf(body.id).queued.delete(String(body.peer));
        break;
      case 'chat.queued':
        // The peer is offline: the message waits, sealed, in its mailbox until its receipt comes.
        deliveryOf(body.id).queued.add(String(body.peer));
        break;
      case 'chat.failed':
        // No peer: a room message that reached nobody (the reason says so); keyed '' then.
        deliveryOf(body.id).failed.set(body.peer == null ? '' : String(body.peer), String(body.reason || 'unknown reason'));
        break;
      case 'peer.state':
        if (body.nick) state.peers.set(String(body.nick), body);
        break;
      case 'rendezvous.state':
        state.rendezvous = body;
        break;
      default:
        return;
    }
    renderAll();
  }

  // ---------------------------------------------------------------- model

  function deliveryOf(id) {
    let d = state.delivery.get(id);
    if (!d) {
      d = { delivered: new Set(), queued: new Set(), failed: new Map() };
      state.delivery.set(id, d);
    }
    return d;
  }

  /**
   * A message's key: our own by id (ids we gave), a peer's by sender and id, so no member can hide
   * another's message, or one of ours, by sending its id.
   */
  function keyOf(direction, from, id) {
    return direction === 'out' ? `out\u0000${id}` : `in\u0000${from}\u0000${id}`;
  }

  function addMessage(raw, { fromHistory }) {
    if (!raw || raw.id === undefined || raw.id === null) return;
    const id = String(raw.id);
    const direction = raw.direction === 'out' ? 'out' : 'in';
    const from = direction === 'out' ? (raw.from || state.me) : String(raw.from || '?');
    const key = keyOf(direction, from, id);
    if (state.messages.has(key)) return;
    const msg = {
      key,
      id,
      from,
      to: raw.to ? String(raw.to) : undefined,
      text: String(raw.text ?? ''),
      ts: toMillis(raw.ts),
      direction,
    };
    msg.conv = conversationOf(msg);
    state.messages.set(key, msg);
    if (direction === 'out' && raw.state) deliveryOf(id).base = String(raw.state);
    if (!fromHistory && direction === 'in' && msg.conv !== state.active) {
      state.unread.set(msg.conv, (state.unread.get(msg.conv) || 0) + 1);
    }
    trim(msg.conv);
  }

  function trim(conv) {
    const ids = [];
    for (const m of state.messages.values()) if (m.conv === conv) ids.push(m);
    if (ids.length <= MAX_MESSAGES_PER_CONVERSATION) return;
    ids.sort((a, b) => a.ts - b.ts);
    for (const m of ids.slice(0, ids.length - MAX_MESSAGES_PER_CONVERSATION)) {
      state.messages.delete(m.key);
      if (m.direction === 'out') state.delivery.delete(m.id);
    }
  }

  /** The node's id for a message this page sent: re-key the local copy instead of showing it twice. */
  function rekey(local, id) {
    state.unsent = state.unsent.filter((m) => m !== local);
    state.messages.delete(local.key);
    const key = keyOf('out', state.me, id);
    if (state.messages.has(key)) return;
    local.id = id;
    local.key = key;
    state.messages.set(key, local);
  }

  function adoptOrAddSent(body) {
    const id = String(body.id);
    if (state.messages.has(keyOf('out', state.me, id))) return;
    const to = body.to ? String(body.to) : undefined;
    const local = state.unsent.find((m) => m.text === body.text && m.to === to);
    if (local) {
      rekey(local, id);
      return;
    }
    addMessage({ ...body, from: state.me, direction: 'out' }, { fromHistory: false });
  }

  function sendMessage(text) {
    const to = state.active === EVERYONE ? undefined : state.active;
    const local = {
      id: `local-${state.nextLocal++}`, from: state.me, to, text, ts: Date.now(), direction: 'out',
    };
    local.conv = conversationOf(local);
    local.key = keyOf('out', state.me, local.id);
    state.messages.set(local.key, local);
    state.unsent.push(local);
    renderAll();
    scrollToBottom(true);
    const body = to ? { text, to } : { text };
    request('chat.send', body)
      .then((reply) => {
        if (state.unsent.includes(local) && reply && reply.id !== undefined) rekey(local, String(reply.id));
      })
      .catch((e) => {
        state.unsent = state.unsent.filter((m) => m !== local);
        deliveryOf(local.id).error = e.message;
      })
      .finally(renderAll);
  }

  /** What a sent message's mark says: {state: sending|queued|delivered|failed, label, title}. */
  function deliveryStatus(msg) {
    const d = state.delivery.get(msg.id);
    if (d && d.error) return { state: 'failed', label: `Not sent: ${d.error}`, title: d.error };
    const delivered = d ? [...d.delivered] : [];
    const queued = d ? [...d.queued].filter((p) => !d.failed.has(p)) : [];
    const failed = d ? [...d.failed.entries()] : [];
    if (delivered.length > 0) {
      let label = msg.to ? 'Delivered' : `Delivered to ${delivered.join(', ')}`;
      if (queued.length > 0) label += ` · waiting for ${queued.join(', ')}`;
      if (failed.length > 0) label += ` · not to ${failed.map(([p]) => p).join(', ')}`;
      return { state: 'delivered', label, title: failed.map(([p, r]) => `${p}: ${r}`).join('\n') };
    }
    if (queued.length > 0) {
      const label = msg.to ? 'Queued: delivered when they come online' : `Queued for ${queued.join(', ')}`;
      return { state: 'queued', label, title: 'Offline: the message waits, end-to-end encrypted, at the rendezvous' };
    }
    if (failed.length > 0) {
      const reasons = failed.map(([p, r]) => (msg.to || !p ? r : `${p}: ${r}`));
      return { state: 'failed', label: `Failed: ${reasons.join('; ')}`, title: reasons.join('\n') };
    }
    if (d && d.base === 'delivered') return { state: 'delivered', label: 'Delivered', title: '' };
    if (d && d.base === 'failed') return { state: 'failed', label: 'Failed', title: '' };
    if (d && d.base === 'queued') return { state: 'queued', label: 'Queued', title: 'Waiting at the rendezvous for the peer to come online' };
    return { state: 'sending', label: 'Sending…', title: '' };
  }

  // ---------------------------------------------------------------- rendering

  function renderAll() {
    renderStatus();
    renderPeers();
    renderHeader();
    renderMessages();
    const unread = [...state.unread.values()].reduce((a, b) => a + b, 0);
    document.title = `${unread > 0 ? `(${unread}) ` : ''}${state.me ? `${state.me} · ` : ''}p2pchat`;
  }

  function showNodeProblem(text) {
    els.bannerNodeText.textContent = text;
    els.bannerNode.hidden = false;
  }

  function renderStatus() {
    els.meNick.textContent = state.me || 'p2pchat';
    fillAvatar(els.meAvatar, state.me || 'p');
    let status = 'online';
    let cls = 'ok';
    if (!state.connected) {
      status = 'node unreachable';
      cls = 'bad';
      const hint = state.failedAttempts >= RESTART_HINT_AFTER
        ? 'Reconnecting… If the node was restarted, open the new URL it printed (the token changes at every start).'
        : 'Reconnecting…';
      if (state.everConnected || state.failedAttempts > 0) showNodeProblem(hint);
    } else {
      els.bannerNode.hidden = true;
      if (state.rendezvous && state.rendezvous.state === 'down') {
        status = 'rendezvous down';
        cls = 'warn';
      }
    }
    els.meStatusText.textContent = status;
    els.meStatus.dataset.level = cls;
    const rvDown = state.connected && state.rendezvous && state.rendezvous.state === 'down';
    els.bannerRendezvous.hidden = !rvDown;
    if (rvDown) {
      const where = state.rendezvous.address ? ` (${state.rendezvous.address})` : '';
      els.bannerRendezvousText.textContent =
        `${where.trim()} Existing direct chats keep working; new peers can’t be found until it is back.`.trim();
    }
    els.composer.classList.toggle('offline', !state.connected);
    // Peer states are stale while the node is unreachable: show them dimmed.
    document.body.classList.toggle('node-offline', !state.connected && state.failedAttempts > 0);
  }

  function knownNicks() {
    const nicks = new Set(state.peers.keys());
    for (const m of state.messages.values()) if (m.conv !== EVERYONE) nicks.add(m.conv);
    nicks.delete(state.me);
    const rank = (n) => {
      const s = state.peers.get(n);
      return s && s.state !== 'gone' ? 0 : 1;
    };
    return [...nicks].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  }

  function setBadge(badge, count) {
    badge.hidden = !count;
    badge.textContent = count > 99 ? '99+' : String(count || '');
  }

  function renderPeers() {
    const nicks = knownNicks();
    const online = nicks.filter((n) => state.peers.has(n) && state.peers.get(n).state !== 'gone').length;
    els.peerCount.textContent = nicks.length ? `${online}/${nicks.length}` : '';
    els.everyoneSub.textContent = online === 1 ? '1 peer connected' : `${online} peers connected`;
    els.everyone.classList.toggle('active', state.active === EVERYONE);
    setBadge(els.everyone.querySelector('.badge'), state.unread.get(EVERYONE));
    els.noPeers.hidden = nicks.length > 0;

    const frag = document.createDocumentFragment();
    for (const nick of nicks) {
      const peer = state.peers.get(nick) || { nick, state: 'gone' };
      const pstate = STATE_LABELS[peer.state] ? peer.state : 'connecting';
      const li = el('li');
      const btn = el('button', `conv peer state-${pstate}`);
      btn.type = 'button';
      btn.dataset.conv = nick;
      btn.dataset.nick = nick;
      btn.dataset.state = pstate;
      if (state.active === nick) btn.classList.add('active');
      btn.addEventListener('click', () => select(nick));

      const avatar = el('span', 'avatar');
      fillAvatar(avatar, nick);
      avatar.append(el('span', 'presence'));
      const main = el('span', 'conv-main');
      const name = el('span', 'conv-name', nick);
      name.dir = 'auto';
      const sub = el('span', 'conv-sub');
      sub.append(el('span', 'state-pill', pathLabel(peer, pstate)));
      if (peer.rttMs !== undefined && peer.rttMs !== null && pstate !== 'gone') {
        sub.append(el('span', 'rtt', formatRtt(peer.rttMs)));
      }
      main.append(name, sub);
      if (peer.fingerprint) {
        const fp = el('span', 'fingerprint', shortFingerprint(peer.fingerprint));
        fp.title = `Key fingerprint: ${peer.fingerprint}`;
        main.append(fp);
      }
      const badge = el('span', 'badge');
      setBadge(badge, state.unread.get(nick));
      btn.title = [nick, pathLabel(peer, pstate), pathAddress(peer, pstate)].filter(Boolean).join(' · ');
      btn.append(avatar, main, badge);
      li.append(btn);
      frag.append(li);
    }
    els.peerList.replaceChildren(frag);
  }

  function renderHeader() {
    if (state.active === EVERYONE) {
      els.chatAvatar.textContent = '#';
      els.chatAvatar.className = 'avatar avatar-everyone';
      els.chatAvatar.style.removeProperty('--h');
      els.chatTitle.textContent = 'Everyone';
      els.chatSub.textContent = 'Messages here go to every connected peer';
      els.input.placeholder = 'Message everyone';
      return;
    }
    const nick = state.active;
    const peer = state.peers.get(nick) || { nick, state: 'gone' };
    els.chatAvatar.className = 'avatar';
    fillAvatar(els.chatAvatar, nick);
    els.chatTitle.textContent = nick;
    const parts = [pathLabel(peer, peer.state)];
    if (peer.rttMs !== undefined && peer.rttMs !== null && peer.state !== 'gone') parts.push(formatRtt(peer.rttMs));
    if (peer.address) parts.push(pathAddress(peer, peer.state));
    if (peer.fingerprint) parts.push(`key ${shortFingerprint(peer.fingerprint)}`);
    els.chatSub.textContent = parts.join(' · ');
    els.input.placeholder = `Message ${nick}`;
  }

  function atBottom() {
    const m = els.messages;
    return m.scrollHeight - m.scrollTop - m.clientHeight < 40;
  }

  function scrollToBottom(force) {
    if (force || state.stickToBottom) els.messages.scrollTop = els.messages.scrollHeight;
  }

  function renderMessages() {
    state.stickToBottom = atBottom();
    const list = [...state.messages.values()]
      .filter((m) => m.conv === state.active)
      .sort((a, b) => a.ts - b.ts);
    const frag = document.createDocumentFragment();
    if (list.length === 0) {
      const empty = el('div', 'empty-chat');
      empty.append(el('div', 'empty-emoji', '👋'));
      empty.append(el('div', 'empty-title', state.active === EVERYONE ? 'No messages yet' : `Start a conversation with ${state.active}`));
      empty.append(el('div', 'empty-sub', state.active === EVERYONE
        ? 'Say hi — everyone connected will see it.'
        : 'Only you and them will see these messages.'));
      frag.append(empty);
    }
    let lastDay = '';
    let prev = null;
    for (const msg of list) {
      const day = dayLabel(msg.ts);
      if (day !== lastDay) {
        frag.append(el('div', 'day', day));
        lastDay = day;
        prev = null;
      }
      const grouped = prev && prev.from === msg.from && prev.direction === msg.direction && msg.ts - prev.ts < GROUP_WINDOW_MS;
      frag.append(renderMessage(msg, !grouped));
      prev = msg;
    }
    els.messages.replaceChildren(frag);
    scrollToBottom(false);
  }

  function renderMessage(msg, showHeader) {
    const row = el('div', `msg ${msg.direction}${showHeader ? ' first' : ''}`);
    row.dataset.id = msg.id;
    row.dataset.from = msg.from;
    row.dataset.direction = msg.direction;
    if (msg.direction === 'in') {
      const avatar = el('div', 'avatar small');
      if (showHeader) fillAvatar(avatar, msg.from);
      else avatar.classList.add('spacer');
      row.append(avatar);
    }
    const bubble = el('div', 'bubble');
    if (showHeader) {
      const meta = el('div', 'meta');
      const sender = el('span', 'sender', msg.direction === 'out' ? 'You' : msg.from);
      sender.dir = 'auto';
      if (msg.direction === 'in') sender.style.setProperty('--h', String(hue(msg.from)));
      meta.append(sender);
      bubble.append(meta);
    }
    const text = el('div', 'text', msg.text);
    text.dir = 'auto';
    bubble.append(text);
    const foot = el('div', 'foot');
    const time = el('time', 'time', timeFmt.format(new Date(msg.ts)));
    time.dateTime = new Date(msg.ts).toISOString();
    time.title = fullFmt.format(new Date(msg.ts));
    foot.append(time);
    if (msg.direction === 'out') {
      const st = deliveryStatus(msg);
      const mark = el('span', `status ${st.state}`);
      mark.dataset.state = st.state;
      mark.append(el('span', 'icon', st.state === 'delivered' ? '✓✓' : st.state === 'failed' ? '!' : st.state === 'queued' ? '✉' : '◷'));
      mark.append(el('span', 'label', st.label));
      if (st.title) mark.title = st.title;
      foot.append(mark);
    }
    bubble.append(foot);
    row.append(bubble);
    return row;
  }

  function select(conv) {
    state.active = conv;
    state.unread.delete(conv);
    renderAll();
    scrollToBottom(true);
    els.input.focus();
  }

  // ---------------------------------------------------------------- composer

  function autosize() {
    els.input.style.height = 'auto';
    els.input.style.height = `${Math.min(els.input.scrollHeight, 200)}px`;
    els.send.disabled = els.input.value.trim() === '';
  }

  function submit() {
    const text = els.input.value;
    if (text.trim() === '') return;
    els.input.value = '';
    autosize();
    sendMessage(text);
  }

  els.input.addEventListener('input', autosize);
  els.input.addEventListener('keydown', (e) => {
    // isComposing: Enter that confirms an IME candidate (Chinese, Japanese...) must not send.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submit();
    }
  });
  els.composer.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  els.everyone.addEventListener('click', () => select(EVERYONE));

  renderAll();
  connect();
  els.input.focus();
})();
