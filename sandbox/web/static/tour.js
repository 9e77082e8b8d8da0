// The guided tour: its content (TASKS) and the "Try this" panel that shows it.
// Command names and options are climabot's public contract (docs: ../../../../shared/DESIGN.md
// "Public surface"); the people are sandbox/demo.py's (matched by username, else by role).
import { clear, h } from "./dom.js";

/** Who to be: a demo username, and the role to fall back on if that person is not there. */
const MARCO = { username: "marco", role: "moderator" };
const NIAMH = { username: "niamh", role: "citizen" };
const LENA = { username: "lena", role: "citizen2" };
const CAMILLE = { username: "camille", role: "citizen3" };

export const TASKS = [
  {
    id: "poll",
    title: "Run a poll and vote as two members",
    steps: [
      {
        as: MARCO, where: "general",
        text: "Post a button poll (moderators run polls).",
        command: { path: "poll create", values: { question: "Which theme should our next webinar cover?", options: "Energy; Mobility; Buildings" } },
      },
      { as: NIAMH, where: "general", text: "Click an option on the poll. Only Niamh sees the confirmation." },
      { as: LENA, where: "general", text: "Vote too: the tally on the poll changes live. climabot answers Lena in German, her language." },
    ],
  },
  {
    id: "testimonial",
    title: "Tell a story with a photo; approve it as the moderator",
    steps: [
      {
        as: MARCO, where: "general",
        text: "Open a testimonial campaign.",
        command: { path: "campaign create", values: { name: "Green streets", prompt: "What changed in your street this year?" } },
      },
      {
        as: NIAMH, where: "general",
        text: "Submit a story for the campaign: pick a photo (any JPEG or PNG) in the photo field, send, then fill the form (story, consent) and submit it.",
        command: { path: "testimonial submit", values: { campaign: "Green streets" } },
      },
      { as: MARCO, where: "moderation", text: "Click Approve on the new submission." },
      { as: NIAMH, where: "showcase", text: "The approved story is published here with its photo." },
    ],
  },
  {
    id: "exchange",
    title: "Ask another city a question",
    steps: [
      {
        as: NIAMH, where: "general",
        text: "Niamh lives in Dublin: ask Milan how they did it. The question opens a post in the #exchange forum.",
        command: {
          path: "exchange ask",
          values: { title: "How did you get more people cycling?", question: "Dublin wants more people on bikes. What worked in your city, and what did it cost?", theme: "mobility", cities: "Milan" },
        },
      },
      { as: MARCO, where: "exchange/newest", text: "Marco lives in Milan: type an answer in the post and press Enter." },
      { as: NIAMH, where: "exchange/newest", text: "Record what was learned: a form opens.", command: { path: "exchange resolve", values: {} } },
    ],
  },
  {
    id: "announce",
    title: "Schedule an announcement and watch it post",
    steps: [
      {
        as: MARCO, where: "general",
        text: "Schedule an announcement for one minute from now.",
        command: { path: "announce schedule", values: { channel: "announcements", when: "in 1m", message: "Webinar on Thursday: how Lyon cut heating bills in its schools." } },
      },
      { as: MARCO, where: "announcements", text: "Wait about a minute: the message appears by itself." },
    ],
  },
  {
    id: "proposal",
    title: "Propose, support, answer",
    steps: [
      {
        as: NIAMH, where: "general",
        text: "Propose an action for Dublin; fill in the form and submit it.",
        command: { path: "proposal submit", values: { city: "Dublin", theme: "mobility" } },
      },
      { as: CAMILLE, where: "proposals/newest", text: "Click Support on the post." },
      {
        as: MARCO, where: "general",
        text: "Answer it publicly: type a word of its title in the id field and pick it from the list.",
        command: { path: "proposal answer", values: { status: "accepted", reason: "A good fit for our cycling plan; we start in spring." } },
      },
    ],
  },
];

const STORE = "sbx-tour";

/** How a step's place reads: "#general", or "the newest post of #exchange". */
function place(where) {
  const [channel, post] = where.split("/");
  return post ? `the newest post of #${channel}` : `#${channel}`;
}

/** Saved tour state: {hidden, done: {stepKey: true}}. */
function load() {
  // First visit: open on wide screens; on a phone it would cover the chat, so it waits for the button.
  const hidden = window.matchMedia("(max-width: 1100px)").matches;
  try {
    return { hidden, done: {}, ...JSON.parse(localStorage.getItem(STORE) || "{}") };
  } catch {
    return { hidden, done: {} };
  }
}

