// Every visible text and control on the page whose contrast with what is behind it is below
// WCAG AA (4.5:1; 3:1 for large text), computed from the rendered styles. What is behind an
// element is the first solid background among it and its ancestors, semi-transparent ones laid
// over it; where only the page's gradient is behind, its lightest stop (#fbe4d8) and darkest
// (#f6d0c4) are both checked. Disabled controls are exempt, as WCAG exempts them. The page is
// judged at rest: transitions and finite animations under way (a button fading to its idle
// colour) are waited for first, so a colour caught mid-fade is never the one judged.
async () => {
  const moving = document.getAnimations().filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
  await Promise.all(moving.map((a) => a.finished.catch(() => null)));
  const parse = (c) => { const m = c.match(/[\d.]+/g) || [0, 0, 0, 0]; return [+m[0], +m[1], +m[2], m[3] === undefined ? 1 : +m[3]]; };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
  const lum = (c) => { const v = c.slice(0, 3).map((x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; }); return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const behind = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const bg = parse(getComputedStyle(node).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] >= 1) break;
    }
    const base = layers.length && layers[layers.length - 1][3] >= 1 ? [layers.pop()] : [[251, 228, 216, 1], [246, 208, 196, 1]];
    return base.map((b) => layers.reduceRight((acc, layer) => over(layer, acc), b));
  };
  const failures = [];
  for (const el of document.querySelectorAll("body *")) {
    const style = getComputedStyle(el);
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const control = el.matches("button, input, select, textarea, a");
    if (!own && !control) continue;
    if (el.disabled || !el.getClientRects().length || style.visibility === "hidden") continue;
    if (el.closest("[hidden], .visually-hidden, [aria-hidden=true]")) continue;
    let opacity = 1;
    for (let node = el; node; node = node.parentElement) opacity *= +getComputedStyle(node).opacity;
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && +style.fontWeight >= 700);
    const need = large ? 3 : 4.5;
    for (const bg of behind(el)) {
      const fg = over([...parse(style.color).slice(0, 3), parse(style.color)[3] * opacity], bg);
      const r = ratio(fg, bg);
      if (r < need) { failures.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} "${(el.textContent || el.placeholder || "").trim().slice(0, 30)}" ${r.toFixed(2)}:1`); break; }
    }
  }
  return failures;
}
