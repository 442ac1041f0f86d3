// A held action, as the guard sent it (a `confirm` event, from the chat socket or the agents
// socket): what it would do, shown whole, why it waits, and the buttons that answer. A value
// that did not come from the person is approved only by typing it back. With `allowance` (a
// conversation with another agent), a third button lets that agent receive the kind of thing
// chosen beside it (the event's `kinds`: my questions, my opinions, facts about me) for the rest
// of this conversation only.

/**
 * @param {{action_id: number, tool: string, preview?: string, reasons?: string[], foreign?: object, kinds?: object, allowed?: string}} event
 * @param {(answer: "yes" | "no" | "all", typed: string, kind: string) => void} answer called once, on a click
 * @param {string} allowance the "all" button's words, or "" for none
 */
export function heldCard(event, answer, allowance = "") {
  const card = document.createElement("li");
  card.className = "msg held";
  card.dataset.actionId = String(event.action_id ?? "");
  const title = document.createElement("p");
  title.className = "text";
  title.textContent = event.preview || `May I use ${event.tool}?`;
  card.append(title);
  for (const reason of event.reasons || []) {
    const why = document.createElement("p");
    why.className = "why";
    why.textContent = reason;
    card.append(why);
  }
  const row = document.createElement("div");
  row.className = "row";
  const foreign = Object.keys(event.foreign || {});
  let typed = null;
  if (foreign.length) {
    const hint = document.createElement("p");
    hint.className = "why";
    hint.textContent = `${foreign.join(" and ")} did not come from you: type it exactly as shown to approve.`;
    card.append(hint);
    typed = document.createElement("input");
    typed.type = "text";
    typed.autocomplete = "off";
    typed.setAttribute("aria-label", `Type the ${foreign.join(" and ")} to approve`);
    typed.placeholder = foreign.join(", ");
    row.append(typed);
  }
  let kind = null; // what the allowance lets the agent receive
  if (allowance && event.kinds) {
    kind = document.createElement("select");
    kind.className = "allowance-kind";
    kind.setAttribute("aria-label", "What it may receive for this conversation");
    for (const [value, words] of Object.entries(event.kinds)) kind.append(new Option(words, value));
    kind.value = event.allowed || "questions";
  }
  const buttons = [["yes", "Yes, go ahead", "primary"]];
  if (allowance) buttons.push(["all", allowance, "ghost"]);
  if (kind) row.append(kind);
  buttons.push(["no", "No", "ghost"]);
  for (const [verdict, text, style] of buttons) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = style;
    button.dataset.answer = verdict;
    button.textContent = text;
    button.addEventListener("click", () => {
      for (const b of row.querySelectorAll("button, select")) b.disabled = true;
      card.dataset.answer = verdict;
      answer(verdict, typed && verdict !== "no" ? typed.value.trim() : "", kind ? kind.value : "");
    });
    row.append(button);
  }
  card.append(row);
  return card;
}
