"""The phrasing demo courses are written in, one bundle per language.

Placeholders: `{s}` subject, `{t}` topic (mid-sentence), `{T}` topic (capitalised), `{topics}`
the course's topics as a list in prose.
"""

from __future__ import annotations

from dataclasses import dataclass

# The kinds of lesson a module is made of: an opener, some middle lessons, a closer.
OPENERS = ("overview", "ideas")
MIDDLES = ("steps", "example", "project", "mistakes")
CLOSERS = ("practice", "quiz")
# Lessons that show code (in subjects that have code) or a worked example in steps.
HANDS_ON = frozenset({"steps", "example", "project", "mistakes"})


@dataclass(frozen=True)
class Texts:
    course_titles: dict[str, tuple[str, ...]]  # level -> patterns with {s}
    descriptions: dict[str, tuple[str, ...]]  # level -> with {topics}
    lesson_titles: dict[str, str]  # kind -> pattern
    intros: dict[str, tuple[str, ...]]  # kind -> paragraphs
    level_notes: dict[str, str]  # level -> a sentence added to openers
    headings: dict[str, str]  # ideas, example, exercise, recap
    tips: dict[str, tuple[str, ...]]  # category -> points, in teaching order
    steps: dict[str, tuple[str, ...]]  # category -> steps of a worked example, with {t}
    exercises: dict[str, tuple[str, ...]]  # "code" / "text" -> tasks with {t}, {s}
    conjunction: str  # "and"
    quote: tuple[str, str]  # how a topic is quoted in a list ("" in English)


