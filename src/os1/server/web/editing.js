// A text edited in place in its list item (a memory, a journal entry): a labelled field with
// Cancel and Save takes the place of the shown text. `save(text)` stores it and returns the text
// to show; an error is one notice and the field stays, with what was typed.

/** Edit `text` in `item` (its `.text` is what is shown, its `.actions` what comes after). */
export function editInPlace(item, { id, label, text, save, notify }) {
  if (item.querySelector("form")) return;
  const shown = item.querySelector(".text");
  const form = document.createElement("form");
  form.className = "edit-form";
  const name = document.createElement("label");
  name.htmlFor = id;
  name.className = "visually-hidden";
  name.textContent = label;
  const field = document.createElement("textarea");
  field.id = id;
  field.value = text;
  field.rows = 3;
  field.required = true;
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "ghost small cancel";
  cancel.textContent = "Cancel";
  cancel.setAttribute("aria-label", "Cancel the edit");
  const submit = document.createElement("button");
  submit.type = "submit";
  submit.className = "primary small";
  submit.textContent = "Save";
  const row = document.createElement("div");
  row.className = "row";
  row.append(cancel, submit);
  form.append(name, field, row);
  const close = () => {
    form.remove();
    shown.hidden = false;
    item.querySelector(".edit").focus();
  };
  cancel.addEventListener("click", close);
  shown.hidden = true;
  item.querySelector(".actions").before(form);
  field.focus();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const typed = field.value.trim();
    if (!typed) return;
    submit.disabled = true;
    try {
      shown.textContent = await save(typed);
    } catch (error) {
      notify(error.message);
      submit.disabled = false;
      return;
    }
    close();
  });
}
