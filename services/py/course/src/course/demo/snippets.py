"""Short code examples for demo lessons, by family: (fence language, examples)."""

from __future__ import annotations

SNIPPETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "python": (
        "python",
        (
            "def total(prices: list[float], tax: float = 0.2) -> float:\n"
            '    """The price of a basket, tax included."""\n'
            "    return round(sum(prices) * (1 + tax), 2)\n\n"
            "print(total([9.99, 4.50]))  # 17.39",
            "from collections import Counter\n\n"
            'words = open("book.txt", encoding="utf-8").read().lower().split()\n'
            "for word, count in Counter(words).most_common(5):\n"
            '    print(f"{word:>10} {count}")',
        ),
    ),
    "algo": (
        "python",
        (
            "def binary_search(items: list[int], target: int) -> int:\n"
            "    lo, hi = 0, len(items) - 1\n"
            "    while lo <= hi:\n"
            "        mid = (lo + hi) // 2\n"
            "        if items[mid] == target:\n"
            "            return mid\n"
            "        lo, hi = (mid + 1, hi) if items[mid] < target else (lo, mid - 1)\n"
            "    return -1",
            "from functools import cache\n\n"
            "@cache\n"
            "def ways(n: int) -> int:\n"
            '    """Ways to climb n stairs taking one or two steps at a time."""\n'
            "    return 1 if n <= 1 else ways(n - 1) + ways(n - 2)",
        ),
    ),
    "js": (
        "javascript",
        (
            'const cart = [{ name: "Book", price: 12 }, { name: "Pen", price: 2 }];\n'
            "const total = cart.reduce((sum, item) => sum + item.price, 0);\n"
            "console.log(`Total: ${total}`);",
            "async function loadUser(id) {\n"
            "  const response = await fetch(`/api/users/${id}`);\n"
            "  if (!response.ok) throw new Error(`HTTP ${response.status}`);\n"
            "  return response.json();\n"
            "}",
        ),
    ),
    "ts": (
        "typescript",
        (
            "interface Course {\n"
            "  id: string;\n"
            "  title: string;\n"
            "  priceCents: number;\n"
            "}\n\n"
            "const isFree = (course: Course): boolean => course.priceCents === 0;",
            "type Result<T> = { ok: true; value: T } | { ok: false; error: string };\n\n"
            "function parseAge(input: string): Result<number> {\n"
            "  const age = Number(input);\n"
            "  return Number.isInteger(age)\n"
            "    ? { ok: true, value: age }\n"
            '    : { ok: false, error: "not a number" };\n'
            "}",
        ),
    ),
    "go": (
        "go",
        (
            "func average(xs []float64) (float64, error) {\n"
            "\tif len(xs) == 0 {\n"
            '\t\treturn 0, errors.New("no values")\n'
            "\t}\n"
            "\tsum := 0.0\n"
            "\tfor _, x := range xs {\n"
            "\t\tsum += x\n"
            "\t}\n"
            "\treturn sum / float64(len(xs)), nil\n"
            "}",
            "results := make(chan string)\n"
            "for _, url := range urls {\n"
            "\tgo func(u string) { results <- fetch(u) }(url)\n"
            "}\n"
            "for range urls {\n"
            "\tfmt.Println(<-results)\n"
            "}",
        ),
    ),
    "rust": (
        "rust",
        (
            "fn longest<'a>(a: &'a str, b: &'a str) -> &'a str {\n"
            "    if a.len() >= b.len() { a } else { b }\n"
            "}\n\n"
            "fn main() {\n"
            '    println!("{}", longest("borrow", "checker"));\n'
            "}",
            "enum Shape {\n"
            "    Circle { r: f64 },\n"
            "    Rect { w: f64, h: f64 },\n"
            "}\n\n"
            "fn area(s: &Shape) -> f64 {\n"
            "    match s {\n"
            "        Shape::Circle { r } => std::f64::consts::PI * r * r,\n"
            "        Shape::Rect { w, h } => w * h,\n"
            "    }\n"
            "}",
        ),
    ),
    "java": (
        "java",
        (
            "List<String> titles = courses.stream()\n"
            "    .filter(c -> c.price() == 0)\n"
            "    .map(Course::title)\n"
            "    .sorted()\n"
            "    .toList();",
            "public record Money(long cents, String currency) {\n"
            "    public Money plus(Money other) {\n"
            "        if (!currency.equals(other.currency)) throw new IllegalArgumentException();\n"
            "        return new Money(cents + other.cents, currency);\n"
            "    }\n"
            "}",
        ),
    ),
    "csharp": (
        "csharp",
        (
            "var cheapest = courses\n"
            "    .Where(c => c.Level == Level.Beginner)\n"
            "    .OrderBy(c => c.Price)\n"
            "    .Take(3)\n"
            "    .ToList();",
            "public async Task<string> ReadTitleAsync(HttpClient http, string url)\n"
            "{\n"
            "    using var response = await http.GetAsync(url);\n"
            "    response.EnsureSuccessStatusCode();\n"
            "    return await response.Content.ReadAsStringAsync();\n"
            "}",
        ),
    ),
    "kotlin": (
        "kotlin",
        (
            "data class Lesson(val title: String, val minutes: Int)\n\n"
            'val lessons = listOf(Lesson("Intro", 5), Lesson("Null safety", 12))\n'
            "val total = lessons.sumOf { it.minutes }\n"
            'println("Total: $total min")',
            'fun String?.orPlaceholder(): String = this ?: "—"\n\n'
            "val name: String? = null\n"
            "println(name.orPlaceholder())",
        ),
    ),
    "cpp": (
        "cpp",
        (
            "#include <iostream>\n"
            "#include <vector>\n\n"
            "int main() {\n"
            "    std::vector<int> xs{3, 1, 4, 1, 5};\n"
            "    for (const auto& x : xs) std::cout << x << ' ';\n"
            "}",
            "template <typename T>\n"
            "T clamp(T value, T lo, T hi) {\n"
            "    return value < lo ? lo : (hi < value ? hi : value);\n"
            "}",
        ),
    ),
    "swift": (
        "swift",
        (
            "struct Course {\n"
            "    let title: String\n"
            "    var rating: Double?\n"
            "}\n\n"
            'let course = Course(title: "Swift basics", rating: nil)\n'
            'print(course.rating.map { String($0) } ?? "not rated yet")',
            "func loadCourses() async throws -> [Course] {\n"
            "    let (data, _) = try await URLSession.shared.data(from: url)\n"
            "    return try JSONDecoder().decode([Course].self, from: data)\n"
            "}",
        ),
    ),
    "pandas": (
        "python",
        (
            "import pandas as pd\n\n"
            'sales = pd.read_csv("sales.csv", parse_dates=["date"])\n'
            'monthly = sales.groupby(sales["date"].dt.to_period("M"))["amount"].sum()\n'
            "print(monthly.tail())",
            'orders = orders.dropna(subset=["customer_id"])\n'
            'report = orders.merge(customers, on="customer_id", how="left")\n'
            'report.pivot_table(index="country", values="total", aggfunc="mean")',
        ),
    ),
    "sql": (
        "sql",
        (
            "SELECT c.name, count(*) AS orders, sum(o.total) AS revenue\n"
            "FROM orders o\n"
            "JOIN customers c ON c.id = o.customer_id\n"
            "WHERE o.created_at >= date '2024-01-01'\n"
            "GROUP BY c.name\n"
            "ORDER BY revenue DESC\n"
            "LIMIT 10;",
            "SELECT day, revenue,\n"
            "       avg(revenue) OVER (ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW)\n"
            "         AS weekly_average\n"
            "FROM daily_revenue;",
        ),
    ),
    "sklearn": (
        "python",
        (
            "from sklearn.model_selection import train_test_split\n"
            "from sklearn.linear_model import LogisticRegression\n\n"
            "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)\n"
            "model = LogisticRegression(max_iter=1000).fit(X_train, y_train)\n"
            'print(f"accuracy: {model.score(X_test, y_test):.2f}")',
            "from sklearn.ensemble import RandomForestClassifier\n"
            "from sklearn.model_selection import cross_val_score\n\n"
            "forest = RandomForestClassifier(n_estimators=200, random_state=0)\n"
            "print(cross_val_score(forest, X, y, cv=5).mean())",
        ),
    ),
    "pytorch": (
        "python",
        (
            "import torch\n"
            "from torch import nn\n\n"
            "model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))\n"
            "logits = model(torch.randn(32, 784))\n"
            "print(logits.shape)  # torch.Size([32, 10])",
            "for images, labels in loader:\n"
            "    optimizer.zero_grad()\n"
            "    loss = loss_fn(model(images), labels)\n"
            "    loss.backward()\n"
            "    optimizer.step()",
        ),
    ),
    "stats": (
        "python",
        (
            "from scipy import stats\n\n"
            "control = [12, 15, 11, 14, 13]\n"
            "variant = [16, 18, 15, 17, 19]\n"
            "result = stats.ttest_ind(control, variant)\n"
            'print(f"p-value: {result.pvalue:.4f}")',
            "import numpy as np\n\n"
            "sample = np.random.default_rng(0).normal(loc=50, scale=10, size=200)\n"
            "low, high = np.percentile(sample, [2.5, 97.5])\n"
            'print(f"mean {sample.mean():.1f}, middle 95%: {low:.1f}..{high:.1f}")',
        ),
    ),
    "matplotlib": (
        "python",
        (
            "import matplotlib.pyplot as plt\n\n"
            "fig, ax = plt.subplots(figsize=(8, 4))\n"
            'ax.plot(months, revenue, marker="o")\n'
            'ax.set_title("Revenue per month")\n'
            'ax.set_ylabel("USD")\n'
            'fig.savefig("revenue.png", dpi=150)',
            "fig, axes = plt.subplots(2, 3, sharey=True)\n"
            'for ax, (region, data) in zip(axes.flat, sales.groupby("region")):\n'
            '    ax.bar(data["month"], data["amount"])\n'
            "    ax.set_title(region)",
        ),
    ),
    "nlp": (
        "python",
        (
            "from sklearn.feature_extraction.text import TfidfVectorizer\n\n"
            'vectorizer = TfidfVectorizer(stop_words="english")\n'
            "matrix = vectorizer.fit_transform(reviews)\n"
            "print(vectorizer.get_feature_names_out()[:10])",
            "from transformers import pipeline\n\n"
            'classify = pipeline("sentiment-analysis")\n'
            'print(classify("The lessons were short and clear."))',
        ),
    ),
    "r": (
        "r",
        (
            "library(dplyr)\n\n"
            "flights |>\n"
            "  filter(!is.na(dep_delay)) |>\n"
            "  group_by(carrier) |>\n"
            "  summarise(mean_delay = mean(dep_delay)) |>\n"
            "  arrange(desc(mean_delay))",
            "library(ggplot2)\n\n"
            "ggplot(mpg, aes(displ, hwy, colour = class)) +\n"
            "  geom_point() +\n"
            '  labs(x = "Engine size (l)", y = "Highway mpg")',
        ),
    ),
    "pyspark": (
        "python",
        (
            "from pyspark.sql import SparkSession, functions as F\n\n"
            'spark = SparkSession.builder.appName("orders").getOrCreate()\n'
            'orders = spark.read.parquet("s3://shop/orders/")\n'
            'orders.groupBy("country").agg(F.sum("total").alias("revenue")).show()',
            'events = spark.readStream.format("kafka").option("subscribe", "clicks").load()\n'
            'counts = events.groupBy(F.window("timestamp", "1 minute")).count()\n'
            'counts.writeStream.outputMode("complete").format("console").start()',
        ),
    ),
}
