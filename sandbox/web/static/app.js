// The sandbox page: who you are, the channel list, the channel shown, live updates.
import { api, interactionProblem, live, setViewer } from "./api.js";
import { flattenCommands } from "./commandlogic.js";
import { Composer } from "./commands.js";
import { clear, h } from "./dom.js";
import { refreshRelative } from "./markdown.js";
import { ModalHost } from "./modal.js";
import { messageError, nameOf, renderMessage, mdContext } from "./render.js";
import { formatTimestamp } from "./timestamps.js";
import { icon } from "./icons.js";
import { Tour } from "./tour.js";
import { renderEvents, renderForum } from "./views.js";

const TEXT_TYPES = new Set([0, 5, 1, 10, 11, 12]);
const THREAD_TYPES = new Set([10, 11, 12]);
const ICONS = { 0: "text", 5: "news", 2: "voice", 13: "voice", 15: "forum", 1: "dm", 10: "thread", 11: "thread", 12: "thread" };
const GROUP_GAP_MS = 7 * 60 * 1000;

const S = {
  guild: null,
  members: [],
  me: null,
  data: { categories: [], channels: [], dm: null },
  byId: new Map(),
  current: null,
  lookups: { users: {}, roles: {}, channels: {} },
  commands: [],
  events: [],
  nodes: new Map(),
};

const $ = (id) => document.getElementById(id);
const els = {
  app: $("app"), sidebar: $("sidebar"), list: $("channel-list"), server: $("server-name"),
  who: $("member-select"), title: $("channel-title"), topic: $("channel-topic"), messages: $("messages"),
  view: $("view"), menu: $("menu-button"), scrim: $("scrim"), status: $("conn-status"), notice: $("notice"),
};

/** The render context for messages, modals and the composer. */
function ctx() {
  return {
    lookups: S.lookups,
    members: S.members,
    roles: allRoles(),
    channels: S.data.channels,
    memberById: (id) => S.members.find((m) => m.id === id),
    channelById: (id) => S.byId.get(id),
    onChannel: (id) => openChannel(id),
    guildId: S.guild?.id,
    onClick: clickButton,
    onSelect: chooseInSelect,
    onSelectError: (msg, text) => messageError(S.nodes.get(msg.id)?.node, text),
  };
}

/** Every role of the server that some member has (the API lists roles with members). */
function allRoles() {
  const seen = new Map();
  for (const m of S.members) for (const r of m.roles || []) seen.set(r.id, r);
  for (const r of Object.values(S.lookups.roles || {})) seen.set(r.id, r);
  return [...seen.values()];
}

/** A one-line notice at the top of the page (errors that belong to no message). */
function notify(text) {
  els.notice.textContent = text || "";
  els.notice.hidden = !text;
  if (text) setTimeout(() => els.notice.textContent === text && notify(null), 8000);
}

// --- who am I ------------------------------------------------------------------------------

/** Fill the member switcher. */
function renderMembers() {
  clear(els.who);
  for (const m of S.members) {
    const role = m.admin ? "admin" : m.moderator ? "moderator" : "member";
    els.who.appendChild(h("option", { value: m.id, text: `${nameOf(m)} (${role})` }));
  }
  if (S.me) els.who.value = S.me.id;
}

/** Act as another member: remembered, and everything shown is fetched again as them. */
async function be(member) {
  if (S.me?.id === member.id) return;
  S.me = member;
  setViewer(member.id);
  localStorage.setItem("sbx-member", member.id);
  els.who.value = member.id;
  modals.close();
  if (composer.current) composer.exitCommand(false);
  document.documentElement.dataset.viewer = member.username;
  await loadChannels();
  const still = S.current && (S.byId.get(S.current.id) || S.current.type === 1);
  await openChannel(still && S.current.type !== 1 ? S.current.id : defaultChannel()?.id, { keepSidebar: true });
  await syncModals();
}

/** Show the viewer's open form, if the bot opened one for them (also after a reload or a switch). */
async function syncModals() {
  try {
    modals.sync((await api.modals()).modals || []);
  } catch (err) {
    notify(err.message);
  }
}

// --- channels ------------------------------------------------------------------------------

/** Fetch the channel list as the viewer and draw it. */
async function loadChannels() {
  const data = await api.channels();
  S.data = { categories: data.categories || [], channels: data.channels || [], dm: data.dm || null };
  S.byId = new Map();
  for (const c of S.data.channels) {
    S.byId.set(c.id, c);
    for (const t of c.threads || []) S.byId.set(t.id, { ...t, parent_name: c.name });
  }
  if (S.data.dm) S.byId.set(S.data.dm.id, S.data.dm);
  try {
    S.events = (await api.events()).events || [];
  } catch {
    S.events = [];
  }
  renderSidebar();
}