/** The "Try this" panel. deps: {members(), be(member), open(channelName), prefill(path, values)} */
export class Tour {
  constructor(panel, toggle, deps) {
    this.panel = panel;
    this.toggle = toggle;
    this.deps = deps;
    this.state = load();
    toggle.addEventListener("click", () => this.setHidden(!this.panel.hidden));
    panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && window.matchMedia("(max-width: 1100px)").matches) {
        this.setHidden(true);
        this.toggle.focus();
      }
    });
    this.setHidden(this.state.hidden, false);
  }

  /** Show or hide the panel, and remember it (unless remember is false: the first visit's default). */
  setHidden(hidden, remember = true) {
    this.panel.hidden = hidden;
    this.toggle.setAttribute("aria-expanded", hidden ? "false" : "true");
    this.state.hidden = hidden;
    if (remember) this.save();
    if (!hidden) this.render();
  }

  /** Persist the state. */
  save() {
    localStorage.setItem(STORE, JSON.stringify(this.state));
  }

  /** The member a step asks for (by username, else by role). */
  person(as) {
    const members = this.deps.members();
    const byName = members.find((m) => m.username === as.username);
    if (byName) return byName;
    const citizens = members.filter((m) => !m.moderator);
    if (as.role === "moderator") return members.find((m) => m.moderator && !m.admin) || members.find((m) => m.moderator);
    const index = { citizen: 0, citizen2: 1, citizen3: 2 }[as.role] ?? 0;
    return citizens[index] || citizens[0] || members[0];
  }

  /** Build the panel's content. */
  render() {
    const p = this.panel;
    clear(p);
    p.appendChild(h("header", { class: "tour-head" },
      h("h2", { id: "tour-title", text: "Try this" }),
      h("button", { type: "button", class: "icon-btn", "aria-label": "Close the tour", "data-testid": "tour-close", text: "×", onclick: () => {
        this.setHidden(true);
        this.toggle.focus();
      } })));
    p.appendChild(h("p", { class: "tour-intro", text: "Five short tasks show what climabot does. Each step says who to be and what to type or click; “Fill the box” types the command for you." }));
    TASKS.forEach((task, ti) => {
      const done = task.steps.every((_, si) => this.state.done[`${task.id}:${si}`]);
      const steps = h("ol", { class: "tour-steps" });
      task.steps.forEach((step, si) => steps.appendChild(this.step(task, step, si)));
      p.appendChild(h("details", { class: "tour-task" + (done ? " done" : ""), open: ti === this.firstOpen(), "data-testid": "tour-task", dataset: { task: task.id } },
        h("summary", {}, h("span", { class: "tour-check", "aria-hidden": "true", text: done ? "✓" : String(ti + 1) }), task.title, done ? h("span", { class: "sr-only", text: " (done)" }) : null),
        steps));
    });
    p.appendChild(h("button", { type: "button", class: "linkish", text: "Start over", onclick: () => {
      this.state.done = {};
      this.save();
      this.render();
    } }));
  }

  /** Index of the first task not done (open by default). */
  firstOpen() {
    const i = TASKS.findIndex((t) => !t.steps.every((_, si) => this.state.done[`${t.id}:${si}`]));
    return i < 0 ? 0 : i;
  }

  /** One step: who, where, what, and its buttons. */
  step(task, step, si) {
    const key = `${task.id}:${si}`;
    const member = this.person(step.as);
    const who = member ? member.display_name || member.username : step.as.username;
    const check = h("input", { type: "checkbox", id: `tour-${key}`, checked: Boolean(this.state.done[key]) });
    check.addEventListener("change", () => {
      this.state.done[key] = check.checked;
      this.save();
    });
    const li = h("li", { class: "tour-step", "data-testid": "tour-step", dataset: { step: key } },
      h("p", {}, h("strong", { text: `Be ${who}` }), step.where ? ` in ${place(step.where)}. ` : ". ", step.text),
      step.command ? h("code", { class: "tour-command", text: "/" + step.command.path + Object.entries(step.command.values).map(([k, v]) => ` ${k}: ${v}`).join("") }) : null);
    const buttons = h("div", { class: "tour-buttons" });
    buttons.appendChild(h("button", { type: "button", class: "btn btn-secondary btn-small", "data-testid": "tour-be", text: `Be ${who}`, onclick: () => this.go(step, member, false) }));
    if (step.command) {
      buttons.appendChild(h("button", { type: "button", class: "btn btn-primary btn-small", "data-testid": "tour-fill", text: "Fill the box for me", onclick: () => this.go(step, member, true) }));
    }
    li.appendChild(buttons);
    li.appendChild(h("div", { class: "choice tour-done" }, check, h("label", { for: `tour-${key}`, text: "Done" })));
    return li;
  }

  /** Become the step's member, open its channel, and (if asked) fill the command in. */
  async go(step, member, fill) {
    if (member) await this.deps.be(member);
    if (step.where) await this.deps.open(step.where);
    if (fill && step.command) this.deps.prefill(step.command.path, step.command.values);
    if (window.matchMedia("(max-width: 1100px)").matches) this.setHidden(true);
  }
}
