# ruff: noqa: RUF001 - Russian text is Cyrillic on purpose
"""Generated catalog text: English and Russian courses whose titles and descriptions look like
real ones, with a few very common words, a long tail and rare ones. The search benchmark and
the seeder both draw their courses from it.

Deterministic for a given seed, so two runs measure the same catalog.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# (topic, weight): a few topics are very common, most are not, some are rare.
EN_TOPICS = [
    ("Python", 40), ("JavaScript", 25), ("Machine Learning", 20), ("Data Analysis", 18),
    ("SQL", 15), ("Web Development", 15), ("Java", 12), ("React", 12), ("Excel", 10),
    ("Statistics", 10), ("Docker", 8), ("Kubernetes", 8), ("TypeScript", 8), ("Go", 6),
    ("Rust", 6), ("Linux", 6), ("Git", 5), ("Deep Learning", 6), ("Computer Vision", 4),
    ("Natural Language Processing", 4), ("PostgreSQL", 5), ("Django", 5), ("FastAPI", 4),
    ("Node.js", 5), ("Vue", 4), ("Swift", 3), ("Kotlin", 3), ("C++", 4), ("C#", 4),
    ("Linear Algebra", 4), ("Calculus", 4), ("Probability", 3), ("Algorithms", 6),
    ("Data Structures", 5), ("Cybersecurity", 4), ("Networking", 3), ("AWS", 4), ("Azure", 3),
    ("Terraform", 2), ("Ansible", 2), ("UX Design", 5), ("Figma", 3), ("Photography", 3),
    ("Digital Marketing", 5), ("SEO", 3), ("Copywriting", 2), ("Project Management", 5),
    ("Product Management", 3), ("Leadership", 3), ("Public Speaking", 3), ("Negotiation", 2),
    ("Accounting", 3), ("Personal Finance", 3), ("Investing", 3), ("Spanish", 3),
    ("German", 2), ("English Grammar", 3), ("Music Theory", 2), ("Guitar", 2), ("Drawing", 2),
    ("Blender", 2), ("Unity", 2), ("Game Development", 3), ("Cryptography", 2),
    ("Power BI", 2), ("Tableau", 2), ("Bash", 2), ("Microservices", 3), ("GraphQL", 2),
    # The long tail: a handful of courses each.
    ("Haskell", 0.15), ("Erlang", 0.1), ("COBOL", 0.05), ("Prolog", 0.05), ("OCaml", 0.08),
    ("Fortran", 0.05), ("Elixir", 0.12), ("Clojure", 0.1), ("Zig", 0.05), ("Lisp", 0.08),
]  # fmt: skip
EN_AUDIENCES = [
    "Beginners", "Data Scientists", "Web Developers", "Managers", "Students", "Engineers",
    "Designers", "Analysts", "Kids", "Professionals",
]  # fmt: skip
EN_TITLES = [
    "{t} for {a}", "Introduction to {t}", "Advanced {t}", "{t} in Practice", "Mastering {t}",
    "{t}: From Zero to Hero", "Complete {t} Bootcamp", "{t} Fundamentals",
    "Practical {t} with {u}", "{t} and {u} for {a}", "Learn {t} in {n} Weeks", "{t} Masterclass",
    "Hands-on {t} Projects", "The {t} Handbook", "{t} Course for {a}", "{t} Essentials",
    "Modern {t}", "{t} Crash Course", "Applied {t}",
]  # fmt: skip
EN_SENTENCES = [
    "In this course you will learn {t} step by step.",
    "We cover {t}, {u} and real projects that you can show to an employer.",
    "Suitable for {a} who want to get started with {t}.",
    "Each module ends with a hands-on exercise and a short quiz.",
    "You will build {n} projects and get feedback on your code.",
    "The course assumes no prior knowledge of {u}.",
    "Learn the best practices used by professional teams working with {t}.",
    "Video lectures, reading material and practical assignments on {u}.",
    "By the end you will be confident applying {t} to everyday problems.",
    "Includes a certificate of completion and lifetime access to the materials.",
]

# (nominative, genitive, dative, weight)
RU_TOPICS = [
    ("программирование", "программирования", "программированию", 20),
    ("машинное обучение", "машинного обучения", "машинному обучению", 12),
    ("анализ данных", "анализа данных", "анализу данных", 10),
    ("веб-разработка", "веб-разработки", "веб-разработке", 8),
    ("дизайн интерфейсов", "дизайна интерфейсов", "дизайну интерфейсов", 5),
    ("математический анализ", "математического анализа", "математическому анализу", 4),
    ("линейная алгебра", "линейной алгебры", "линейной алгебре", 4),
    ("теория вероятностей", "теории вероятностей", "теории вероятностей", 3),
    ("статистика", "статистики", "статистике", 5),
    ("бухгалтерский учёт", "бухгалтерского учёта", "бухгалтерскому учёту", 3),
    ("маркетинг", "маркетинга", "маркетингу", 5),
    ("управление проектами", "управления проектами", "управлению проектами", 4),
    ("английский язык", "английского языка", "английскому языку", 5),
    ("немецкий язык", "немецкого языка", "немецкому языку", 2),
    ("базы данных", "баз данных", "базам данных", 5),
    ("алгоритмы", "алгоритмов", "алгоритмам", 4),
    ("сетевые технологии", "сетевых технологий", "сетевым технологиям", 2),
    ("информационная безопасность", "информационной безопасности",
     "информационной безопасности", 3),
    ("фотография", "фотографии", "фотографии", 2),
    ("финансовая грамотность", "финансовой грамотности", "финансовой грамотности", 3),
    ("каллиграфия", "каллиграфии", "каллиграфии", 0.1),
    ("криптография", "криптографии", "криптографии", 0.3),
]  # fmt: skip
RU_LANGUAGES = ["Python", "Go", "Java", "C++", "JavaScript", "Rust", "Kotlin", "1С"]
RU_TITLES = [
    "Основы {g}", "{N} для начинающих", "Курс по {d}", "Практикум по {d}",
    "{N}: с нуля до профессионала", "Продвинутый курс {g}", "Интенсив по {d}", "{N} на практике",
    "Программирование на {lang}", "Введение в {lang}", "Полный курс {g}",
]  # fmt: skip
RU_SENTENCES = [
    "В этом курсе вы шаг за шагом изучите {n}.",
    "Курс подходит для начинающих и тех, кто хочет освежить знания {g}.",
    "Разберём {n} и {n2} на реальных задачах.",
    "Каждый модуль завершается практическим заданием и тестом.",
    "Вы выполните {k} проектов и получите разбор от преподавателя.",
    "Не требуется предварительных знаний {g2}.",
    "Видеолекции, конспекты и домашние задания по {d}.",
    "После курса вы уверенно примените {n} в работе.",
]


@dataclass(frozen=True)
class GeneratedCourse:
    id: uuid.UUID
    teacher_id: uuid.UUID
    teacher_name: str
    title: str
    description: str
    level: str
    price_cents: int
    category_id: uuid.UUID
    duration_minutes: int
    status: str
    avg_rating: float | None
    review_count: int
    enrollment_count: int
    created_at: datetime

    def row(self) -> tuple[object, ...]:
        return (
            self.id, self.teacher_id, self.teacher_name, self.title, self.description,
            self.level, self.price_cents, "USD", self.category_id, self.duration_minutes,
            self.status, self.avg_rating, self.review_count, self.enrollment_count,
            self.created_at, self.created_at,
        )  # fmt: skip


COPY_COLUMNS = [
    "id", "teacher_id", "teacher_name", "title", "description", "level", "price_cents",
    "currency", "category_id", "duration_minutes", "status", "avg_rating", "review_count",
    "enrollment_count", "created_at", "updated_at",
]  # fmt: skip


class CatalogGenerator:
    def __init__(self, seed: int, categories: list[uuid.UUID], teachers: int = 2000) -> None:
        self.rng = random.Random(seed)
        self.categories = categories
        self.teachers = [self._uuid() for _ in range(teachers)]
        self.en_weights = [w for _, w in EN_TOPICS]
        self.ru_weights = [t[3] for t in RU_TOPICS]
        self.start = datetime(2023, 1, 1, tzinfo=UTC)

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def title_and_description(self, rng: random.Random) -> tuple[str, str]:
        """One course's text from `rng`: three in ten are Russian."""
        return self._ru(rng) if rng.random() < 0.3 else self._en(rng)

    def _en(self, rng: random.Random) -> tuple[str, str]:
        t, u = (x[0] for x in rng.choices(EN_TOPICS, self.en_weights, k=2))
        while u == t:
            u = rng.choices(EN_TOPICS, self.en_weights)[0][0]
        fill = {"t": t, "u": u, "a": rng.choice(EN_AUDIENCES), "n": rng.randint(2, 12)}
        title = rng.choice(EN_TITLES).format(**fill)
        sentences = []
        for template in rng.sample(EN_SENTENCES, rng.randint(2, 5)):
            fill["u"] = rng.choices(EN_TOPICS, self.en_weights)[0][0]
            sentences.append(template.format(**fill))
        return title, " ".join(sentences)

    def _ru(self, rng: random.Random) -> tuple[str, str]:
        (n, g, d, _), (n2, g2, _, _) = rng.choices(RU_TOPICS, self.ru_weights, k=2)
        template = rng.choice(RU_TITLES)
        title = template.format(N=n[:1].upper() + n[1:], g=g, d=d, lang=rng.choice(RU_LANGUAGES))
        fill = {"n": n, "g": g, "d": d, "n2": n2, "g2": g2, "k": rng.randint(2, 10)}
        sentences = [t.format(**fill) for t in rng.sample(RU_SENTENCES, rng.randint(2, 4))]
        return title, " ".join(sentences)

    def courses(self, count: int) -> Iterator[GeneratedCourse]:
        rng = self.rng
        for _ in range(count):
            title, description = self.title_and_description(rng)
            reviews = rng.choice([0, 0, 0, rng.randint(1, 10), rng.randint(1, 500)])
            free = rng.random() < 0.25
            yield GeneratedCourse(
                id=self._uuid(),
                teacher_id=rng.choice(self.teachers),
                teacher_name=f"Teacher {rng.randint(1, 9999)}",
                title=title,
                description=description,
                level=rng.choice(["beginner", "beginner", "intermediate", "advanced"]),
                price_cents=0 if free else rng.choice([990, 1990, 2990, 4990, 9990, 19990]),
                category_id=rng.choice(self.categories),
                duration_minutes=rng.randint(30, 3000),
                status="archived" if rng.random() < 0.05 else "published",
                avg_rating=round(rng.uniform(2.5, 5.0), 2) if reviews else None,
                review_count=reviews,
                enrollment_count=rng.randint(0, 5000),
                created_at=self.start + timedelta(seconds=rng.randint(0, 3 * 365 * 86400)),
            )
