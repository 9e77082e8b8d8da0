// The views that are not a message list: a forum's posts (with a "New post" form) and the
// scheduled events (with an Interested toggle).
import { api } from "./api.js";
import { clear, h } from "./dom.js";
import { render as markdown } from "./markdown.js";
import { formatTimestamp } from "./timestamps.js";

/** A forum: its posts as cards, and a form to start a post. deps: {open(id), reload(), refresh(), notify(text), md(), channelName(id)} */
export function renderForum(box, c, deps) {
  const keep = box.querySelector(".new-post");
  // A live refresh redraws the list: keep the keyboard focus on the same post.
  const focused = document.activeElement?.dataset?.threadId;
  const tags = new Map((c.available_tags || []).map((t) => [t.id, t.name]));
  clear(box);
  const posts = h("ul", { class: "forum-posts", "aria-label": `Posts in ${c.name}` });
  for (const t of c.threads || []) {
    posts.appendChild(h("li", {}, h("button", { type: "button", class: "forum-post", "data-testid": "forum-post", dataset: { threadId: t.id }, onclick: () => deps.open(t.id) },
      h("span", { class: "post-title", text: t.name }),
      h("span", { class: "post-tags" }, (t.applied_tags || []).map((id) => h("span", { class: "tag", text: tags.get(id) || "tag" }))),
      h("span", { class: "muted small", text: `${t.owner_name || "someone"} · ${t.message_count ?? 0} messages` }))));
  }
  if (!(c.threads || []).length) posts.appendChild(h("li", { class: "muted", text: "No posts yet." }));
  box.appendChild(keep || newPostForm(c, deps));
  box.appendChild(posts);
  if (focused) box.querySelector(`[data-thread-id="${CSS.escape(focused)}"]`)?.focus();
}

/** The "New post" form of a forum. */
function newPostForm(c, deps) {
  const title = h("input", { id: "post-title", type: "text", class: "field-input", maxlength: "100", required: true });
  const text = h("textarea", { id: "post-text", class: "field-input", rows: "3" });
  const error = h("div", { class: "field-error", role: "alert", hidden: true });
  const tagBoxes = (c.available_tags || []).map((t, i) => h("div", { class: "choice" },
    h("input", { type: "checkbox", id: `post-tag-${i}`, value: t.id }), h("label", { for: `post-tag-${i}`, text: t.name })));
  const form = h("form", { class: "new-post", "aria-label": "New post", novalidate: true },
    h("details", {}, h("summary", { class: "btn btn-primary", "data-testid": "new-post", text: "New post" }),
      h("label", { for: "post-title", class: "field-label", text: "Title" }), title,
      h("label", { for: "post-text", class: "field-label", text: "Message" }), text,
      tagBoxes.length ? h("fieldset", { class: "modal-field" }, h("legend", { text: "Tags" }), h("div", { class: "tag-choices" }, tagBoxes)) : null,
      error, h("button", { type: "submit", class: "btn btn-primary", text: "Post" })));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!title.value.trim()) {
      error.textContent = "Title: this field is required.";
      error.hidden = false;
      return title.focus();
    }
    try {
      const tags = [...form.querySelectorAll("input[type=checkbox]:checked")].map((x) => x.value);
      const res = await api.newPost(c.id, title.value.trim(), text.value, tags);
      await deps.reload();
      deps.open(res.thread.id);
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    }
  });
  return form;
}

/** The scheduled events (all, or of one voice channel), each with an Interested toggle. deps: see forum. */
export function renderEvents(box, events, channelId, deps) {
  const focused = document.activeElement?.dataset?.eventId;
  clear(box);
  const list = events.filter((e) => !channelId || e.channel_id === channelId);
  const statusName = { 1: "Scheduled", 2: "Live now", 3: "Ended", 4: "Cancelled" };
  const md = deps.md();
  if (!list.length) box.appendChild(h("p", { class: "muted empty-channel", text: "No scheduled events. A moderator creates one with /event create." }));
  for (const e of list) {
    const start = Math.floor((e.start_ms ?? Date.parse(e.scheduled_start_time)) / 1000);
    const where = e.entity_metadata?.location || (deps.channelName(e.channel_id) ? "in " + deps.channelName(e.channel_id) : "");
    const btn = h("button", {
      type: "button", class: "btn " + (e.interested ? "btn-success" : "btn-secondary"), "aria-pressed": e.interested ? "true" : "false",
      "data-testid": "event-interested", dataset: { eventId: e.id }, text: e.interested ? "✓ Interested" : "Interested",
    });
    btn.addEventListener("click", async () => {
      try {
        await api.interest(e.id, !e.interested);
        deps.refresh();
      } catch (err) {
        deps.notify(err.message);
      }
    });
    box.appendChild(h("article", { class: "event-card", "data-testid": "event" },
      h("div", { class: "event-when" }, h("time", { text: formatTimestamp(start, "F") }), " · ", h("span", { text: formatTimestamp(start, "R") })),
      h("h3", { class: "event-name", text: e.name }),
      e.description ? h("div", { class: "event-desc" }, markdown(e.description, md)) : null,
      h("div", { class: "event-meta muted" }, `${statusName[e.status] || ""}${where ? " · " + where : ""} · ${e.user_count ?? 0} interested`),
      btn));
  }
  if (focused) box.querySelector(`[data-event-id="${CSS.escape(focused)}"]`)?.focus();
}
