// Building pages from the DOM (never from HTML strings, so nothing the API returns can run as markup),
// and forms whose every field has a label and shows the API's problem next to the field it names.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function show(title, ...content) {
  document.title = `${title} · Printbridge console`;
  const main = document.getElementById("main");
  main.replaceChildren(h("h1", {}, title), ...content.flat(Infinity).filter((part) => part !== null && part !== undefined && part !== false));
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

let fieldIds = 0;

// One labelled field. `name` is the request field it sends ("admin.email" for a nested one).
export function field(label, name, { type = "text", value = "", required = false, hint, ...extra } = {}) {
  const id = `field-${++fieldIds}`;
  if (type === "checkbox") {
    return h(
      "div",
      { class: "check" },
      h("input", { id, name, type, checked: Boolean(value), ...extra }),
      h("label", { for: id }, label),
    );
  }
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    hint ? h("p", { class: "muted", id: `${id}-hint` }, hint) : null,
    h("input", {
      id,
      name,
      type,
      value: value ?? "",
      required,
      "aria-describedby": hint ? `${id}-hint` : undefined,
      ...extra,
    }),
  );
}

// A labelled choice; `options` are [value, text] pairs.
export function choice(label, name, options, { value = "", onchange } = {}) {
  const id = `field-${++fieldIds}`;
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h(
      "select",
      { id, name, onchange },
      options.map(([optionValue, text]) => h("option", { value: optionValue, selected: optionValue === value }, text)),
    ),
  );
}

// A button that runs `action` and shows what the API refused next to it.
export function action(text, run, { secondary = true } = {}) {
  const button = h("button", { type: "button", class: secondary ? "secondary" : undefined }, text);
  button.addEventListener("click", async () => {
    button.disabled = true;
    button.parentElement?.querySelector(`.alert[data-for="${CSS.escape(text)}"]`)?.remove();
    try {
      await run();
    } catch (error) {
      button.insertAdjacentElement("afterend", h("p", { class: "alert", role: "alert", "data-for": text }, error.message));
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

// A labelled group of boxes to tick, each sending its value in the list `name` (see `values`);
// `options` are [value, text] pairs. The fieldset carries the name too, so the API's problem with the
// list (or one of its items) is shown beside the group, which takes the focus.
export function picks(label, name, options, { selected = [], empty = "Nothing to choose from yet." } = {}) {
  return h(
    "fieldset",
    { name, tabindex: "-1" },
    h("legend", {}, label),
    options.length ? null : h("p", { class: "muted" }, empty),
    options.map(([value, text]) => {
      const id = `field-${++fieldIds}`;
      return h(
        "div",
        { class: "check" },
        h("input", { id, name, type: "checkbox", value, checked: selected.includes(value), "data-pick": "" }),
        h("label", { for: id }, text),
      );
    }),
  );
}

// The form's values by field name ("admin.email" nested); a group of `picks` gives the list of the
// values ticked.
export function values(form) {
  const found = {};
  const at = (name) => {
    let target = found;
    const path = name.split(".");
    for (const part of path.slice(0, -1)) target = target[part] ??= {};
    return [target, path.at(-1)];
  };
  for (const group of form.querySelectorAll("fieldset[name]")) {
    const [target, last] = at(group.name);
    target[last] = [];
  }
  for (const input of form.querySelectorAll("input[name], select[name], textarea[name]")) {
    const [target, last] = at(input.name);
    if (input.dataset.pick === undefined) target[last] = input.type === "checkbox" ? input.checked : input.value.trim();
    else if (input.checked) target[last].push(input.value);
  }
  return found;
}

export function clearErrors(form) {
  for (const node of form.querySelectorAll(".field-error, .alert")) node.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    input.setAttribute("aria-describedby", (input.getAttribute("aria-describedby") || "").replace(/\S+-error/g, "").trim());
  }
}

// The field a problem's location names, or the field of its nearest parent: a list sent from one field
// ("conditions.countries") takes the problems of its items ("conditions.countries.0").
function nearest(form, name) {
  const parts = name.split(".");
  for (let length = parts.length; length > 0; length--) {
    const input = form.querySelector(`[name="${CSS.escape(parts.slice(0, length).join("."))}"]`);
    if (input) return input;
  }
  return null;
}

// The API's problem beside the fields it names; what names no field of the form goes on top.
export function showErrors(form, error) {
  clearErrors(form);
  const unplaced = [];
  for (const [name, message] of Object.entries(error.fields || {})) {
    const input = nearest(form, name);
    if (!input) {
      unplaced.push(`${name}: ${message}`);
      continue;
    }
    const id = `${input.id}-error`;
    const shown = form.querySelector(`#${CSS.escape(id)}`);
    if (shown) {
      shown.append(` ${message}`);
      continue;
    }
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${id}`.trim());
    input.insertAdjacentElement("afterend", h("p", { class: "field-error", id }, message));
  }
  const summary = unplaced.length || !Object.keys(error.fields || {}).length ? [error.message, ...unplaced] : [];
  if (summary.length) form.prepend(h("div", { class: "alert", role: "alert" }, summary.join(" ")));
  const first = form.querySelector("[aria-invalid='true']");
  if (first) first.focus();
}

// A form that sends `submit(values)` and shows what the API refused; the button says what it does.
export function form(label, fields, submit, { button = label } = {}) {
  const element = h("form", { "aria-label": label, novalidate: true }, ...fields, h("button", { type: "submit" }, button));
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    const sending = element.querySelector("button[type=submit]");
    sending.disabled = true;
    try {
      clearErrors(element);
      await submit(values(element), element);
    } catch (error) {
      showErrors(element, error);
    } finally {
      sending.disabled = false;
    }
  });
  return element;
}

export function table(headings, rows) {
  return h(
    "table",
    {},
    h("thead", {}, h("tr", {}, headings.map((heading) => h("th", { scope: "col" }, heading)))),
    h("tbody", {}, rows),
  );
}

export function when(timestamp) {
  return timestamp ? new Date(timestamp).toLocaleString() : "—";
}
