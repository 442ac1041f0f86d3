"""Initiative: os1 reaching out on its own, each time with a reason it can state.

Today that is follow-ups on what the user said ("Ana's wedding is on Saturday" -> after Saturday,
"How was Ana's wedding?"). Reading the words, planning and the rules that hold a proposal back are
code, never the model, so they work the same on the bundled model and on a capable one."""
