// The message box: plain messages with attachments, and slash commands with completion, typed
// option fields, choices, autocomplete from the bot and inline validation.
import { api, interactionProblem } from "./api.js";
import { Autocomplete } from "./autocomplete.js";
import { convertOption, matchCommands, parseCommandLine, TYPE_NAMES } from "./commandlogic.js";
import { h, clear } from "./dom.js";
import { nameOf } from "./render.js";

let uid = 0;

/** The composer at the bottom of a channel. deps: {channel(), commands(), members(), roles(),
 * channels(), openModal(modal), refresh(), notify(text)} */
export class Composer {
  constructor(root, deps) {
    this.deps = deps;
    this.current = null;
    this.fields = new Map();
    this.uploads = [];
    this.active = -1;
    this.matches = [];
    this.build(root);
  }

  /** Create the composer's elements. */
  build(root) {
    this.list = h("ul", { id: "command-list", class: "command-list", role: "listbox", "aria-label": "Commands", "data-testid": "command-list", hidden: true });
    this.form = h("section", { class: "command-form", "data-testid": "command-form", hidden: true });
    this.input = h("textarea", {
      id: "message-input", class: "message-input", rows: "1", role: "combobox", "aria-autocomplete": "list",
      "aria-controls": "command-list", "aria-expanded": "false", "data-testid": "message-input",
      "aria-label": "Message", placeholder: "Message",
    });
    this.fileInput = h("input", { type: "file", multiple: true, hidden: true, "aria-label": "Attach files", "data-testid": "attach-input" });
    this.attachBtn = h("button", { type: "button", class: "icon-btn attach-btn", "aria-label": "Attach a file", "data-testid": "attach-button", text: "+" });
    this.chip = h("div", { class: "command-chip", hidden: true });
    this.sendBtn = h("button", { type: "submit", class: "send-btn", "data-testid": "send-button", text: "Send" });
    this.files = h("div", { class: "pending-files", "aria-live": "polite" });
    this.error = h("div", { class: "composer-error", role: "alert", "data-testid": "composer-error", hidden: true });
    this.hint = h("div", { class: "composer-hint", id: "composer-hint", text: "Enter to send · Shift+Enter for a new line · / for commands" });
    this.el = h("form", { class: "composer", "data-testid": "composer", "aria-label": "Message box", novalidate: true },
      this.list, this.form, this.files,
      h("div", { class: "composer-row" }, this.attachBtn, this.fileInput, this.chip, this.input, this.sendBtn),
      this.error, this.hint);
    this.input.setAttribute("aria-describedby", "composer-hint");
    root.appendChild(this.el);
    this.el.addEventListener("submit", (e) => {
      e.preventDefault();
      this.current ? this.submitCommand() : this.sendMessage();
    });
    this.input.addEventListener("input", () => this.onInput());
    this.input.addEventListener("keydown", (e) => this.onKey(e));
    this.input.addEventListener("blur", () => setTimeout(() => document.activeElement !== this.input && this.closeList(), 150));
    this.attachBtn.addEventListener("click", () => this.fileInput.click());
    this.fileInput.addEventListener("change", () => this.addFiles([...this.fileInput.files]));
  }

  /** Update the placeholder for the channel shown (or disable the box where one cannot write). */
  setChannel(channel, disabledReason) {
    const label = channel ? (channel.type === 1 ? `Message @${channel.name}` : `Message #${channel.name}`) : "Message";
    this.input.placeholder = disabledReason || label;
    this.input.setAttribute("aria-label", label);
    this.input.disabled = Boolean(disabledReason) && !this.current;
    this.attachBtn.disabled = Boolean(disabledReason);
    this.showError(null);
  }

  /** Show one error line (null clears it). */
  showError(text) {
    this.error.textContent = text || "";
    this.error.hidden = !text;
  }

  // --- plain messages ---------------------------------------------------------------------

  /** Keep files to send with the next message (uploaded on send). */
  addFiles(files) {
    for (const file of files) this.uploads.push(file);
    this.fileInput.value = "";
    this.renderFiles();
  }

  /** Show the files waiting to be sent, each with a remove button. */
  renderFiles() {
    clear(this.files);
    this.uploads.forEach((file, i) => {
      this.files.appendChild(h("span", { class: "file-chip", "data-testid": "pending-file" }, file.name,
        h("button", { type: "button", class: "icon-btn", "aria-label": `Remove ${file.name}`, text: "×",
          onclick: () => { this.uploads.splice(i, 1); this.renderFiles(); } })));
    });
  }

