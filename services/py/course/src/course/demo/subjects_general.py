"""Demo subjects in design, business, languages and mathematics."""

from __future__ import annotations

from course.demo.subject import subject

_DESIGN = (
    subject(
        "design",
        "UI Design",
        None,
        "Interface design decides whether people find the button or give up.",
        "layout and visual hierarchy|spacing and grids|buttons, forms and controls"
        "|icons and imagery|states and feedback|designing for many screen sizes",
    ),
    subject(
        "design",
        "UX Research",
        None,
        "UX research replaces opinions about users with evidence from users.",
        "research questions and goals|user interviews|usability testing"
        "|surveys and analytics|synthesis and affinity mapping|sharing findings with a team",
    ),
    subject(
        "design",
        "Figma",
        None,
        "Figma is where most product teams design, prototype and hand off their screens.",
        "frames, shapes and text|auto layout|components and variants"
        "|styles and variables|interactive prototypes|developer handoff",
    ),
    subject(
        "design",
        "Typography",
        None,
        "Typography is most of what a reader sees; good type is read, not noticed.",
        "anatomy of a typeface|choosing and pairing fonts|size, leading and line length"
        "|type scales|hierarchy with type|typography on screens",
    ),
    subject(
        "design",
        "Color Theory",
        None,
        "Colour sets the mood of a design before a single word is read.",
        "hue, saturation and value|colour harmonies|contrast and legibility"
        "|building a palette|colour and meaning|colour in interfaces",
    ),
    subject(
        "design",
        "Design Systems",
        None,
        "A design system lets a team build consistent products faster.",
        "why teams need a design system|design tokens|core components"
        "|documentation|governance and contribution|versioning and adoption",
    ),
    subject(
        "design",
        "Graphic Design",
        None,
        "Graphic design communicates with images, type and layout on every medium.",
        "the elements of design|composition and balance|working with images"
        "|posters and print layouts|grids for editorial design|preparing files for print",
    ),
    subject(
        "design",
        "Digital Illustration",
        None,
        "Digital illustration brings ideas to life for books, apps and brands.",
        "tools and brushes|sketching and line work|shape language"
        "|light and shadow|colour for illustrators|building a consistent style",
    ),
    subject(
        "design",
        "Motion Design",
        None,
        "Motion design guides attention and makes interfaces feel alive.",
        "principles of animation|timing and easing|keyframes"
        "|animating text and shapes|micro-interactions|motion in product interfaces",
    ),
    subject(
        "design",
        "Logo and Brand Identity",
        None,
        "A brand identity is the set of marks, colours and words people remember a company by.",
        "what a brand is|research and positioning|sketching logo concepts"
        "|refining a logo|colour and type for a brand|brand guidelines",
    ),
    subject(
        "design",
        "Product Design",
        None,
        "Product designers shape what gets built, not only how it looks.",
        "understanding the problem|user flows|wireframes"
        "|prototyping and testing|working with engineers|measuring design outcomes",
    ),
)

