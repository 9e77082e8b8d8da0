// Render a Discord message (content, embeds, attachments, components) as DOM nodes.
// ctx: {lookups: {users, roles, channels}, members, roles, channels, onClick, onSelect, onChannel,
//       timeZone, locale, botId}
import { h, intColor, safeUrl } from "./dom.js";
import { icon } from "./icons.js";
import { linkTo, render as markdown } from "./markdown.js";
import { fullTitle, messageTime } from "./timestamps.js";

const BUTTON_STYLES = { 1: "primary", 2: "secondary", 3: "success", 4: "danger", 5: "link", 6: "premium" };
const SELECT_KINDS = { 3: "string", 5: "user", 6: "role", 7: "mentionable", 8: "channel" };

/** The lookup functions markdown needs, from the message list's tables. */
export function mdContext(ctx) {
  const t = ctx.lookups || {};
  return {
    user: (id) => t.users?.[id] || ctx.memberById?.(id) || null,
    role: (id) => t.roles?.[id] || null,
    channel: (id) => t.channels?.[id] || ctx.channelById?.(id) || null,
    onChannel: ctx.onChannel,
    guildId: ctx.guildId,
    timeZone: ctx.timeZone,
    locale: ctx.locale,
  };
}

/** An avatar circle with initials. */
export function avatar(user, size = 40) {
  const name = user?.display_name || user?.username || "?";
  const initials = user?.initials || name.slice(0, 1).toUpperCase();
  return h("div", {
    class: "avatar",
    "aria-hidden": "true",
    style: { background: user?.avatar_color || "#5865f2", width: size + "px", height: size + "px" },
    text: initials,
  });
}

/** Display name of a user object. */
export function nameOf(user) {
  return user ? user.display_name || user.nick || user.global_name || user.username || "unknown" : "unknown";
}

/** One message as an <article>; `grouped` hides the header (same author, close in time). */
export function renderMessage(msg, ctx, grouped = false) {
  const md = mdContext(ctx);
  const author = ctx.lookups?.users?.[msg.author?.id] || msg.author || {};
  const isBot = Boolean(author.bot || msg.author?.bot);
  const art = h("article", {
    class: "message" + (grouped ? " grouped" : "") + (msg.ephemeral ? " ephemeral" : ""),
    id: "msg-" + msg.id,
    dataset: { testid: "message", messageId: msg.id, author: nameOf(author) },
    "aria-label": `${nameOf(author)}${msg.ephemeral ? " (only you can see this)" : ""}`,
  });
  if (msg.interaction && !grouped) {
    // Type 2: a slash command ("used /poll create"); 3: a button or select; 5: a form.
    const kind = msg.interaction_metadata?.type ?? (msg.interaction.name?.includes(":") ? 3 : 2);
    art.appendChild(
      h("div", { class: "msg-context", "data-testid": "message-interaction" },
        h("span", { class: "ctx-user", text: msg.interaction.user_name || "someone" }),
        kind === 2 ? [" used ", h("span", { class: "ctx-command", text: "/" + msg.interaction.name })]
          : kind === 5 ? " sent a form" : " used a button or menu")
    );
  } else if (msg.message_reference?.message_id && msg.referenced_message && !grouped) {
    const ref = msg.referenced_message;
    art.appendChild(
      h("div", { class: "msg-context" }, "↪ ",
        h("span", { class: "ctx-user", text: nameOf(ctx.lookups?.users?.[ref.author?.id] || ref.author) }),
        " ", h("span", { class: "ctx-snippet", text: (ref.content || "").slice(0, 80) }))
    );
  }
  const when = msg.timestamp_ms ?? Date.parse(msg.timestamp);
  const zone = { timeZone: ctx.timeZone, locale: ctx.locale };
  if (!grouped) {
    art.appendChild(avatar(author));
    const nameEl = h("span", { class: "author", text: nameOf(author) });
    if (author.color) nameEl.style.color = author.color;
    art.appendChild(
      h("div", { class: "msg-header" },
        nameEl,
        isBot ? h("span", { class: "bot-tag", text: "APP" }) : null,
        h("time", {
          class: "msg-time", dateTime: new Date(when).toISOString(), title: fullTitle(when / 1000, zone),
          text: messageTime(when, zone),
        }))
    );
  }
  const body = h("div", { class: "msg-body" });
  if (msg.loading) {
    body.appendChild(h("div", { class: "loading", role: "status", text: `${nameOf(author)} is thinking…` }));
  }
  if (msg.content) {
    const content = h("div", { class: "msg-content", "data-testid": "message-content" }, markdown(msg.content, md));
    if (msg.edited || msg.edited_timestamp) {
      const last = content.lastElementChild;
      (last && last.classList.contains("md-p") ? last : content).appendChild(h("span", { class: "edited", title: msg.edited_timestamp_ms ? fullTitle(msg.edited_timestamp_ms / 1000, zone) : "", text: " (edited)" }));
    }
    body.appendChild(content);
  }
  for (const embed of msg.embeds || []) body.appendChild(renderEmbed(embed, md));
  // Like Discord, a file an embed shows (attachment://name) is not listed again below it.
  const shown = new Set();
  for (const e of msg.embeds || []) for (const part of [e.image, e.thumbnail, e.author, e.footer]) {
    for (const key of ["url", "proxy_url", "icon_url"]) if (part?.[key]) shown.add(part[key]);
  }
  const atts = (msg.attachments || []).filter((a) => !shown.has(a.url) && !shown.has(a.proxy_url));
  if (atts.length) body.appendChild(renderAttachments(atts));
  if (msg.components?.length) body.appendChild(renderComponents(msg.components, msg, ctx, md));
  if (msg.ephemeral) {
    body.appendChild(
      h("div", { class: "ephemeral-note", "data-testid": "ephemeral-note" },
        icon("eye", 14), " ",
        "Only you can see this · ",
        h("button", {
          type: "button", class: "linkish", text: "Dismiss message",
          onclick: () => art.remove(),
        }))
    );
  }
  body.appendChild(h("div", { class: "msg-error", role: "alert", "data-testid": "message-error", hidden: true }));
  art.appendChild(body);
  return art;
}