  /** Send the typed text (and files) as a message, or run a typed command line. */
  async sendMessage() {
    const text = this.input.value;
    if (text.startsWith("/")) {
      const parsed = parseCommandLine(text, this.deps.commands());
      if (parsed) {
        this.enterCommand(parsed.command, parsed.values);
        if (parsed.rest || !parsed.command.options.some((o) => o.required)) this.submitCommand();
        return;
      }
      if (this.matches.length) {
        this.choose(this.active >= 0 ? this.active : 0);
        return;
      }
      this.showError(`No command ${text.split(" ")[0]} here. Type / to see the commands you can use.`);
      return;
    }
    if (!text.trim() && !this.uploads.length) return;
    const channel = this.deps.channel();
    if (!channel) return;
    this.busy(true);
    try {
      const ids = [];
      for (const file of this.uploads) ids.push((await api.upload(file)).id);
      await api.send(channel.id, text, ids);
      this.input.value = "";
      this.uploads = [];
      this.renderFiles();
      this.autosize();
      this.showError(null);
      this.deps.refresh();
    } catch (err) {
      this.showError(err.message);
    } finally {
      this.busy(false);
    }
  }

  /** Disable the send button while a request runs. */
  busy(on) {
    this.sendBtn.disabled = on;
    this.sendBtn.textContent = on ? "Sending…" : "Send";
    this.el.setAttribute("aria-busy", on ? "true" : "false");
  }

  /** Grow the textarea with its text (up to a limit). */
  autosize() {
    this.input.style.height = "auto";
    this.input.style.height = Math.min(this.input.scrollHeight, 200) + "px";
  }

  // --- command completion -----------------------------------------------------------------

  /** Typing: show the commands matching "/..." at the start of the box. */
  onInput() {
    this.autosize();
    this.showError(null);
    const text = this.input.value;
    if (!text.startsWith("/") || text.includes("\n")) return this.closeList();
    const parsed = parseCommandLine(text, this.deps.commands());
    const matches = parsed ? [parsed.command] : matchCommands(this.deps.commands(), text.slice(1));
    this.openList(matches);
  }

  /** Show the completion list. */
  openList(matches) {
    this.matches = matches;
    this.active = matches.length ? 0 : -1;
    clear(this.list);
    if (!matches.length) {
      this.list.appendChild(h("li", { class: "command-empty", role: "presentation", text: "No matching command" }));
    }
    matches.forEach((cmd, i) => {
      const item = h("li", {
        id: `cmd-opt-${i}`, role: "option", class: "command-option", "aria-selected": "false",
        "data-testid": "command-option", dataset: { path: cmd.path },
      }, h("span", { class: "cmd-name", text: "/" + cmd.path }), h("span", { class: "cmd-desc", text: cmd.description }));
      item.addEventListener("mousedown", (e) => e.preventDefault());
      item.addEventListener("click", () => this.choose(i));
      this.list.appendChild(item);
    });
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.highlight();
  }

  /** Hide the completion list. */
  closeList() {
    this.list.hidden = true;
    this.matches = [];
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }

  /** Mark the active item for screen readers and scroll it into view. */
  highlight() {
    [...this.list.querySelectorAll("[role=option]")].forEach((li, i) => {
      li.setAttribute("aria-selected", i === this.active ? "true" : "false");
      if (i === this.active) li.scrollIntoView({ block: "nearest" });
    });
    if (this.active >= 0) this.input.setAttribute("aria-activedescendant", `cmd-opt-${this.active}`);
    else this.input.removeAttribute("aria-activedescendant");
  }

  /** Keys in the message box: arrows move in the list, Enter/Tab choose or send, Esc closes. */
  onKey(e) {
    const listOpen = !this.list.hidden && this.matches.length;
    if (listOpen && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      e.preventDefault();
      const n = this.matches.length;
      this.active = (this.active + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
      this.highlight();
    } else if (listOpen && e.key === "Tab" && !e.shiftKey) {
      e.preventDefault();
      this.choose(this.active);
    } else if (e.key === "Escape" && !this.list.hidden) {
      e.preventDefault();
      this.closeList();
    } else if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      const parsed = this.input.value.startsWith("/") ? parseCommandLine(this.input.value, this.deps.commands()) : null;
      if (listOpen && !(parsed && parsed.rest)) this.choose(this.active);
      else this.el.requestSubmit();
    }
  }

  /** Pick the i-th listed command (keeps values typed after its name). */
  choose(i) {
    const cmd = this.matches[i];
    if (!cmd) return;
    const parsed = parseCommandLine(this.input.value, [cmd]);
    this.enterCommand(cmd, parsed ? parsed.values : {});
  }

  // --- command options form ---------------------------------------------------------------

  /** Prefill a command by path (the tour's "fill the box for me"). False when not available. */
  prefill(path, values = {}) {
    const cmd = this.deps.commands().find((c) => c.path === path);
    if (!cmd) {
      this.showError(`/${path} is not available to this member here; switch member or channel.`);
      return false;
    }
    this.enterCommand(cmd, values);
    return true;
  }