_BUSINESS = (
    subject(
        "business",
        "Project Management",
        None,
        "Project management gets the right work done on time with the people you have.",
        "project goals and scope|planning and estimation|schedules and milestones"
        "|risk management|stakeholder communication|closing a project",
    ),
    subject(
        "business",
        "Product Management",
        None,
        "Product managers decide what to build next and why it matters.",
        "the product manager's role|discovering customer problems|writing a product strategy"
        "|roadmaps and prioritisation|metrics and experiments|launching and iterating",
    ),
    subject(
        "business",
        "Digital Marketing",
        None,
        "Digital marketing finds the people who need a product and tells them about it.",
        "marketing goals and audiences|content marketing|search engine optimisation"
        "|paid advertising|email marketing|analytics and attribution",
    ),
    subject(
        "business",
        "Startup Finance",
        None,
        "Knowing the numbers decides whether a startup survives its first two years.",
        "reading financial statements|unit economics|cash flow and runway"
        "|pricing|financial models|raising money",
    ),
    subject(
        "business",
        "Negotiation",
        None,
        "Everyone negotiates, over salaries, contracts and deadlines; few prepare for it.",
        "interests and positions|preparing for a negotiation|anchoring and first offers"
        "|concessions and trade-offs|difficult conversations|closing the deal",
    ),
    subject(
        "business",
        "Leadership",
        None,
        "Leading a team is a skill that can be learned like any other.",
        "from expert to leader|one-on-one meetings|giving feedback"
        "|delegation|building trust|leading through change",
    ),
    subject(
        "business",
        "Agile and Scrum",
        None,
        "Agile teams deliver in small steps and learn from each one.",
        "agile values and principles|Scrum roles|sprints and planning"
        "|user stories and backlogs|daily stand-ups and reviews|retrospectives that change things",
    ),
    subject(
        "business",
        "Business Analytics",
        None,
        "Business analytics turns company data into decisions people can act on.",
        "asking the right business question|key performance indicators|spreadsheets for analysis"
        "|cohorts and funnels|forecasting demand|presenting results to managers",
    ),
    subject(
        "business",
        "Sales",
        None,
        "Good salespeople solve customers' problems rather than push products.",
        "the sales process|prospecting|discovery calls"
        "|presenting and demos|handling objections|closing and account growth",
    ),
    subject(
        "business",
        "Public Speaking",
        None,
        "A clear talk can move a meeting, a team or a room of strangers.",
        "overcoming nerves|structuring a talk|openings and endings"
        "|slides that help|voice and body language|questions from the audience",
    ),
    subject(
        "business",
        "Accounting",
        None,
        "Accounting is the language in which every business reports how it is doing.",
        "the accounting equation|double-entry bookkeeping|the income statement"
        "|the balance sheet|cash flow statements|budgets and variance",
    ),
)

_LANGUAGES = (
    subject(
        "languages",
        "English Grammar",
        None,
        "Solid grammar makes your English clear in writing and in conversation.",
        "present tenses|past tenses|future forms"
        "|modal verbs|conditionals|reported speech and the passive",
    ),
    subject(
        "languages",
        "Spoken English",
        None,
        "Speaking is the skill learners want most and practise least.",
        "introducing yourself|everyday small talk|asking for and giving directions"
        "|talking about work|telling a story|expressing opinions politely",
    ),
    subject(
        "languages",
        "Spanish",
        None,
        "Spanish is spoken by more than 500 million people in over twenty countries.",
        "greetings and pronunciation|ser and estar|present tense verbs"
        "|food, shopping and numbers|the past tenses|the subjunctive",
    ),
    subject(
        "languages",
        "German",
        None,
        "German opens up Europe's largest economy and a rich literature.",
        "pronunciation and greetings|nouns, articles and gender|present tense and word order"
        "|the accusative and dative cases|the perfect tense|subordinate clauses",
    ),
    subject(
        "languages",
        "French",
        None,
        "French is spoken on five continents and in the offices of many international bodies.",
        "pronunciation and greetings|articles and gender|regular verbs in the present"
        "|asking questions|the passé composé|the imparfait and the future",
    ),
    subject(
        "languages",
        "Italian",
        None,
        "Italian is the language of art, music and a great deal of good food.",
        "sounds and greetings|nouns and adjectives|present tense verbs"
        "|prepositions|the passato prossimo|the conditional",
    ),
    subject(
        "languages",
        "Japanese",
        None,
        "Japanese opens the door to Japan's culture, business and media.",
        "hiragana|katakana|basic sentence patterns with desu"
        "|particles|verb forms and politeness|first kanji",
    ),
    subject(
        "languages",
        "Mandarin Chinese",
        None,
        "Mandarin is the most spoken first language in the world.",
        "pinyin and the four tones|greetings and numbers|basic sentence order"
        "|measure words|aspect with le and guo|reading simple characters",
    ),
    subject(
        "languages",
        "Portuguese",
        None,
        "Portuguese is spoken in Brazil, Portugal and across Africa.",
        "pronunciation and greetings|articles, nouns and gender|present tense"
        "|ser, estar and ficar|the preterite|Brazilian and European differences",
    ),
    subject(
        "languages",
        "Business English",
        None,
        "Business English helps you run meetings, write emails and negotiate with confidence.",
        "professional emails|meetings and conference calls|presentations"
        "|negotiating in English|reports and proposals|small talk with clients",
    ),
    subject(
        "languages",
        "Korean",
        None,
        "Korean has one of the most logical alphabets ever designed, and you can learn it in a "
        "day.",
        "the Hangul alphabet|greetings and introductions|basic sentence structure"
        "|particles|verb endings and politeness|numbers and counting",
    ),
)