/** One channel button in the list. */
function channelButton(c, extraClass = "", label = null) {
  const isCurrent = S.current?.id === c.id;
  const name = label || c.name;
  return h("button", {
    type: "button", class: "channel " + extraClass + (isCurrent ? " current" : ""),
    "aria-current": isCurrent ? "page" : null, "data-testid": "channel-link",
    dataset: { channelId: c.id, channelName: name }, onclick: () => openChannel(c.id),
  }, h("span", { class: "ch-icon" }, icon(ICONS[c.type] || "text", THREAD_TYPES.has(c.type) ? 14 : 18)), h("span", { class: "ch-name", text: name }),
  THREAD_TYPES.has(c.type) && c.message_count ? h("span", { class: "ch-count", "aria-label": `${c.message_count} messages`, text: String(c.message_count) }) : null);
}

/** Draw the channel list: categories, channels, threads and posts, events, direct messages. */
function renderSidebar() {
  const list = els.list;
  const scroll = list.scrollTop;
  clear(list);
  const cats = [{ id: null, name: null }, ...[...S.data.categories].sort((a, b) => a.position - b.position)];
  for (const cat of cats) {
    const chans = S.data.channels.filter((c) => (c.parent_id || null) === cat.id);
    if (!chans.length) continue;
    const ul = h("ul", { class: "channel-group", "aria-label": cat.name || "Channels" });
    for (const c of chans) {
      const li = h("li", {}, channelButton(c));
      const threads = c.threads || [];
      if (threads.length) {
        const sub = h("ul", { class: "thread-list", "aria-label": c.type === 15 ? `Posts in ${c.name}` : `Threads in ${c.name}` });
        for (const t of threads.slice(0, 12)) sub.appendChild(h("li", {}, channelButton(t, "thread")));
        if (threads.length > 12) sub.appendChild(h("li", { class: "muted small", text: `${threads.length - 12} more: open #${c.name}` }));
        li.appendChild(sub);
      }
      if (c.type === 2 || c.type === 13) {
        const evs = S.events.filter((e) => e.channel_id === c.id);
        if (evs.length) {
          const sub = h("ul", { class: "thread-list", "aria-label": `Events in ${c.name}` });
          for (const e of evs) sub.appendChild(h("li", {}, eventLink(e)));
          li.appendChild(sub);
        }
      }
      ul.appendChild(li);
    }
    if (cat.name) list.appendChild(h("h3", { class: "category", text: cat.name }));
    list.appendChild(ul);
  }
  const others = S.events.filter((e) => !S.byId.has(e.channel_id));
  list.appendChild(h("h3", { class: "category", text: "Events" }));
  list.appendChild(h("ul", { class: "channel-group", "aria-label": "Events" },
    h("li", {}, h("button", {
      type: "button", class: "channel" + (S.current?.id === "events" ? " current" : ""), "data-testid": "events-link",
      "aria-current": S.current?.id === "events" ? "page" : null, onclick: () => openChannel("events"),
    }, h("span", { class: "ch-icon" }, icon("event")), h("span", { class: "ch-name", text: `Scheduled events (${S.events.length})` }))),
    others.map((e) => h("li", {}, eventLink(e)))));
  list.appendChild(h("h3", { class: "category", text: "Direct messages" }));
  const dm = S.data.dm;
  list.appendChild(h("ul", { class: "channel-group", "aria-label": "Direct messages" },
    dm ? h("li", {}, channelButton(dm, "dm", dm.name || S.guild?.bot?.display_name || "climabot"))
      : h("li", { class: "muted small", text: "No messages from climabot yet" })));
  list.scrollTop = scroll;
}

/** A small entry for a scheduled event under its channel. */
function eventLink(e) {
  const when = formatTimestamp(Math.floor((e.start_ms ?? Date.parse(e.scheduled_start_time)) / 1000), "f");
  return h("button", { type: "button", class: "channel thread event-link", "data-testid": "event-link", onclick: () => openChannel("events") },
    h("span", { class: "ch-icon" }, icon("event", 14)),
    h("span", { class: "ch-name" }, e.name, h("span", { class: "muted small", text: " · " + when })));
}

/** The channel to show first. */
function defaultChannel() {
  const text = S.data.channels.filter((c) => c.type === 0 || c.type === 5);
  return text.find((c) => c.name === "general") || text[0] || S.data.channels[0];
}

/** Open a channel by name ("general") or the newest post of a forum ("exchange/newest"). */
async function openByName(where) {
  await loadChannels();
  const [name, post] = where.split("/");
  const c = S.data.channels.find((x) => x.name === name);
  if (!c) return notify(`${nameOf(S.me)} cannot see #${name}.`);
  if (post === "newest" && c.threads?.length) return openChannel(c.threads[0].id);
  return openChannel(c.id);
}