  /** Show the option fields of a command, filled with `values` (raw texts or ids). */
  enterCommand(cmd, values = {}) {
    this.closeList();
    this.current = cmd;
    this.fields.clear();
    this.input.value = "";
    this.input.hidden = true;
    this.input.disabled = false;
    this.attachBtn.hidden = true;
    clear(this.chip);
    this.chip.append(
      h("span", { class: "chip-name", "data-testid": "command-chip", text: "/" + cmd.path }),
      h("button", { type: "button", class: "icon-btn", "aria-label": "Cancel command", "data-testid": "command-cancel", text: "×", onclick: () => this.exitCommand(true) })
    );
    this.chip.hidden = false;
    clear(this.form);
    this.form.setAttribute("aria-label", `Options of /${cmd.path}`);
    this.form.appendChild(h("div", { class: "command-form-head" },
      h("strong", { text: "/" + cmd.path }), " ", h("span", { class: "muted", text: cmd.description })));
    const required = cmd.options.filter((o) => o.required);
    const optional = cmd.options.filter((o) => !o.required);
    if (!cmd.options.length) this.form.appendChild(h("p", { class: "muted", text: "No options. Press Enter or Send to run it." }));
    if (required.length) this.form.appendChild(h("div", { class: "opt-group" }, required.map((o) => this.field(o, values[o.name]))));
    if (optional.length) {
      this.form.appendChild(h("div", { class: "opt-group-title", text: "Optional" }));
      this.form.appendChild(h("div", { class: "opt-group" }, optional.map((o) => this.field(o, values[o.name]))));
    }
    this.form.hidden = false;
    this.showError(null);
    this.hint.textContent = "Enter to run · Esc to cancel";
    // Focus the first empty required field, else the send button.
    const empty = cmd.options.find((o) => o.required && !this.rawValue(o.name));
    (empty ? this.fields.get(empty.name).control : this.sendBtn).focus();
  }

  /** Leave command mode (back to the plain message box). */
  exitCommand(focus) {
    this.current = null;
    this.fields.clear();
    clear(this.form);
    this.form.hidden = true;
    this.chip.hidden = true;
    this.input.hidden = false;
    this.attachBtn.hidden = false;
    this.hint.textContent = "Enter to send · Shift+Enter for a new line · / for commands";
    this.showError(null);
    if (focus) this.input.focus();
  }

  /** One option's labelled field, with its description and error line. */
  field(option, initial) {
    const id = `opt-${option.name}-${++uid}`;
    const desc = h("div", { class: "opt-desc", id: id + "-desc", text: option.description || "" });
    const err = h("div", { class: "opt-error", id: id + "-err", "data-testid": "option-error", hidden: true });
    const control = this.control(option, id, initial);
    control.id = id;
    control.dataset.testid = "option-" + option.name;
    control.dataset.option = option.name;
    control.setAttribute("aria-describedby", `${id}-desc ${id}-err`);
    if (option.required) control.setAttribute("aria-required", "true");
    control.addEventListener("keydown", (e) => this.fieldKey(e, option));
    const wrap = h("div", { class: "opt-field", dataset: { option: option.name } },
      h("label", { for: id },
        h("span", { class: "opt-name", text: option.name }),
        option.required ? h("span", { class: "req", "aria-label": "required", text: " *" }) : null,
        h("span", { class: "opt-type", text: ` (${TYPE_NAMES[option.type] || "value"})` })),
      desc, control, err);
    const entry = { option, control, err, wrap, ac: null };
    this.fields.set(option.name, entry);
    if (option.autocomplete && !option.choices?.length) {
      entry.ac = new Autocomplete(control, option.name, (text) => this.suggest(entry, text),
        () => this.fieldError(entry, null), (text) => this.fieldError(entry, text));
    }
    if (initial !== undefined && initial !== null && option.type !== 11) this.setInitial(entry, initial);
    return wrap;
  }