EN = Texts(
    course_titles={
        "beginner": (
            "{s} for Beginners",
            "Introduction to {s}",
            "{s} Fundamentals",
            "Getting Started with {s}",
            "{s} from Scratch",
        ),
        "intermediate": (
            "Practical {s}",
            "{s} in Practice",
            "Intermediate {s}",
            "{s}: Beyond the Basics",
            "Hands-on {s}",
        ),
        "advanced": (
            "Advanced {s}",
            "Mastering {s}",
            "{s} in Depth",
            "{s}: Expert Techniques",
            "Professional {s}",
        ),
    },
    descriptions={
        "beginner": (
            "This beginner course starts from zero and covers {topics}, with short lessons and "
            "an exercise at the end of every module.",
            "No experience needed: step by step through {topics}, with plenty of examples.",
        ),
        "intermediate": (
            "For learners who know the basics: {topics}, with worked examples taken from real "
            "projects.",
            "Move past the basics with {topics}, and practise each on realistic tasks.",
        ),
        "advanced": (
            "An advanced course on {topics} for practitioners who want to go deeper and avoid "
            "the classic pitfalls.",
            "In depth: {topics}, the trade-offs behind them and how experienced people decide.",
        ),
    },
    lesson_titles={
        "overview": "{T}: an overview",
        "ideas": "{T}: the core ideas",
        "steps": "{T} step by step",
        "example": "Worked example: {t}",
        "project": "{T} in a real project",
        "mistakes": "Common mistakes with {t}",
        "practice": "Practice: {t}",
        "quiz": "Recap and quiz: {t}",
    },
    intros={
        "overview": (
            "This lesson opens the module on {t}. We look at where it fits in {s}, which "
            "problems it solves and what you need before the hands-on part.",
            "Before doing anything, let's get the big picture of {t} in {s}: the vocabulary, "
            "the main moving parts and how they fit together.",
        ),
        "ideas": (
            "A few ideas carry most of the weight in {t}. Once they click, the rest of the "
            "module is about applying them with more confidence.",
            "Here we pin down the core ideas behind {t}, each with a short explanation and a "
            "note on why it matters in everyday {s} work.",
        ),
        "steps": (
            "We build up {t} one small step at a time. Each step adds exactly one new idea, so "
            "when something goes wrong you know where to look.",
            "Follow along: we start from the simplest case of {t} and extend it until it covers "
            "what you will meet in real {s} work.",
        ),
        "example": (
            "Theory sticks better with a concrete case. We take one realistic problem and solve "
            "it with {t}, explaining every decision on the way.",
            "A worked example of {t} from start to finish: the problem, a first attempt, what is "
            "wrong with it, and a version you could show a colleague.",
        ),
        "project": (
            "How does {t} look outside a textbook? We follow a small team using it in a real "
            "{s} project and look at the trade-offs they make.",
            "This lesson connects {t} to the work you will do on the job: messy inputs, "
            "deadlines and colleagues who read what you produce.",
        ),
        "mistakes": (
            "Most learners trip over the same few things in {t}. We go through them one by one: "
            "what the mistake looks like and how to fix it.",
            "These are the mistakes with {t} that reviewers point out most often, and the "
            "habits that prevent them.",
        ),
        "practice": (
            "Time to practise. The task below uses everything from this module on {t}; try it "
            "on your own first, then compare with the hints.",
            "Practice turns understanding into skill. Work through the task on {t} without "
            "looking back at the lessons, then check your answer.",
        ),
        "quiz": (
            "A short recap of {t} and a few questions to check yourself. If one feels "
            "uncertain, go back to the matching lesson before moving on.",
            "Let's wrap up {t}: what we covered, what to remember and a quick self-check before "
            "the next module.",
        ),
    },
    level_notes={
        "beginner": "No prior experience is assumed.",
        "intermediate": "We assume you are comfortable with the basics of {s}.",
        "advanced": "We go past the basics, to the details experienced people care about.",
    },
    headings={
        "ideas": "Key ideas",
        "example": "Worked example",
        "exercise": "Try it yourself",
        "recap": "Check yourself",
    },
    tips={
        "programming": (
            "Start from a small program that works and grow it",
            "Give names that say what a value means, not how it is stored",
            "Keep each function doing one thing",
            "Read the error message to the end before changing code",
            "Write a test for the bug before fixing it",
            "Prefer clear code to clever code",
        ),
        "data-science": (
            "Look at the raw data before modelling it",
            "Write down the question before writing the query",
            "Check row counts after every join",
            "Keep a holdout set you never tune on",
            "Plot the distribution, not just the mean",
            "Make every result reproducible from the notebook",
        ),
        "web-development": (
            "Start with semantic, accessible markup",
            "Keep state in one place",
            "Validate input on the server even when the browser checks it",
            "Measure before optimising",
            "Handle loading and error states, not just success",
            "Make URLs stable and meaningful",
        ),
        "design": (
            "Design for the content you actually have",
            "Establish hierarchy with size and spacing before colour",
            "Use a consistent spacing scale",
            "Test with real users early and often",
            "Keep contrast high enough to read in sunlight",
            "Explain design decisions with the problem they solve",
        ),
        "business": (
            "Start from the outcome you want, not the activity",
            "Put numbers on goals so progress is visible",
            "Write decisions down with the reasons behind them",
            "Talk to customers before building for them",
            "Agree on who decides before the discussion starts",
            "Review what happened after every milestone",
        ),
        "languages": (
            "Practise a little every day rather than a lot once a week",
            "Learn words in phrases, not alone",
            "Say new sentences out loud",
            "Listen to native speakers at natural speed",
            "Keep a notebook of your own typical mistakes",
            "Use the language for something you enjoy",
        ),
        "mathematics": (
            "Write down what is given and what is asked",
            "Draw a picture whenever you can",
            "Check a result on a simple special case",
            "Learn definitions precisely; proofs depend on them",
            "Redo worked examples without looking",
            "Estimate the answer before calculating it",
        ),
        "devops": (
            "Automate anything you do twice",
            "Keep configuration in version control",
            "Make every change small and reversible",
            "Monitor what users feel, not only what machines report",
            "Never store secrets in plain text",
            "Write the runbook while the incident is fresh",
        ),
    },
    steps={
        "design": (
            "Collect three examples of {t} from products you use every day",
            "Note what each one does well and what confuses you",
            "Sketch two alternatives on paper before opening a design tool",
            "Pick one and refine it in high fidelity",
            "Show it to someone and watch them use it without explaining",
        ),
        "business": (
            "Describe the situation and the goal in two sentences",
            "List the options and what each would cost",
            "Apply {t} to choose between them",
            "Decide who needs to hear about the decision and how",
            "Agree how you will know in a month whether it worked",
        ),
        "languages": (
            "Read the example dialogue aloud twice",
            "Underline every use of {t}",
            "Replace the underlined parts with your own words",
            "Record yourself and compare with the original",
            "Write five sentences of your own using {t}",
        ),
        "mathematics": (
            "State the problem in your own words",
            "Choose the tool from {t} that fits the problem",
            "Carry out the calculation one line at a time",
            "Check the result with a special case or an estimate",
            "Write one sentence on what the answer means",
        ),
    },
    exercises={
        "code": (
            "Write a small program that uses {t} to solve a problem from your own work or "
            "studies. Keep it under fifty lines and ask a friend to read it.",
            "Take the example above and change it: add one feature that uses {t}, then break "
            "it on purpose and read the error message you get.",
            "Explain {t} to an imaginary colleague in five sentences, then write the code that "
            "shows each sentence in action.",
        ),
        "text": (
            "Apply {t} to a real situation from your own life or work, and write half a page "
            "on what you did and what you would change.",
            "Find an example of {t} in the wild this week and describe in a few sentences why "
            "it works or why it does not.",
            "Explain {t} to a friend who has never studied {s}. If you get stuck, that is the "
            "part to review.",
        ),
    },
    conjunction="and",
    quote=("", ""),
)
