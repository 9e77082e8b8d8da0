// The bot's modals as forms in a <dialog>: text inputs, selects, radio groups, checkboxes,
// checkbox groups, file uploads and text displays; checked here, then submitted to the API.
import { api, interactionProblem } from "./api.js";
import { clear, h } from "./dom.js";
import { render as markdown } from "./markdown.js";
import { mdContext, nameOf, selectOptions } from "./render.js";

let uid = 0;

/** One open form at a time. deps: {ctx() (render context), refresh(), notify(text), botName()} */
export class ModalHost {
  constructor(deps) {
    this.deps = deps;
    this.modal = null;
    this.fields = [];
    this.handled = new Set();
    this.dialog = h("dialog", { class: "modal", "data-testid": "modal", "aria-labelledby": "modal-title", "aria-describedby": "modal-app" });
    document.body.appendChild(this.dialog);
    // Esc (the dialog's cancel event) closes the form as "dismissed".
    this.dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      this.dismiss();
    });
  }

  /** Whether a form is shown. */
  get isOpen() {
    return Boolean(this.modal);
  }

  /** Show the newest open form of the viewer, if none is shown (after a live change). */
  sync(modals) {
    const open = modals.filter((m) => !this.handled.has(m.interaction_id));
    if (this.modal && !modals.some((m) => m.interaction_id === this.modal.interaction_id)) this.close();
    if (!this.modal && open.length) this.open(open[open.length - 1]);
  }

  /** Close without telling the API (e.g. another member was picked; the form stays theirs). */
  close() {
    this.modal = null;
    this.fields = [];
    if (this.dialog.open) this.dialog.close();
    this.deps.onClosed?.();
  }

  /** Build and show a form. */
  open(modal) {
    if (this.modal?.interaction_id === modal.interaction_id) return;
    this.modal = modal;
    this.fields = [];
    const d = this.dialog;
    clear(d);
    const md = mdContext(this.deps.ctx());
    const body = h("div", { class: "modal-body" });
    for (const comp of modal.components || []) {
      const node = this.component(comp, md);
      if (node) body.appendChild(node);
    }
    this.error = h("div", { class: "modal-error", role: "alert", "data-testid": "modal-error", hidden: true });
    this.submitBtn = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "modal-submit", text: "Submit" });
    const form = h("form", { class: "modal-form", novalidate: true },
      h("header", { class: "modal-head" },
        h("div", { class: "modal-app", id: "modal-app", text: this.deps.botName?.() || "climabot" }),
        h("h2", { id: "modal-title", class: "modal-title", "data-testid": "modal-title", text: modal.title || "Form" }),
        h("button", { type: "button", class: "icon-btn modal-x", "aria-label": "Close form", text: "×", onclick: () => this.dismiss() })),
      body, this.error,
      h("footer", { class: "modal-foot" },
        h("button", { type: "button", class: "btn btn-secondary linkish-btn", "data-testid": "modal-cancel", text: "Cancel", onclick: () => this.dismiss() }),
        this.submitBtn));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    d.appendChild(form);
    if (!d.open) d.showModal();
    const first = d.querySelector("input:not([type=hidden]), textarea, select");
    (first || this.submitBtn).focus();
  }

  /** A top-level modal component: action row (legacy text input), label, or text display. */
  component(comp, md) {
    if (comp.type === 1) return h("div", {}, (comp.components || []).map((c) => this.field(c, c.label || c.custom_id, null, md)));
    if (comp.type === 18) return this.field(comp.component, comp.label, comp.description, md);
    if (comp.type === 10) return h("div", { class: "modal-text" }, markdown(comp.content || "", md));
    return null;
  }

  /** One labelled field of any supported kind. */
  field(c, label, description, md) {
    if (!c) return null;
    const id = `mf-${++uid}`;
    const required = c.required ?? (c.type === 23 ? false : true);
    const desc = description ? h("div", { class: "field-desc", id: id + "-desc", text: description }) : null;
    const err = h("div", { class: "field-error", id: id + "-err", "data-testid": "field-error", hidden: true });
    const describedBy = `${desc ? id + "-desc " : ""}${id}-err`;
    const star = required && c.type !== 23 ? h("span", { class: "req", "aria-label": "required", text: " *" }) : null;
    const entry = { c, err, required, label };
    let node;
    if (c.type === 21 || c.type === 22) {
      // A group of radios or checkboxes: a fieldset whose legend is the label.
      const kind = c.type === 21 ? "radio" : "checkbox";
      const inputs = (c.options || []).map((o, i) => {
        const oid = `${id}-${i}`;
        const input = h("input", { type: kind, id: oid, name: id, value: o.value, checked: Boolean(o.default) });
        return h("div", { class: "choice" }, input,
          h("label", { for: oid }, h("span", { text: o.label }), o.description ? h("span", { class: "choice-desc", text: o.description }) : null));
      });
      node = h("fieldset", { class: "modal-field", "aria-describedby": describedBy, "data-testid": "modal-field", dataset: { customId: c.custom_id }, role: kind === "radio" ? "radiogroup" : "group" },
        h("legend", {}, label, star), desc, inputs, err);
      entry.value = () => {
        const chosen = [...node.querySelectorAll("input:checked")].map((i) => i.value);
        return kind === "radio" ? chosen[0] ?? null : chosen;
      };
      entry.focus = () => node.querySelector("input")?.focus();
    } else if (c.type === 23) {
      const input = h("input", { type: "checkbox", id, checked: Boolean(c.default), "aria-describedby": describedBy });
      node = h("div", { class: "modal-field checkbox-field", "data-testid": "modal-field", dataset: { customId: c.custom_id } },
        h("div", { class: "choice" }, input, h("label", { for: id }, label)), desc, err);
      entry.value = () => input.checked;
      entry.focus = () => input.focus();
    } else {
      const control = this.control(c, id);
      control.setAttribute("aria-describedby", describedBy);
      if (required) control.setAttribute("aria-required", "true");
      const counter = c.type === 4 && c.max_length ? h("span", { class: "counter", "aria-hidden": "true" }) : null;
      if (counter) {
        const update = () => (counter.textContent = `${control.value.length}/${c.max_length}`);
        control.addEventListener("input", update);
        update();
      }
      node = h("div", { class: "modal-field", "data-testid": "modal-field", dataset: { customId: c.custom_id } },
        h("label", { for: id, class: "field-label" }, label, star), desc, control, counter, err);
      entry.control = control;
      entry.value = () => {
        if (c.type === 4) return control.value;
        if (c.type === 19) return [...control.files];
        return [...control.selectedOptions].map((o) => o.value).filter(Boolean);
      };
      entry.focus = () => control.focus();
    }
    entry.node = node;
    this.fields.push(entry);
    return node;
  }

  /** The input for a text input, select or file upload. */
  control(c, id) {
    if (c.type === 4) {
      const attrs = { id, class: "field-input", placeholder: c.placeholder || null, value: c.value || "" };
      if (c.style === 2) {
        const t = h("textarea", { ...attrs, rows: "4", value: null });
        t.value = c.value || "";
        return t;
      }
      return h("input", { ...attrs, type: "text" });
    }
    if (c.type === 19) {
      return h("input", { id, type: "file", class: "field-input", multiple: (c.max_values ?? 1) > 1 });
    }
    const max = c.max_values ?? 1;
    const sel = h("select", { id, class: "field-input", multiple: max > 1, size: max > 1 ? "5" : null });
    if (max <= 1) sel.appendChild(h("option", { value: "", text: c.placeholder || "Make a selection" }));
    for (const o of selectOptions(c, this.deps.ctx())) {
      sel.appendChild(h("option", { value: o.value, selected: Boolean(o.default), text: o.label + (o.description ? " — " + o.description : "") }));
    }
    return sel;
  }

  /** Check a field; returns an error line or null. */
  check(entry) {
    const { c, required, label } = entry;
    const v = entry.value();
    const name = label || c.custom_id;
    if (c.type === 4) {
      if (required && !v.trim()) return `${name}: this field is required.`;
      if (v && c.min_length && v.length < c.min_length) return `${name}: at least ${c.min_length} characters (now ${v.length}).`;
      if (c.max_length && v.length > c.max_length) return `${name}: at most ${c.max_length} characters (now ${v.length}).`;
    } else if (c.type === 21) {
      if (required && !v) return `${name}: choose one.`;
    } else if (c.type === 23) {
      return null;
    } else {
      const min = c.min_values ?? (required ? 1 : 0);
      const max = c.max_values ?? (c.type === 22 ? (c.options || []).length : c.type === 19 ? 10 : 1);
      if (required && v.length === 0) return `${name}: ${c.type === 19 ? "add a file" : "choose at least one"}.`;
      if (v.length && v.length < min) return `${name}: choose at least ${min}.`;
      if (v.length > max) return `${name}: at most ${max}.`;
    }
    return null;
  }

  /** Show or clear one field's error. */
  fieldError(entry, text) {
    entry.err.textContent = text || "";
    entry.err.hidden = !text;
    const target = entry.control || entry.node;
    if (text) target.setAttribute("aria-invalid", "true");
    else target.removeAttribute("aria-invalid");
  }

  /** Check, upload files, submit; keep the form open with the reason when the API refuses. */
  async submit() {
    const modal = this.modal;
    if (!modal) return;
    let firstBad = null;
    for (const entry of this.fields) {
      const problem = this.check(entry);
      this.fieldError(entry, problem);
      if (problem && !firstBad) firstBad = entry;
    }
    if (firstBad) {
      this.showError(firstBad.err.textContent);
      firstBad.focus();
      return;
    }
    this.submitBtn.disabled = true;
    this.submitBtn.textContent = "Sending…";
    try {
      const values = {};
      for (const entry of this.fields) {
        if (!entry.c.custom_id) continue;
        let v = entry.value();
        if (entry.c.type === 19) {
          const ids = [];
          for (const file of v) ids.push((await api.upload(file)).id);
          v = ids;
        }
        values[entry.c.custom_id] = v;
      }
      const res = await api.submitModal(modal.interaction_id, values);
      this.handled.add(modal.interaction_id);
      this.close();
      const problem = interactionProblem(res.interaction);
      if (problem) this.deps.notify(problem);
      this.deps.refresh();
    } catch (err) {
      this.showError(err.message);
    } finally {
      this.submitBtn.disabled = false;
      this.submitBtn.textContent = "Submit";
    }
  }

  /** One error line at the bottom of the form. */
  showError(text) {
    this.error.textContent = text || "";
    this.error.hidden = !text;
  }

  /** The member closed the form: tell the API, then close. */
  async dismiss() {
    const modal = this.modal;
    if (!modal) return;
    this.handled.add(modal.interaction_id);
    this.close();
    try {
      await api.dismissModal(modal.interaction_id);
    } catch (err) {
      this.deps.notify(err.message);
    }
  }
}