/** Show a one-line error under a message (or clear it with null). */
export function messageError(article, text) {
  const line = article?.querySelector(".msg-error");
  if (!line) return;
  line.textContent = text || "";
  line.hidden = !text;
}

/** An embed: colour bar, author, title (link), description, fields, image, thumbnail, footer. */
export function renderEmbed(embed, md) {
  const bar = intColor(embed.color);
  const box = h("div", { class: "embed", "data-testid": "embed", style: bar ? { borderLeftColor: bar } : null });
  const main = h("div", { class: "embed-main" });
  if (embed.author?.name) {
    const url = safeUrl(embed.author.url);
    const icon = safeUrl(embed.author.icon_url || embed.author.proxy_icon_url);
    main.appendChild(
      h("div", { class: "embed-author" },
        icon ? h("img", { src: icon, alt: "", class: "embed-author-icon" }) : null,
        url ? linkTo(h("a", { text: embed.author.name }), url, md)
          : h("span", { text: embed.author.name }))
    );
  }
  if (embed.title) {
    const url = safeUrl(embed.url);
    const title = h("div", { class: "embed-title", "data-testid": "embed-title" });
    if (url) title.appendChild(linkTo(h("a", {}, markdown(embed.title, md, { inlineOnly: true })), url, md));
    else title.appendChild(markdown(embed.title, md, { inlineOnly: true }));
    main.appendChild(title);
  }
  if (embed.description) main.appendChild(h("div", { class: "embed-description" }, markdown(embed.description, md)));
  if (embed.fields?.length) {
    const grid = h("div", { class: "embed-fields" });
    let run = 0;
    for (const f of embed.fields) {
      // Up to three inline fields share a row, as in Discord's client.
      run = f.inline ? (run % 3) + 1 : 0;
      grid.appendChild(
        h("div", { class: "embed-field" + (f.inline ? " inline" : ""), dataset: { col: String(run) } },
          h("div", { class: "embed-field-name" }, markdown(f.name || "", md, { inlineOnly: true })),
          h("div", { class: "embed-field-value" }, markdown(f.value || "", md)))
      );
    }
    main.appendChild(grid);
  }
  const image = safeUrl(embed.image?.url || embed.image?.proxy_url);
  if (image) main.appendChild(h("img", { class: "embed-image", src: image, alt: embed.title ? `Image: ${embed.title}` : "Embedded image", loading: "lazy" }));
  if (embed.footer?.text || embed.timestamp) {
    const icon = safeUrl(embed.footer?.icon_url);
    main.appendChild(
      h("div", { class: "embed-footer" },
        icon ? h("img", { src: icon, alt: "", class: "embed-footer-icon" }) : null,
        embed.footer?.text ? h("span", { text: embed.footer.text }) : null,
        embed.footer?.text && embed.timestamp ? h("span", { "aria-hidden": "true", text: " • " }) : null,
        embed.timestamp ? h("span", { text: messageTime(Date.parse(embed.timestamp), md) }) : null)
    );
  }
  box.appendChild(main);
  const thumb = safeUrl(embed.thumbnail?.url || embed.thumbnail?.proxy_url);
  if (thumb) box.appendChild(h("img", { class: "embed-thumbnail", src: thumb, alt: "Thumbnail", loading: "lazy" }));
  return box;
}