/** Show a channel, thread, DM, forum or the events. */
async function openChannel(id, opts = {}) {
  if (!id) return;
  const c = id === "events" ? { id: "events", type: "events", name: "Scheduled events" } : S.byId.get(id);
  if (!c) return notify("That channel is not visible to this member.");
  const changed = S.current?.id !== c.id;
  S.current = c;
  localStorage.setItem("sbx-channel", c.id);
  if (!opts.keepSidebar) closeMenu();
  renderSidebar();
  els.title.textContent = c.type === "events" ? "Scheduled events" : THREAD_TYPES.has(c.type) ? c.name : (c.type === 0 || c.type === 5 ? "#" : c.type === 1 ? "@" : "") + (c.name || "");
  els.title.dataset.channelName = c.name || "";
  els.title.title = els.title.textContent; // the whole name, when a long one is cut short
  els.topic.textContent = c.type === 1 ? "Direct messages with climabot" : THREAD_TYPES.has(c.type) ? `in #${c.parent_name || ""}` : c.topic || "";
  document.title = `${c.name || "climabot"} · ${S.guild?.name || "climabot sandbox"}`;
  if (changed) {
    S.nodes.clear();
    clear(els.messages);
    composer.showError(null);
  }
  const writable = TEXT_TYPES.has(c.type);
  const reason = c.type === 15 ? `Open a post, or start one below` : c.type === "events" || c.type === 2 || c.type === 13 ? "Nothing to type here; use a text channel" : null;
  composer.setChannel(writable ? c : null, writable ? null : reason);
  // Forums (posts have their own form) and events have no message box.
  $("composer-root").hidden = !writable;
  try {
    S.commands = writable ? flattenCommands((await api.commands(c.id)).commands, S.me?.locale) : [];
  } catch (err) {
    S.commands = [];
    notify(err.message);
  }
  await refreshView();
  if (changed && !opts.keepFocus) els.messages.focus({ preventScroll: true });
}

// --- the view ------------------------------------------------------------------------------

/** Fetch and draw what the current channel shows. */
async function refreshView() {
  const c = S.current;
  if (!c) return;
  try {
    if (c.type === "events" || c.type === 2 || c.type === 13) {
      S.nodes.clear();
      S.events = (await api.events()).events || [];
      return renderEvents(els.messages, S.events, c.type === "events" ? null : c.id, viewDeps);
    }
    if (c.type === 15) {
      S.nodes.clear();
      return renderForum(els.messages, c, viewDeps);
    }
    const data = await api.messages(c.id);
    if (S.current !== c) return;
    S.lookups = { users: data.users || {}, roles: data.roles || {}, channels: data.channels || {} };
    renderMessages(data.messages || []);
  } catch (err) {
    notify(err.message);
  }
}

/** Draw messages, keeping unchanged ones (so focus, scroll and revealed spoilers stay). */
function renderMessages(messages) {
  const box = els.messages;
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const fresh = new Map();
  let prev = null;
  const c = ctx();
  box.querySelector(".empty-channel")?.remove();
  messages.forEach((msg, i) => {
    const grouped = Boolean(prev && prev.author?.id === msg.author?.id && !msg.interaction && !msg.ephemeral && !prev.ephemeral
      && (msg.timestamp_ms - prev.timestamp_ms) < GROUP_GAP_MS);
    const sig = JSON.stringify([msg, grouped, msg.author && S.lookups.users[msg.author.id]]);
    const old = S.nodes.get(msg.id);
    let node = old?.sig === sig ? old.node : null;
    if (!node) {
      const focused = old?.node.contains(document.activeElement) ? document.activeElement.dataset.customId : null;
      node = renderMessage(msg, c, grouped);
      if (old) old.node.replaceWith(node);
      if (focused) node.querySelector(`[data-custom-id="${CSS.escape(focused)}"]`)?.focus();
    }
    fresh.set(msg.id, { sig, node });
    const at = box.children[i];
    if (at !== node) box.insertBefore(node, at || null);
    prev = msg;
  });
  for (const [id, old] of S.nodes) if (!fresh.has(id)) old.node.remove();
  while (box.children.length > messages.length) box.lastChild.remove();
  S.nodes = fresh;
  if (!messages.length) box.appendChild(h("p", { class: "empty-channel muted", text: "No messages yet. Say hello, or type / to use climabot." }));
  if (atBottom) box.scrollTop = box.scrollHeight;
}

// --- components ----------------------------------------------------------------------------

/** After an action: show the bot's problem on the message, open a form it asked for. */
function handleInteraction(msg, it) {
  const node = S.nodes.get(msg.id)?.node;
  messageError(node, interactionProblem(it));
  if (it?.modal) modals.open(it.modal);
  scheduleRefresh();
}

