"""Demo subjects in programming, data science, web development and DevOps."""

from __future__ import annotations

from course.demo.subject import subject

_PROGRAMMING = (
    subject(
        "programming",
        "Python",
        "python",
        "Python is the language of scripting, automation and data work, and a friendly first "
        "language.",
        "variables, types and expressions|control flow and loops|functions and scope"
        "|lists, dictionaries and sets|classes and dataclasses|iterators, generators and asyncio",
    ),
    subject(
        "programming",
        "JavaScript",
        "js",
        "JavaScript runs in every browser and, with Node.js, on the server too.",
        "values, variables and operators|conditions and loops|functions and closures"
        "|arrays and objects|promises and async/await|modules and the event loop",
    ),
    subject(
        "programming",
        "TypeScript",
        "ts",
        "TypeScript adds a type system to JavaScript that catches mistakes before they ship.",
        "basic types and inference|interfaces and type aliases|union and literal types"
        "|generics|narrowing and type guards|mapped and conditional types",
    ),
    subject(
        "programming",
        "Go",
        "go",
        "Go is a small, fast language built for network services and command-line tools.",
        "packages, variables and types|control flow and functions|slices and maps"
        "|structs, methods and interfaces|error handling|goroutines and channels",
    ),
    subject(
        "programming",
        "Rust",
        "rust",
        "Rust gives you the speed of C with memory safety checked at compile time.",
        "cargo and the first program|ownership and borrowing|structs and enums"
        "|pattern matching|traits and generics|lifetimes and smart pointers",
    ),
    subject(
        "programming",
        "Java",
        "java",
        "Java powers banking systems, Android apps and a large share of enterprise software.",
        "classes and objects|control flow and methods|collections and generics"
        "|exceptions|streams and lambdas|concurrency with executors",
    ),
    subject(
        "programming",
        "C#",
        "csharp",
        "C# is the language of .NET: web back ends, desktop apps and Unity games.",
        "types, variables and methods|classes and properties|collections and LINQ"
        "|exceptions and resources|async and await|records and pattern matching",
    ),
    subject(
        "programming",
        "Kotlin",
        "kotlin",
        "Kotlin is the modern language for Android and a concise alternative to Java on the JVM.",
        "values, variables and functions|null safety|classes and data classes"
        "|collections and lambdas|extension functions|coroutines and flows",
    ),
    subject(
        "programming",
        "C++",
        "cpp",
        "C++ runs game engines, browsers and trading systems where every microsecond counts.",
        "compiling and the first program|references and pointers|classes and RAII"
        "|the standard library containers|templates|move semantics",
    ),
    subject(
        "programming",
        "Swift",
        "swift",
        "Swift is Apple's language for iPhone, iPad and Mac apps.",
        "constants, variables and types|optionals|structs and classes"
        "|protocols and extensions|closures|concurrency with async/await",
    ),
    subject(
        "programming",
        "Algorithms and Data Structures",
        "algo",
        "Algorithms and data structures are what technical interviews and fast programs have in "
        "common.",
        "complexity and big-O notation|arrays and linked lists|stacks, queues and hash tables"
        "|sorting and binary search|trees and graphs|dynamic programming",
    ),
)

