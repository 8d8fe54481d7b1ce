"""`edu seed --scale demo|small|full [--seed N]`: generated data in every service's database.

The stack must be up (`edu up --detach`): the seeder writes into its PostgreSQL, applying any
migration the services have not applied yet, the way they do.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from edu_devstack.processes import StackError
from edu_devstack.settings import StackSettings

from edu_seed.scale import (
    FULL,
    SCALES,
    SEED_ADMIN_EMAIL,
    SEED_PASSWORD,
    SMALL,
    student_email,
    teacher_email,
)
from edu_seed.writer import DATABASES, SeedError, seed

EPILOG = f"""\
scales:
  demo    what `edu up` seeds by itself (300 courses, the three demo accounts); nothing more
  small   about 1/50 of full: {SCALES["small"].users:,} users, {SCALES["small"].courses:,} courses
  full    {FULL.users:,} users, {FULL.courses:,} courses (3-5 modules of 5-10 lessons each),
          {FULL.enrollments:,} enrollments, {FULL.payments:,} payments, {FULL.reviews:,} reviews

seeded accounts (every password: {SEED_PASSWORD}):
  {SEED_ADMIN_EMAIL}
  {teacher_email(1)} .. {teacher_email(FULL.teachers)} (small: .. teacher{SMALL.teachers})
      verified teachers who own the courses
  {student_email(1)} .. {student_email(FULL.students)} (small: .. student{SMALL.students})
      students with enrollments, lesson progress, payments and reviews

Run it once on a fresh stack (`edu reset`, `edu up --detach`, then `edu seed`).
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edu seed",
        description="Seed every service's database with generated data (COPY), consistent "
        "across services and the same for the same --seed.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scale", choices=["demo", *SCALES], default="small")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.scale == "demo":
        print("edu seed: the demo data comes with `edu up` (identity and course seed it at start)")
        return 0
    stack = StackSettings.from_env()
    stack.load_state()
    urls = {name: stack.database_url(name) for name in DATABASES}
    scale = SCALES[args.scale]
    print(f"edu seed: {scale.name} scale, seed {args.seed}, into {stack.database_url('<service>')}")
    try:
        result = asyncio.run(seed(urls, scale, args.seed))
    except (SeedError, StackError) as exc:
        print(f"edu seed: {exc}", file=sys.stderr)
        return 1
    print(f"edu seed: done, {result.summary}; log in as {student_email(1)} / {SEED_PASSWORD}")
    return 0