/** A button was clicked. */
async function clickButton(msg, customId, btn) {
  btn.disabled = true;
  messageError(S.nodes.get(msg.id)?.node, null);
  try {
    const res = await api.click(msg.id, customId);
    handleInteraction(msg, res.interaction);
  } catch (err) {
    messageError(S.nodes.get(msg.id)?.node, err.message);
  } finally {
    btn.disabled = false;
  }
}

/** Values were chosen in a select. */
async function chooseInSelect(msg, customId, values, sel) {
  sel.disabled = true;
  messageError(S.nodes.get(msg.id)?.node, null);
  try {
    const res = await api.select(msg.id, customId, values);
    handleInteraction(msg, res.interaction);
  } catch (err) {
    messageError(S.nodes.get(msg.id)?.node, err.message);
  } finally {
    sel.disabled = false;
  }
}

// --- live ----------------------------------------------------------------------------------

let refreshing = false;
let again = false;
let timer = null;

/** Refetch soon (changes come in bursts). */
function scheduleRefresh() {
  clearTimeout(timer);
  timer = setTimeout(refreshAll, 60);
}

/** Refetch channels, the view and the open forms; one at a time, once more if asked meanwhile. */
async function refreshAll() {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  try {
    await loadChannels();
    if (S.current && S.current.id !== "events" && !S.byId.has(S.current.id)) {
      await openChannel(defaultChannel()?.id, { keepFocus: true, keepSidebar: true });
    } else if (!(S.current?.type === 15 && els.messages.querySelector(".new-post details[open]"))) {
      await refreshView();
    }
    await syncModals();
  } catch (err) {
    notify(err.message);
  } finally {
    refreshing = false;
    if (again) {
      again = false;
      scheduleRefresh();
    }
  }
}

// --- narrow screens ------------------------------------------------------------------------

/** Open or close the channel list (a menu on narrow screens). */
function setMenu(open) {
  els.app.classList.toggle("menu-open", open);
  els.menu.setAttribute("aria-expanded", open ? "true" : "false");
  els.scrim.hidden = !open;
  if (open) els.list.querySelector("button")?.focus();
}

/** Close the channel menu. */
function closeMenu() {
  if (els.app.classList.contains("menu-open")) setMenu(false);
}

els.menu.addEventListener("click", () => setMenu(!els.app.classList.contains("menu-open")));
els.scrim.addEventListener("click", () => setMenu(false));
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && els.app.classList.contains("menu-open")) {
    setMenu(false);
    els.menu.focus();
  }
});

const viewDeps = {
  open: (id) => openChannel(id),
  reload: () => loadChannels(),
  refresh: () => refreshView(),
  notify,
  md: () => mdContext(ctx()),
  channelName: (id) => S.byId.get(id)?.name,
};

// --- start ---------------------------------------------------------------------------------

const modals = new ModalHost({ ctx, refresh: scheduleRefresh, notify: (t) => composer.showError(t), botName: () => S.guild?.bot?.display_name });
const composer = new Composer($("composer-root"), {
  channel: () => (S.current && TEXT_TYPES.has(S.current.type) ? S.current : null),
  commands: () => S.commands,
  members: () => S.members,
  roles: allRoles,
  channels: () => S.data.channels,
  openModal: (m) => modals.open(m),
  refresh: scheduleRefresh,
});
const tour = new Tour($("tour"), $("tour-toggle"), {
  members: () => S.members,
  be,
  open: openByName,
  prefill: (path, values) => composer.prefill(path, values),
});

els.who.addEventListener("change", () => {
  const m = S.members.find((x) => x.id === els.who.value);
  if (m) be(m).then(() => tour.panel.hidden || tour.render());
});

/** Load who can be chosen, pick the remembered member and channel, go live. */
async function start() {
  try {
    S.guild = await api.guild();
    S.members = (await api.members()).members || [];
  } catch (err) {
    notify(err.message);
    els.status.textContent = "offline";
    return;
  }
  els.server.textContent = S.guild.name;
  const saved = localStorage.getItem("sbx-member");
  S.me = S.members.find((m) => m.id === saved) || S.members[0];
  setViewer(S.me.id);
  document.documentElement.dataset.viewer = S.me.username;
  renderMembers();
  await loadChannels();
  const remembered = localStorage.getItem("sbx-channel");
  await openChannel(S.byId.has(remembered) || remembered === "events" ? remembered : defaultChannel()?.id, { keepFocus: true });
  if (!tour.panel.hidden) tour.render();
  await syncModals();
  live(() => scheduleRefresh(), (up) => {
    els.status.textContent = up ? "live" : "reconnecting…";
    els.status.classList.toggle("down", !up);
  });
  setInterval(() => refreshRelative(document.body, {}), 15000);
  document.documentElement.dataset.ready = "true";
}

start();