_DATA = (
    subject(
        "data-science",
        "Data Analysis with pandas",
        "pandas",
        "pandas turns messy spreadsheets and CSV exports into tables you can question.",
        "loading data and first looks|selecting and filtering rows|cleaning missing values"
        "|grouping and aggregation|joining tables|reshaping and time series",
    ),
    subject(
        "data-science",
        "SQL for Data Analysis",
        "sql",
        "SQL is how analysts ask questions of the data where it already lives.",
        "SELECT, WHERE and ORDER BY|aggregates and GROUP BY|joins|subqueries and CTEs"
        "|window functions|query plans and indexes",
    ),
    subject(
        "data-science",
        "Machine Learning",
        "sklearn",
        "Machine learning finds patterns in data and turns them into predictions.",
        "the machine learning workflow|linear and logistic regression|train, validation and test "
        "sets"
        "|decision trees and random forests|feature engineering|model evaluation and tuning",
    ),
    subject(
        "data-science",
        "Deep Learning with PyTorch",
        "pytorch",
        "PyTorch is the framework most research and production deep learning is written in.",
        "tensors and autograd|building a neural network|training loops and optimizers"
        "|convolutional networks|recurrent networks and sequences|transfer learning",
    ),
    subject(
        "data-science",
        "Statistics for Data Science",
        "stats",
        "Statistics tells you how much to trust what the data seems to say.",
        "descriptive statistics|probability distributions|sampling and the central limit theorem"
        "|confidence intervals|hypothesis tests|A/B testing",
    ),
    subject(
        "data-science",
        "Data Visualization",
        "matplotlib",
        "A good chart answers a question at a glance; a bad one hides the answer.",
        "choosing the right chart|line and bar charts|scatter plots and correlation"
        "|colour and annotation|small multiples|dashboards that people read",
    ),
    subject(
        "data-science",
        "Natural Language Processing",
        "nlp",
        "Natural language processing teaches programs to read, classify and generate text.",
        "tokenization and text cleaning|bag of words and TF-IDF|text classification"
        "|word embeddings|transformers|fine-tuning language models",
    ),
    subject(
        "data-science",
        "Time Series Forecasting",
        "pandas",
        "Forecasting turns the history of sales, traffic or prices into plans for next month.",
        "dates, indexes and resampling|trend and seasonality|moving averages and smoothing"
        "|ARIMA models|forecasting with machine learning|evaluating forecasts",
    ),
    subject(
        "data-science",
        "R for Data Science",
        "r",
        "R and the tidyverse are a complete toolkit for statistics and data analysis.",
        "R basics and RStudio|data frames and dplyr|tidy data with tidyr"
        "|plots with ggplot2|models in R|reports with R Markdown",
    ),
    subject(
        "data-science",
        "Apache Spark",
        "pyspark",
        "Spark processes data too big for one machine across a whole cluster.",
        "the Spark architecture|DataFrames and transformations|Spark SQL"
        "|joins and partitioning|structured streaming|tuning Spark jobs",
    ),
    subject(
        "data-science",
        "Data Engineering",
        "sql",
        "Data engineers build the pipelines that every dashboard and model depends on.",
        "batch and streaming pipelines|data modelling for analytics|loading data incrementally"
        "|orchestration and scheduling|data quality checks|warehouse performance",
    ),
)

_WEB = (
    subject(
        "web-development",
        "HTML and CSS",
        "html",
        "HTML gives a page its structure and CSS its look; every website starts here.",
        "HTML document structure|text, links and images|CSS selectors and the box model"
        "|flexbox|CSS grid|responsive design",
    ),
    subject(
        "web-development",
        "React",
        "react",
        "React builds interfaces out of small components that update themselves.",
        "components and JSX|props and state|handling events and forms"
        "|effects and data fetching|custom hooks|performance and memoization",
    ),
    subject(
        "web-development",
        "Vue.js",
        "vue",
        "Vue.js is a progressive framework that grows from a widget to a full single-page app.",
        "the Vue instance and templates|reactivity and computed properties|components and props"
        "|the Composition API|routing with Vue Router|state with Pinia",
    ),
    subject(
        "web-development",
        "Node.js and Express",
        "node",
        "Node.js and Express run JavaScript on the server, from small APIs to real-time apps.",
        "the Node.js runtime|npm and modules|routing with Express"
        "|middleware|working with a database|authentication and sessions",
    ),
    subject(
        "web-development",
        "Django",
        "django",
        "Django is the batteries-included Python framework behind many content-heavy sites.",
        "projects and apps|models and migrations|views and URLs"
        "|templates and forms|the admin site|Django REST framework",
    ),
    subject(
        "web-development",
        "FastAPI",
        "fastapi",
        "FastAPI builds typed, documented Python APIs with very little code.",
        "path operations|request bodies with Pydantic|dependencies"
        "|databases and async code|authentication with OAuth2|testing and deployment",
    ),
    subject(
        "web-development",
        "Next.js",
        "react",
        "Next.js adds routing, server rendering and a build pipeline to React.",
        "pages and routing|layouts and navigation|server and client components"
        "|data fetching and caching|API routes|deployment",
    ),
    subject(
        "web-development",
        "Web Accessibility",
        "html",
        "Accessible sites work for everyone, including people using screen readers and keyboards.",
        "why accessibility matters|semantic HTML|keyboard navigation"
        "|ARIA roles and labels|colour contrast and motion|testing with a screen reader",
    ),
    subject(
        "web-development",
        "REST API Design",
        "http",
        "A well-designed API is easy to learn, hard to misuse and cheap to change.",
        "resources and URLs|HTTP methods and status codes|request and response bodies"
        "|pagination and filtering|errors and problem details|versioning and evolution",
    ),
    subject(
        "web-development",
        "GraphQL",
        "graphql",
        "GraphQL lets clients ask for exactly the data they need in one request.",
        "schemas and types|queries and arguments|mutations"
        "|resolvers|the N+1 problem and batching|subscriptions",
    ),
    subject(
        "web-development",
        "Web Performance",
        "js",
        "Fast pages keep users: every second of loading time costs visitors.",
        "measuring performance|Core Web Vitals|images and fonts"
        "|caching and CDNs|JavaScript bundle size|rendering performance",
    ),
)

