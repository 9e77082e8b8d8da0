// Discord markdown: parse() gives a small tree (pure, testable with node), render() builds DOM
// nodes from it (text only ever through text nodes, so members' text cannot inject HTML).
import { formatTimestamp, fullTitle } from "./timestamps.js";

const MAX_DEPTH = 12;

// Inline rules, tried in this order at each position (sticky regexes: they match only there).
// The emphasis rules follow simple-markdown, the library Discord's client is built on.
const INLINE = [
  ["escape", /\\([^0-9A-Za-z\s])/y],
  ["code", /(`+)([\s\S]*?[^`])\1(?!`)/y],
  ["link", /\[((?:\[[^\]]*\]|[^[\]])+)\]\(\s*<?(https?:\/\/[^\s<>()]+(?:\([^\s<>()]*\)[^\s<>()]*)*)>?(?:\s+"[^"]*")?\s*\)/y],
  ["angleUrl", /<(https?:\/\/[^\s>]+)>/y],
  ["url", /https?:\/\/[^\s<]*[^\s<.,:;"'\])]/y],
  ["user", /<@!?(\d+)>/y],
  ["role", /<@&(\d+)>/y],
  ["channel", /<#(\d+)>/y],
  ["timestamp", /<t:(-?\d{1,14})(?::([tTdDfFR]))?>/y],
  ["slash", /<\/([-_\p{L}\p{N}]+(?: [-_\p{L}\p{N}]+){0,2}):(\d+)>/uy],
  ["emoji", /<(a?):(\w{2,32}):(\d+)>/y],
  ["everyone", /@(everyone|here)\b/y],
  ["strong", /\*\*((?:\\[\s\S]|[^\\])+?)\*\*(?!\*)/y],
  ["underline", /__((?:\\[\s\S]|[^\\])+?)__(?!_)/y],
  ["em", /\*(?=\S)((?:\*\*|\\[\s\S]|\s+(?:\\[\s\S]|[^\s*\\]|\*\*)|[^\s*\\])+?)\*(?!\*)/y],
  ["em", /_((?:__|\\[\s\S]|[^\\_])+?)_(?![\p{L}\p{N}_])/uy],
  ["strike", /~~([\s\S]+?)~~/y],
  ["spoiler", /\|\|([\s\S]+?)\|\|/y],
  ["br", /\n/y],
];
const TEXT_RUN = /[^\\`[<@*_~|\nh]+/y;
const NESTED = new Set(["strong", "underline", "em", "strike", "spoiler"]);

// A Discord link to a channel, thread or message, or to a scheduled event.
const DISCORD_LINK = /^https:\/\/(?:www\.|ptb\.|canary\.)?discord(?:app)?\.com\/(channels|events)\/(\d+)\/(\d+)(?:\/\d+)?\/?(?:[?#].*)?$/;

/** The page view a Discord link of guildId opens (a channel id, or "events"); null for any other URL. */
export function localTarget(url, guildId) {
  const m = DISCORD_LINK.exec(url || "");
  if (!m || !guildId || m[2] !== String(guildId)) return null;
  return m[1] === "events" ? "events" : m[3];
}

/** Point the <a> at url: a link of the demo server navigates in the page (nothing leaves this machine,
 * as the page promises); any other opens in a new tab that cannot reach back (noopener noreferrer). */
export function linkTo(a, url, ctx = {}) {
  const target = localTarget(url, ctx.guildId);
  if (target && ctx.onChannel) {
    a.href = "#" + (target === "events" ? "events" : "channel-" + target);
    a.dataset.local = target;
    a.title = target === "events" ? "Scheduled events" : "#" + (ctx.channel?.(target)?.name || "channel");
    a.addEventListener("click", (e) => {
      e.preventDefault();
      ctx.onChannel(target);
    });
    return a;
  }
  a.href = url;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  return a;
}

/** Parse inline markdown into nodes. opts.noLinks: inside a link label. */
export function parseInline(src, opts = {}, depth = 0) {
  const out = [];
  const text = (t) => {
    const last = out[out.length - 1];
    if (last && last.type === "text") last.text += t;
    else out.push({ type: "text", text: t });
  };
  if (depth > MAX_DEPTH) {
    text(src);
    return out;
  }
  let pos = 0;
  outer: while (pos < src.length) {
    // `_` opens emphasis only at a word start (snake_case stays as it is).
    const prev = pos > 0 ? src[pos - 1] : " ";
    for (const [type, re] of INLINE) {
      if (opts.noLinks && (type === "link" || type === "url" || type === "angleUrl")) continue;
      if (type === "em" && src[pos] === "_" && /[\p{L}\p{N}_]/u.test(prev)) continue;
      re.lastIndex = pos;
      const m = re.exec(src);
      if (!m) continue;
      pos = re.lastIndex;
      const node = build(type, m, opts, depth);
      if (node.type === "text") text(node.text);
      else out.push(node);
      continue outer;
    }
    TEXT_RUN.lastIndex = pos;
    const run = TEXT_RUN.exec(src);
    const piece = run ? run[0] : src[pos];
    text(piece);
    pos += piece.length;
  }
  return out;
}

/** One inline node from a rule's match. */
function build(type, m, opts, depth) {
  if (NESTED.has(type)) return { type, children: parseInline(m[1], opts, depth + 1) };
  switch (type) {
    case "escape":
      return { type: "text", text: m[1] };
    case "code": {
      let body = m[2];
      if (/^ .*[^ ].* $/s.test(body)) body = body.slice(1, -1);
      return { type: "code", text: body };
    }
    case "link":
      return { type: "link", url: m[2], children: parseInline(m[1], { ...opts, noLinks: true }, depth + 1) };
    case "angleUrl":
    case "url":
      return { type: "url", url: m[1] ?? m[0] };
    case "user":
    case "role":
    case "channel":
      return { type, id: m[1] };
    case "timestamp":
      return { type, unix: Number(m[1]), style: m[2] || "f" };
    case "slash":
      return { type, name: m[1], id: m[2] };
    case "emoji":
      return { type, animated: m[1] === "a", name: m[2], id: m[3] };
    case "everyone":
      return { type, which: m[1] };
    case "br":
      return { type: "br" };
    default:
      return { type: "text", text: m[0] };
  }
}

const HEADING = /^(#{1,3}) +(\S.*)$/;
const SUBTEXT = /^-# +(\S.*)$/;
const LIST_ITEM = /^( *)([-*]|\d{1,9}\.) +(\S.*)$/;
const QUOTE = /^> (.*)$/;
const QUOTE_REST = /^>>> ?([\s\S]*)$/;
const CODE_BLOCK = /```(?:([\w+#.-]*)\n)?([\s\S]*?)\n?```/g;

/**
 * Parse a message's markdown into blocks. opts.inlineOnly: no headers, lists, quotes or
 * code blocks (embed titles, field names, button labels).
 */
export function parse(src, opts = {}) {
  const text = String(src ?? "");
  if (opts.inlineOnly) return parseInline(text, opts);
  const blocks = [];
  let last = 0;
  CODE_BLOCK.lastIndex = 0;
  for (let m; (m = CODE_BLOCK.exec(text)); ) {
    if (m[2].length === 0 && !m[1]) continue;
    parseLines(text.slice(last, m.index).replace(/\n$/, ""), blocks, opts);
    const lang = m[1] && m[2] ? m[1] : "";
    blocks.push({ type: "codeblock", lang, text: m[1] && !m[2] ? m[1] : m[2] });
    last = CODE_BLOCK.lastIndex;
  }
  parseLines(text.slice(last), blocks, opts);
  return blocks;
}

/** Line-level blocks of a stretch of text with no code blocks. */
function parseLines(chunk, blocks, opts, inQuote = false) {
  if (!chunk) return;
  const lines = chunk.replace(/^\n/, "").split("\n");
  if (chunk.startsWith("\n") && blocks.length && blocks[blocks.length - 1].type !== "codeblock") {
    lines.unshift("");
  }
  let para = [];
  const flush = () => {
    if (para.length) blocks.push({ type: "paragraph", children: parseInline(para.join("\n"), opts) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    let m;
    if (!inQuote && line.startsWith(">>> ") && (m = QUOTE_REST.exec(lines.slice(i).join("\n")))) {
      flush();
      const inner = [];
      parseLines(m[1], inner, opts, true);
      blocks.push({ type: "blockquote", children: inner });
      return;
    }
    if (!inQuote && (m = QUOTE.exec(line))) {
      flush();
      const quoted = [m[1]];
      while (i + 1 < lines.length && /^> /.test(lines[i + 1])) quoted.push(lines[++i].slice(2));
      const inner = [];
      parseLines(quoted.join("\n"), inner, opts, true);
      blocks.push({ type: "blockquote", children: inner });
    } else if ((m = HEADING.exec(line))) {
      flush();
      blocks.push({ type: "heading", level: m[1].length, children: parseInline(m[2], opts) });
    } else if ((m = SUBTEXT.exec(line))) {
      flush();
      blocks.push({ type: "subtext", children: parseInline(m[1], opts) });
    } else if (LIST_ITEM.test(line)) {
      flush();
      const items = [];
      while (i < lines.length && LIST_ITEM.test(lines[i])) items.push(LIST_ITEM.exec(lines[i++]));
      i--;
      for (let at = 0; at < items.length; ) {
        const built = buildList(items, at, opts);
        blocks.push(built.list);
        at = built.next;
      }
    } else {
      para.push(line);
    }
  }
  flush();
}

/** A (nested) list from matched item lines starting at index `at`; indentation of 2+ spaces nests. */
function buildList(items, at, opts) {
  const indent = items[at][1].length;
  const ordered = /\d/.test(items[at][2]);
  const list = { type: "list", ordered, start: ordered ? parseInt(items[at][2], 10) : 1, items: [] };
  let i = at;
  while (i < items.length) {
    const depth = items[i][1].length;
    if (depth < indent) break;
    if (depth === indent && /\d/.test(items[i][2]) !== ordered) break;
    if (depth >= indent + 2 && list.items.length) {
      const nested = buildList(items, i, opts);
      list.items[list.items.length - 1].sublist = nested.list;
      i = nested.next;
      continue;
    }
    list.items.push({ children: parseInline(items[i][3], opts), sublist: null });
    i++;
  }
  return { list, next: i };
}

/** Plain text of a tree (for aria labels, previews and tests). */
export function plainText(nodes) {
  return nodes
    .map((n) => {
      if (n.type === "text" || n.type === "code" || n.type === "codeblock") return n.text;
      if (n.type === "br") return "\n";
      if (n.type === "url") return n.url;
      if (n.children) return plainText(n.children);
      if (n.items) return n.items.map((it) => plainText(it.children)).join("\n");
      return "";
    })
    .join("");
}

// --- DOM ------------------------------------------------------------------------------------

/**
 * Build DOM nodes for markdown text. ctx: {user(id), role(id), channel(id) -> {name, color}|null,
 * onChannel(id), timeZone, locale}. Returns a DocumentFragment.
 */
export function render(src, ctx = {}, opts = {}) {
  const frag = document.createDocumentFragment();
  for (const node of parse(src, opts)) frag.appendChild(renderNode(node, ctx));
  return frag;
}

/** Build one node. */
function renderNode(node, ctx) {
  const el = (tag, cls, children) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    for (const child of children || []) e.appendChild(renderNode(child, ctx));
    return e;
  };
  switch (node.type) {
    case "text":
      return document.createTextNode(node.text);
    case "br":
      return document.createElement("br");
    case "paragraph":
      return el("div", "md-p", node.children);
    case "strong":
      return el("strong", null, node.children);
    case "em":
      return el("em", null, node.children);
    case "underline":
      return el("u", null, node.children);
    case "strike":
      return el("s", null, node.children);
    case "spoiler": {
      const s = el("span", "md-spoiler", node.children);
      s.tabIndex = 0;
      s.setAttribute("role", "button");
      s.setAttribute("aria-label", "Spoiler, press to reveal");
      const reveal = () => {
        s.classList.add("revealed");
        s.removeAttribute("role");
        s.removeAttribute("aria-label");
      };
      s.addEventListener("click", reveal);
      s.addEventListener("keydown", (e) => (e.key === "Enter" || e.key === " ") && reveal());
      return s;
    }
    case "code": {
      const c = document.createElement("code");
      c.className = "md-code";
      c.textContent = node.text;
      return c;
    }
    case "codeblock": {
      const pre = document.createElement("pre");
      pre.className = "md-codeblock";
      const c = document.createElement("code");
      if (node.lang) c.dataset.lang = node.lang;
      c.textContent = node.text;
      pre.appendChild(c);
      return pre;
    }
    case "heading":
      return el("h" + (node.level + 2), "md-h md-h" + node.level, node.children);
    case "subtext":
      return el("small", "md-subtext", node.children);
    case "blockquote": {
      const q = el("blockquote", "md-quote", node.children);
      return q;
    }
    case "list": {
      const l = document.createElement(node.ordered ? "ol" : "ul");
      l.className = "md-list";
      if (node.ordered && node.start !== 1) l.start = node.start;
      for (const item of node.items) {
        const li = el("li", null, item.children);
        if (item.sublist) li.appendChild(renderNode(item.sublist, ctx));
        l.appendChild(li);
      }
      return l;
    }
    case "link":
    case "url": {
      const a = node.type === "link" ? el("a", "md-link", node.children) : document.createElement("a");
      if (node.type === "url") {
        a.className = "md-link";
        a.textContent = node.url;
      }
      linkTo(a, node.url, ctx);
      if (node.type === "link" && !a.dataset.local) a.title = node.url;
      return a;
    }
    case "user": {
      const who = ctx.user?.(node.id);
      return mention("@" + (who ? who.display_name || who.username || who.name : "unknown-user"), "user");
    }
    case "role": {
      const role = ctx.role?.(node.id);
      const m = mention("@" + (role ? role.name : "unknown-role"), "role");
      if (role?.color) {
        m.style.color = role.color;
        m.style.setProperty("--mention-bg", role.color + "26");
      }
      return m;
    }
    case "channel": {
      const ch = ctx.channel?.(node.id);
      const m = mention("#" + (ch ? ch.name : "unknown"), "channel");
      if (ch && ctx.onChannel) {
        m.tabIndex = 0;
        m.setAttribute("role", "link");
        m.addEventListener("click", () => ctx.onChannel(node.id));
        m.addEventListener("keydown", (e) => e.key === "Enter" && ctx.onChannel(node.id));
      }
      return m;
    }
    case "everyone":
      // Shown as text: the bot never pings everyone (allowed_mentions), so nothing is highlighted.
      return mention("@" + node.which, "everyone");
    case "slash":
      return mention("/" + node.name, "slash");
    case "emoji": {
      const e = document.createElement("span");
      e.className = "md-emoji";
      e.textContent = ":" + node.name + ":";
      return e;
    }
    case "timestamp": {
      const t = document.createElement("time");
      const opts = { timeZone: ctx.timeZone, locale: ctx.locale };
      t.className = "md-timestamp";
      t.dateTime = new Date(node.unix * 1000).toISOString();
      t.dataset.unix = String(node.unix);
      t.dataset.style = node.style;
      t.textContent = formatTimestamp(node.unix, node.style, opts);
      t.title = fullTitle(node.unix, opts);
      return t;
    }
    default:
      return document.createTextNode("");
  }
}

/** A mention pill. */
function mention(text, kind) {
  const s = document.createElement("span");
  s.className = "md-mention md-mention-" + kind;
  s.textContent = text;
  return s;
}

/** Refresh relative timestamps (style R) under root; call it every few seconds. */
export function refreshRelative(root, ctx = {}) {
  for (const t of root.querySelectorAll('time.md-timestamp[data-style="R"]')) {
    t.textContent = formatTimestamp(Number(t.dataset.unix), "R", { timeZone: ctx.timeZone, locale: ctx.locale });
  }
}