/** Human file size. */
function size(bytes) {
  if (!bytes && bytes !== 0) return "";
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

/** Attachments: images inline, other files as a download card. */
export function renderAttachments(atts) {
  const box = h("div", { class: "attachments" });
  for (const a of atts) {
    const url = safeUrl(a.url || a.proxy_url);
    const isImage = /^image\//.test(a.content_type || "") || /\.(png|jpe?g|gif|webp)$/i.test(a.filename || "");
    if (url && isImage) {
      box.appendChild(
        h("a", { href: url, target: "_blank", rel: "noopener noreferrer", class: "attachment-image" },
          h("img", { src: url, alt: a.description || a.filename || "image", loading: "lazy", "data-testid": "attachment-image" }))
      );
    } else {
      box.appendChild(
        h("div", { class: "attachment-file", "data-testid": "attachment-file" },
          h("span", { class: "file-icon" }, icon("file", 30)),
          h("div", { class: "file-meta" },
            url ? h("a", { href: url, download: a.filename || "", text: a.filename || "file" }) : h("span", { text: a.filename }),
            h("div", { class: "file-size", text: size(a.size) })))
      );
    }
  }
  return box;
}

/** Emoji of a button or option (unicode shown as is, custom ones by name). */
function emoji(e) {
  if (!e) return null;
  return h("span", { class: "emoji", "aria-hidden": e.id ? null : "true", text: e.id ? `:${e.name}:` : e.name });
}

/** Components: action rows of buttons and selects, and the v2 layout components. */
export function renderComponents(components, msg, ctx, md) {
  const box = h("div", { class: "components" });
  for (const c of components) {
    const node = renderComponent(c, msg, ctx, md);
    if (node) box.appendChild(node);
  }
  return box;
}

/** One component (recursive for rows, containers and sections). */
function renderComponent(c, msg, ctx, md) {
  switch (c.type) {
    case 1:
      return h("div", { class: "action-row", role: "group" }, (c.components || []).map((x) => renderComponent(x, msg, ctx, md)));
    case 2:
      return renderButton(c, msg, ctx);
    case 3:
    case 5:
    case 6:
    case 7:
    case 8:
      return renderSelect(c, msg, ctx);
    case 9:
      return h("div", { class: "v2-section" },
        h("div", { class: "v2-section-text" }, (c.components || []).map((x) => renderComponent(x, msg, ctx, md))),
        c.accessory ? h("div", { class: "v2-accessory" }, renderComponent(c.accessory, msg, ctx, md)) : null);
    case 10:
      return h("div", { class: "v2-text" }, markdown(c.content || "", md));
    case 11: {
      const url = safeUrl(c.media?.url);
      return url ? h("img", { class: "v2-thumbnail", src: url, alt: c.description || "Thumbnail" }) : null;
    }
    case 12:
      return h("div", { class: "v2-gallery" }, (c.items || []).map((it) => {
        const url = safeUrl(it.media?.url);
        return url ? h("img", { src: url, alt: it.description || "image", loading: "lazy" }) : null;
      }));
    case 13: {
      const url = safeUrl(c.file?.url);
      return h("div", { class: "attachment-file" }, url ? h("a", { href: url, text: c.file?.url.split("/").pop() }) : "file");
    }
    case 14:
      return h("hr", { class: "v2-separator" + (c.divider === false ? " invisible" : "") });
    case 17: {
      const bar = intColor(c.accent_color);
      return h("div", { class: "v2-container", style: bar ? { borderLeftColor: bar } : null },
        (c.components || []).map((x) => renderComponent(x, msg, ctx, md)));
    }
    default:
      return null;
  }
}

/** A button: link buttons are links; others send a click to the API. */
function renderButton(c, msg, ctx) {
  const style = BUTTON_STYLES[c.style] || "secondary";
  const label = c.label || "";
  if (c.style === 5) {
    const url = safeUrl(c.url);
    const a = h("a", {
      class: "btn btn-link" + (c.disabled ? " disabled" : ""),
      "aria-disabled": c.disabled ? "true" : null, "data-testid": "link-button",
    }, emoji(c.emoji), label);
    if (url && !c.disabled) linkTo(a, url, mdContext(ctx));
    // The outward arrow only on a link that leaves the page.
    if (!a.dataset.local) a.appendChild(h("span", { "aria-hidden": "true", class: "ext", text: " ↗" }));
    return a;
  }
  const btn = h("button", {
    type: "button", class: "btn btn-" + style, disabled: Boolean(c.disabled),
    "data-testid": "component-button", dataset: { customId: c.custom_id || "" },
    "aria-label": label ? null : c.emoji?.name || "button",
  }, emoji(c.emoji), label ? h("span", { text: label }) : null);
  btn.addEventListener("click", () => ctx.onClick?.(msg, c.custom_id, btn));
  return btn;
}

/** The options a select offers (string options, or members / roles / channels for the others). */
export function selectOptions(c, ctx) {
  if (c.type === 3) return (c.options || []).map((o) => ({ value: o.value, label: o.label, description: o.description, default: o.default, emoji: o.emoji }));
  const users = (ctx.members || []).map((m) => ({ value: m.id, label: "@" + nameOf(m) }));
  const roles = (ctx.roles || []).map((r) => ({ value: r.id, label: "@" + r.name }));
  if (c.type === 5) return users;
  if (c.type === 6) return roles;
  if (c.type === 7) return [...users, ...roles];
  const types = c.channel_types;
  return (ctx.channels || [])
    .filter((ch) => !types?.length || types.includes(ch.type))
    .map((ch) => ({ value: ch.id, label: "#" + ch.name }));
}

/** A select menu: a native <select> (single choice sends at once; multiple has a Send button). */
function renderSelect(c, msg, ctx) {
  const min = c.min_values ?? 1;
  const max = c.max_values ?? 1;
  const multi = max > 1;
  const options = selectOptions(c, ctx);
  const label = c.placeholder || (multi ? `Choose ${min === max ? max : `${min} to ${max}`}` : "Make a selection");
  const sel = h("select", {
    class: "select", disabled: Boolean(c.disabled), multiple: multi, "aria-label": label,
    "data-testid": "component-select", dataset: { customId: c.custom_id || "", kind: SELECT_KINDS[c.type] },
    size: multi ? String(Math.min(options.length, 6)) : null,
  });
  if (!multi) sel.appendChild(h("option", { value: "", disabled: true, selected: true, text: label }));
  for (const o of options) {
    const opt = h("option", { value: o.value, text: (o.emoji?.name && !o.emoji.id ? o.emoji.name + " " : "") + o.label + (o.description ? " — " + o.description : "") });
    if (o.default) opt.selected = true;
    sel.appendChild(opt);
  }
  const wrap = h("div", { class: "select-wrap" }, sel);
  const send = () => {
    const values = [...sel.selectedOptions].map((o) => o.value).filter(Boolean);
    if (values.length < min || values.length > max) {
      ctx.onSelectError?.(msg, min === max ? `Choose ${min}.` : `Choose ${min} to ${max}.`);
      return;
    }
    ctx.onSelect?.(msg, c.custom_id, values, sel);
  };
  if (multi) {
    wrap.appendChild(h("button", { type: "button", class: "btn btn-primary", text: "Send choice", disabled: Boolean(c.disabled), onclick: send, "data-testid": "component-select-send" }));
  } else {
    sel.addEventListener("change", send);
  }
  return wrap;
}
