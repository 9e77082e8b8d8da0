// Suggestions under a text field, fetched as the person types (slash-command autocomplete):
// a listbox with arrow keys, Enter to take one, Esc to close; the choice's value is what is sent.
import { clear, h } from "./dom.js";

let uid = 0;

export class Autocomplete {
  /** control: the <input>; fetchChoices(text) -> Promise<[{name, value}]>; onPick(choice); onError(text). */
  constructor(control, name, fetchChoices, onPick, onError) {
    this.control = control;
    this.fetchChoices = fetchChoices;
    this.onPick = onPick;
    this.onError = onError;
    this.picked = null;
    this.active = -1;
    this.choices = [];
    this.seq = 0;
    this.list = h("ul", { id: `ac-${++uid}`, class: "ac-list", role: "listbox", "aria-label": `Suggestions for ${name}`, "data-testid": "autocomplete-list", hidden: true });
    control.setAttribute("role", "combobox");
    control.setAttribute("aria-autocomplete", "list");
    control.setAttribute("aria-controls", this.list.id);
    control.setAttribute("aria-expanded", "false");
    let timer = null;
    const ask = () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.fetch(), 200);
    };
    control.addEventListener("input", () => {
      this.picked = null;
      ask();
    });
    control.addEventListener("focus", ask);
    control.addEventListener("blur", () => setTimeout(() => this.close(), 150));
    control.after(this.list);
  }

  /** The value to send: the picked choice's value while its name is in the field, else the text. */
  value() {
    return this.picked && this.control.value === this.picked.name ? this.picked.value : this.control.value;
  }

  /** Whether the value is a picked choice (sent as is, not checked as typed text). */
  isPicked() {
    return Boolean(this.picked && this.control.value === this.picked.name);
  }

  /** Ask for choices for the current text; an older answer arriving late is ignored. */
  async fetch() {
    const seq = ++this.seq;
    try {
      const choices = await this.fetchChoices(this.control.value);
      if (seq === this.seq) this.show(choices || []);
    } catch (err) {
      if (seq === this.seq) this.onError(err.message);
    }
  }

  /** Show the choices under the field. */
  show(choices) {
    this.choices = choices;
    this.active = choices.length ? 0 : -1;
    clear(this.list);
    if (!choices.length) this.list.appendChild(h("li", { class: "command-empty", role: "presentation", text: "No suggestions" }));
    choices.forEach((choice, i) => {
      const li = h("li", { id: `${this.list.id}-${i}`, role: "option", class: "ac-option", "aria-selected": "false", "data-testid": "autocomplete-option", text: choice.name });
      li.addEventListener("mousedown", (e) => e.preventDefault());
      li.addEventListener("click", () => this.pick(choice));
      this.list.appendChild(li);
    });
    this.list.hidden = document.activeElement !== this.control;
    this.control.setAttribute("aria-expanded", this.list.hidden ? "false" : "true");
    if (!this.list.hidden) this.list.scrollIntoView({ block: "nearest" });
    this.highlight();
  }

  /** Mark the active suggestion. */
  highlight() {
    [...this.list.querySelectorAll("[role=option]")].forEach((li, i) => li.setAttribute("aria-selected", i === this.active ? "true" : "false"));
    if (this.active >= 0) this.control.setAttribute("aria-activedescendant", `${this.list.id}-${this.active}`);
    else this.control.removeAttribute("aria-activedescendant");
  }

  /** Take a suggestion: its name shows, its value is sent. */
  pick(choice) {
    if (!choice) return;
    this.control.value = choice.name;
    this.picked = choice;
    this.close();
    this.onPick(choice);
  }

  /** Hide the suggestions. */
  close() {
    this.list.hidden = true;
    this.control.setAttribute("aria-expanded", "false");
    this.control.removeAttribute("aria-activedescendant");
  }

  /** Handle arrows, Enter and Esc while the list is open; true when the key was used. */
  handleKey(e) {
    if (this.list.hidden) return false;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const n = this.choices.length;
      if (n) this.active = (this.active + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
      this.highlight();
      return true;
    }
    if (e.key === "Enter" && this.active >= 0) {
      e.preventDefault();
      this.pick(this.choices[this.active]);
      return true;
    }
    if (e.key === "Escape") {
      e.preventDefault();
      this.close();
      return true;
    }
    return false;
  }
}
