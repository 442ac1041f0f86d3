"""Answering LoCoMo questions from os1's retrieved memories with a configured model, scored by
token F1 (SQuAD-style normalisation: lower case, no punctuation or articles; the official scorer
also Porter-stems, so its figures run slightly higher) and, when a judge model is given, by an
LLM judge's CORRECT/WRONG verdict."""

from __future__ import annotations

import re
import string
from collections import Counter
from datetime import UTC, datetime

from os1.llm.base import ChatModel, complete
from os1.memory.base import Hit
from os1.types import Message, Options

ANSWER_PROMPT = (
    "You answer questions about a long conversation between two people, using only the memories"
    " below (each with the date it was said). Answer in a few words. For 'when' questions give a"
    " date, computed from the memory's date when it says 'yesterday' or 'last week'."
)
JUDGE_PROMPT = (
    "You grade answers. Given a question, the gold answer and a generated answer, reply CORRECT"
    " if the generated answer means the same as the gold answer (generous about wording and date"
    " formats), otherwise WRONG. Reply with one word."
)


def normalise(text: str) -> list[str]:
    text = text.lower()
    text = "".join(ch for ch in text if ch not in string.punctuation)
    text = re.sub(r"\b(a|an|the|and)\b", " ", text)
    return text.split()


def token_f1(prediction: str, gold: str) -> float:
    pred, want = normalise(prediction), normalise(gold)
    common = sum((Counter(pred) & Counter(want)).values())
    if not pred or not want or common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(want)
    return 2 * precision * recall / (precision + recall)


def score(prediction: str, gold: str, category: int) -> float:
    """Category 1 (multi-hop) answers list several parts: the mean of each part's best F1."""
    if category == 1 and "," in gold:
        parts = [p for p in gold.split(",") if p.strip()]
        guesses = [g for g in prediction.split(",") if g.strip()] or [prediction]
        return sum(max(token_f1(g, p) for g in guesses) for p in parts) / len(parts)
    if category == 3:
        gold = gold.split(";")[0]
    return token_f1(prediction, gold)


def memory_lines(hits: list[Hit]) -> str:
    lines = []
    for hit in sorted(hits, key=lambda h: h.item.created_at):
        when = datetime.fromtimestamp(hit.item.created_at, UTC).strftime("%d %B %Y")
        lines.append(f"[{when}] {hit.item.text}")
    return "\n".join(lines)


async def answer(model: ChatModel, question: str, hits: list[Hit]) -> str:
    messages = [Message("system", ANSWER_PROMPT),
                Message("user", f"Memories:\n{memory_lines(hits)}\n\nQuestion: {question}\nAnswer:")]
    text, _ = await complete(model, messages, options=Options(max_tokens=40, temperature=0.0))
    return text.strip().split("\n")[0]


async def judge(model: ChatModel, question: str, gold: str, prediction: str) -> bool:
    messages = [Message("system", JUDGE_PROMPT),
                Message("user", f"Question: {question}\nGold answer: {gold}\n"
                                f"Generated answer: {prediction}\nVerdict:")]
    text, _ = await complete(model, messages, options=Options(max_tokens=4, temperature=0.0))
    return text.strip().upper().startswith("CORRECT")