_MATHEMATICS = (
    subject(
        "mathematics",
        "Algebra",
        None,
        "Algebra is the language the rest of mathematics is written in.",
        "expressions and equations|linear equations|inequalities"
        "|functions and graphs|quadratic equations|exponents and logarithms",
    ),
    subject(
        "mathematics",
        "Calculus",
        None,
        "Calculus describes change: speed, growth and everything in motion.",
        "limits|derivatives|rules of differentiation"
        "|applications of derivatives|integrals|the fundamental theorem of calculus",
    ),
    subject(
        "mathematics",
        "Linear Algebra",
        None,
        "Linear algebra is behind computer graphics, search engines and machine learning.",
        "vectors|matrices and operations|systems of linear equations"
        "|determinants|eigenvalues and eigenvectors|singular value decomposition",
    ),
    subject(
        "mathematics",
        "Probability Theory",
        None,
        "Probability puts numbers on uncertainty, from dice to insurance to spam filters.",
        "events and outcomes|conditional probability|Bayes' theorem"
        "|random variables|expectation and variance|the law of large numbers",
    ),
    subject(
        "mathematics",
        "Discrete Mathematics",
        None,
        "Discrete mathematics is the mathematics computer science is built on.",
        "logic and propositions|sets and relations|proof techniques"
        "|combinatorics|graph theory|recurrence relations",
    ),
    subject(
        "mathematics",
        "Geometry and Trigonometry",
        None,
        "Geometry and trigonometry measure shapes, angles and distances in the real world.",
        "points, lines and angles|triangles and congruence|circles"
        "|area and volume|sine, cosine and tangent|trigonometric identities",
    ),
    subject(
        "mathematics",
        "Number Theory",
        None,
        "Number theory studies the integers and secures every online payment.",
        "divisibility|prime numbers|greatest common divisors"
        "|modular arithmetic|Fermat's little theorem|the RSA algorithm",
    ),
    subject(
        "mathematics",
        "Differential Equations",
        None,
        "Differential equations model populations, circuits, heat and the motion of planets.",
        "what a differential equation is|separable equations|first-order linear equations"
        "|second-order equations|systems of equations|numerical methods",
    ),
    subject(
        "mathematics",
        "Mathematical Logic",
        None,
        "Logic is the study of correct reasoning and the foundation of proof.",
        "propositional logic|truth tables|predicate logic"
        "|formal proofs|sets and functions|Gödel's incompleteness theorems",
    ),
    subject(
        "mathematics",
        "Optimization",
        None,
        "Optimization finds the best plan, route or design among all the possible ones.",
        "formulating an optimization problem|linear programming|the simplex method"
        "|convex functions|gradient descent|integer programming",
    ),
    subject(
        "mathematics",
        "Statistics",
        None,
        "Statistics is how science, medicine and business learn from data.",
        "describing data|probability for statistics|sampling distributions"
        "|estimation|hypothesis testing|linear regression",
    ),
)

GENERAL_SUBJECTS = (*_DESIGN, *_BUSINESS, *_LANGUAGES, *_MATHEMATICS)