  /** The input element for an option type. */
  control(option, id, initial) {
    const select = (items, placeholder) => {
      const s = h("select", { class: "opt-input" });
      s.appendChild(h("option", { value: "", text: placeholder }));
      for (const it of items) s.appendChild(h("option", { value: String(it.value), text: it.label }));
      return s;
    };
    if (option.choices?.length) {
      return select(option.choices.map((c) => ({ value: c.value, label: c.name })), option.required ? "Choose…" : "(none)");
    }
    switch (option.type) {
      case 5:
        return select([{ value: "true", label: "True" }, { value: "false", label: "False" }], option.required ? "Choose…" : "(default)");
      case 6:
        return select(this.deps.members().map((m) => ({ value: m.id, label: "@" + nameOf(m) })), "Choose a member…");
      case 8:
        return select(this.deps.roles().map((r) => ({ value: r.id, label: "@" + r.name })), "Choose a role…");
      case 9:
        return select([...this.deps.members().map((m) => ({ value: m.id, label: "@" + nameOf(m) })), ...this.deps.roles().map((r) => ({ value: r.id, label: "@" + r.name }))], "Choose…");
      case 7: {
        const types = option.channel_types;
        const chans = this.deps.channels().filter((c) => (types?.length ? types.includes(c.type) : c.type !== 4));
        return select(chans.map((c) => ({ value: c.id, label: "#" + c.name })), "Choose a channel…");
      }
      case 11:
        return h("input", { type: "file", class: "opt-input", accept: option.name.includes("photo") ? "image/*" : null });
      case 4:
      case 10:
        return h("input", { type: "text", class: "opt-input", inputmode: option.type === 4 ? "numeric" : "decimal", autocomplete: "off" });
      default:
        return h("input", { type: "text", class: "opt-input", autocomplete: "off", spellcheck: "true" });
    }
  }

  /** Put a prefilled value into a field (a choice name or value, an id, or a text). */
  setInitial(entry, value) {
    const c = entry.control;
    if (c.tagName === "SELECT") {
      const text = String(value).toLowerCase();
      const opt = [...c.options].find((o) => o.value === String(value))
        || [...c.options].find((o) => o.value && o.textContent.replace(/^[@#]/, "").toLowerCase() === text.replace(/^[@#]/, ""));
      if (opt) c.value = opt.value;
    } else {
      c.value = String(value);
    }
  }

  /** Keys inside an option field: Enter runs, Esc cancels (or closes the autocomplete list). */
  fieldKey(e, option) {
    const entry = this.fields.get(option.name);
    if (entry.ac?.handleKey(e)) return;
    if (e.key === "Escape") {
      e.preventDefault();
      this.exitCommand(true);
      return;
    }
    if (e.key === "Enter" && e.target.tagName !== "TEXTAREA") {
      e.preventDefault();
      this.submitCommand();
    }
  }

  /** Ask the bot for choices for a field, sending the other options filled so far. */
  async suggest(entry, text) {
    const channel = this.deps.channel();
    if (!channel || !this.current) return [];
    const others = {};
    for (const [name, f] of this.fields) {
      if (f === entry || f.option.type === 11) continue;
      const raw = this.rawValue(name);
      if (raw !== undefined && raw !== "") others[name] = raw;
    }
    return (await api.autocomplete(channel.id, this.current.path, others, entry.option.name, text)).choices;
  }

  // --- running ----------------------------------------------------------------------------

  /** The raw value of a field (picked suggestion value, selected id, typed text). */
  rawValue(name) {
    const f = this.fields.get(name);
    if (!f) return undefined;
    if (f.ac) return f.ac.value();
    if (f.option.type === 11) return f.control.files?.[0];
    return f.control.value;
  }

  /** Show or clear a field's error. */
  fieldError(entry, text) {
    entry.err.textContent = text || "";
    entry.err.hidden = !text;
    if (text) entry.control.setAttribute("aria-invalid", "true");
    else entry.control.removeAttribute("aria-invalid");
  }

  /** Check every field, upload files, run the command, open a form or show the bot's problem. */
  async submitCommand() {
    const cmd = this.current;
    const channel = this.deps.channel();
    if (!cmd || !channel) return;
    const values = {};
    const files = {};
    let firstBad = null;
    for (const [name, f] of this.fields) {
      const raw = this.rawValue(name);
      const result = f.option.type === 11
        ? (raw ? { value: raw } : f.option.required ? { error: `${name}: choose a file.` } : { value: undefined })
        : f.ac?.isPicked() ? { value: raw } : convertOption(f.option, raw);
      this.fieldError(f, result.error);
      if (result.error && !firstBad) firstBad = f;
      else if (result.value !== undefined) (f.option.type === 11 ? files : values)[name] = result.value;
    }
    if (firstBad) {
      this.showError(firstBad.err.textContent);
      firstBad.control.focus();
      return;
    }
    this.busy(true);
    try {
      for (const [name, file] of Object.entries(files)) values[name] = (await api.upload(file)).id;
      const res = await api.runCommand(channel.id, cmd.path, values);
      const it = res.interaction;
      this.exitCommand(!it?.modal);
      const problem = interactionProblem(it);
      if (problem) this.showError(`/${cmd.path}: ${problem}`);
      if (it?.modal) this.deps.openModal(it.modal);
      this.deps.refresh();
    } catch (err) {
      this.showError(`/${cmd.path}: ${err.message}`);
    } finally {
      this.busy(false);
    }
  }
}