_DEVOPS = (
    subject(
        "devops",
        "Docker",
        "docker",
        "Docker packages an application with everything it needs so it runs the same everywhere.",
        "images and containers|writing a Dockerfile|volumes and networks"
        "|Docker Compose|multi-stage builds|image security",
    ),
    subject(
        "devops",
        "Kubernetes",
        "k8s",
        "Kubernetes runs containers across a cluster and keeps them running.",
        "pods and deployments|services and ingress|configuration and secrets"
        "|storage and stateful sets|autoscaling|Helm charts",
    ),
    subject(
        "devops",
        "Linux Command Line",
        "bash",
        "The Linux shell is where servers are configured, debugged and automated.",
        "navigating the file system|files and permissions|pipes and redirection"
        "|processes and jobs|text processing with grep, sed and awk|shell scripting",
    ),
    subject(
        "devops",
        "Git",
        "git",
        "Git keeps the history of every change and lets a team work on one codebase at once.",
        "commits and the staging area|branches and merging|remotes and pull requests"
        "|resolving conflicts|rebasing|recovering lost work",
    ),
    subject(
        "devops",
        "Terraform",
        "terraform",
        "Terraform describes servers, networks and databases as code you can review.",
        "providers and resources|variables and outputs|state and backends"
        "|modules|workspaces and environments|testing infrastructure",
    ),
    subject(
        "devops",
        "CI/CD with GitHub Actions",
        "actions",
        "Continuous integration runs the tests on every change; continuous delivery ships it.",
        "workflows and triggers|jobs, steps and runners|caching dependencies"
        "|build matrices|secrets and environments|deploying from a pipeline",
    ),
    subject(
        "devops",
        "Ansible",
        "ansible",
        "Ansible configures fleets of servers from plain YAML playbooks over SSH.",
        "inventories and ad-hoc commands|playbooks and tasks|variables and facts"
        "|templates with Jinja2|roles|idempotence and testing",
    ),
    subject(
        "devops",
        "Monitoring with Prometheus and Grafana",
        "promql",
        "Good monitoring tells you something is wrong before your users do.",
        "metrics and exporters|PromQL basics|dashboards in Grafana"
        "|alerting rules|the four golden signals|service level objectives",
    ),
    subject(
        "devops",
        "AWS",
        "aws",
        "Amazon Web Services is the largest cloud; most teams meet it sooner or later.",
        "regions, accounts and IAM|EC2 instances|S3 storage"
        "|VPC networking|RDS databases|cost control",
    ),
    subject(
        "devops",
        "Nginx",
        "nginx",
        "Nginx serves static files, terminates TLS and balances load in front of most web apps.",
        "installing and the config file|serving static sites|reverse proxying"
        "|TLS with Let's Encrypt|load balancing|caching and rate limiting",
    ),
    subject(
        "devops",
        "Site Reliability Engineering",
        "promql",
        "Site reliability engineering treats operations as a software problem.",
        "reliability as a feature|SLIs, SLOs and error budgets|incident response"
        "|postmortems without blame|capacity planning|reducing toil",
    ),
)

TECH_SUBJECTS = (*_PROGRAMMING, *_DATA, *_WEB, *_DEVOPS)
