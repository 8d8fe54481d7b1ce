"""Writes the text of demo courses and lessons: titles, descriptions and markdown content.

Lesson content is rendered with the lesson routes' own `render_markdown`, one markdown block
at a time: blocks separated by a blank line render independently. A few thousand lessons are
written from a few hundred block templates, so each template is rendered once, with stand-ins
for the subject and topic that are then replaced by the names. A name is put into rendered
HTML only when it holds nothing markdown or HTML would treat specially; any other is rendered
in full. (The tests check that every lesson's HTML is what rendering its markdown gives.)
"""

from __future__ import annotations

import random
import re

from course.curriculum.content import render_markdown
from course.demo.library import code_examples, texts
from course.demo.subject import Subject
from course.demo.texts import CLOSERS, HANDS_ON, MIDDLES, OPENERS, Texts

# Stand-ins for {s}, {t} and {T} while a template is rendered: plain letters, no markup.
_STAND_INS = {"s": "EDUDEMOXS", "t": "EDUDEMOXT", "T": "EDUDEMOXC"}
# Letters, digits, spaces and punctuation that mean nothing to markdown or HTML mid-line.
_PLAIN = re.compile(r"(?:[^\W_]|[ ,.'/+#()\-])+")


def texts_for(subject: Subject) -> Texts:
    return texts("ru" if subject.language == "ru" else "en")


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def in_prose(items: list[str], texts: Texts) -> str:
    left, right = texts.quote
    quoted = [f"{left}{item}{right}" for item in items]
    if len(quoted) == 1:
        return quoted[0]
    return f"{', '.join(quoted[:-1])} {texts.conjunction} {quoted[-1]}"


def course_title(subject: Subject, level: str, rng: random.Random) -> str:
    if subject.titles is not None:
        return subject.titles[("beginner", "intermediate", "advanced").index(level)]
    patterns = texts("en").course_titles[level]
    if " for " in subject.name:  # not "Statistics for Data Science for Beginners"
        patterns = tuple(p for p in patterns if " for " not in p)
    return rng.choice(patterns).format(s=subject.name)


def course_description(subject: Subject, level: str, topics: list[str], rng: random.Random) -> str:
    texts = texts_for(subject)
    topic_list = in_prose(topics, texts)
    return f"{subject.about} {rng.choice(texts.descriptions[level]).format(topics=topic_list)}"


def lesson_kinds(count: int, rng: random.Random) -> list[str]:
    """An opener, middle lessons in teaching order, a closer."""
    middle = sorted(rng.sample(MIDDLES, count - 2), key=MIDDLES.index)
    return [rng.choice(OPENERS), *middle, rng.choice(CLOSERS)]


def lesson_title(subject: Subject, kind: str, topic: str) -> str:
    return texts_for(subject).lesson_titles[kind].format(t=topic, T=capitalised(topic))


class LessonWriter:
    """Markdown for lessons and its rendered HTML; remembers the templates it has rendered."""

    def __init__(self) -> None:
        self._rendered: dict[str, str] = {}

    def _render(self, markdown: str) -> str:
        html = self._rendered.get(markdown)
        if html is None:
            html = self._rendered[markdown] = render_markdown(markdown)
        return html

    def _block(self, template: str, values: dict[str, str], plain: bool) -> tuple[str, str]:
        """(markdown, html) of one block, `template` filled with `values` (`plain` if they
        all are)."""
        markdown = template.format(**values) + "\n"
        if not plain:
            return markdown, render_markdown(markdown)
        html = self._render(template.format(**_STAND_INS) + "\n")
        for key, stand_in in _STAND_INS.items():
            html = html.replace(stand_in, values[key])
        return markdown, html

    def lesson(
        self, subject: Subject, level: str, kind: str, topic: str, rng: random.Random
    ) -> tuple[str, str]:
        """(markdown, html) of one lesson."""
        texts = texts_for(subject)
        intro = rng.choice(texts.intros[kind])
        if kind in OPENERS:
            intro += " " + texts.level_notes[level]
        templates = [intro]
        tips = texts.tips[subject.category]
        picked = sorted(rng.sample(range(len(tips)), 3))
        ideas = "\n".join(f"- {_literal(tips[i])}" for i in picked)
        heading = texts.headings["recap" if kind in CLOSERS else "ideas"]
        templates.append(f"### {heading}\n\n{ideas}")
        if kind in HANDS_ON:
            templates.append(self._example(subject, texts, rng))
        exercise = rng.choice(texts.exercises["code" if subject.code else "text"])
        templates.append(f"### {texts.headings['exercise']}\n\n{exercise}")
        values = {"s": subject.name, "t": topic, "T": capitalised(topic)}
        plain = all(_PLAIN.fullmatch(v) for v in values.values())
        blocks = [self._block(template, values, plain) for template in templates]
        return "\n".join(md for md, _ in blocks), "".join(html for _, html in blocks)

    def _example(self, subject: Subject, texts: Texts, rng: random.Random) -> str:
        if subject.code is not None:
            fence, examples = code_examples()[subject.code]
            return f"```{fence}\n{_literal(rng.choice(examples))}\n```"
        steps = texts.steps[subject.category]
        picked = sorted(rng.sample(range(len(steps)), 3))
        return f"### {texts.headings['example']}\n\n" + "\n".join(
            f"{n}. {steps[i]}" for n, i in enumerate(picked, start=1)
        )


def _literal(text: str) -> str:
    """Text put into a template as it is (braces in code examples are not placeholders)."""
    return text.replace("{", "{{").replace("}", "}}")
