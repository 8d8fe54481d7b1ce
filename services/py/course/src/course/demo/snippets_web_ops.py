"""Short code examples for web development and DevOps demo lessons."""

from __future__ import annotations

WEB_OPS_SNIPPETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "html": (
        "html",
        (
            '<nav aria-label="Main">\n'
            "  <ul>\n"
            '    <li><a href="/courses">Courses</a></li>\n'
            '    <li><a href="/about">About</a></li>\n'
            "  </ul>\n"
            "</nav>",
            ".cards {\n"
            "  display: grid;\n"
            "  grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr));\n"
            "  gap: 1.5rem;\n"
            "}",
        ),
    ),
    "react": (
        "jsx",
        (
            "function Counter() {\n"
            "  const [count, setCount] = useState(0);\n"
            "  return <button onClick={() => setCount(count + 1)}>Clicked {count} times</button>;\n"
            "}",
            "function useCourses() {\n"
            "  const [courses, setCourses] = useState([]);\n"
            "  useEffect(() => {\n"
            '    fetch("/api/courses").then((r) => r.json()).then(setCourses);\n'
            "  }, []);\n"
            "  return courses;\n"
            "}",
        ),
    ),
    "vue": (
        "javascript",
        (
            'import { ref, computed } from "vue";\n\n'
            "const items = ref([]);\n"
            "const total = computed(() => items.value.reduce((s, i) => s + i.price, 0));",
            "const routes = [\n"
            '  { path: "/", component: Home },\n'
            '  { path: "/courses/:id", component: CourseDetail, props: true },\n'
            "];",
        ),
    ),
    "node": (
        "javascript",
        (
            'import express from "express";\n\n'
            "const app = express();\n"
            "app.use(express.json());\n"
            'app.get("/health", (req, res) => res.json({ status: "ok" }));\n'
            "app.listen(3000);",
            "function requireUser(req, res, next) {\n"
            '  if (!req.session.userId) return res.status(401).json({ error: "log in first" });\n'
            "  next();\n"
            "}",
        ),
    ),
    "django": (
        "python",
        (
            "from django.db import models\n\n"
            "class Post(models.Model):\n"
            "    title = models.CharField(max_length=200)\n"
            "    body = models.TextField()\n"
            "    published_at = models.DateTimeField(null=True, blank=True)",
            "def post_list(request):\n"
            "    posts = Post.objects.filter(published_at__isnull=False)\n"
            '    posts = posts.order_by("-published_at")\n'
            '    return render(request, "blog/post_list.html", {"posts": posts})',
        ),
    ),
    "fastapi": (
        "python",
        (
            "from fastapi import FastAPI\n"
            "from pydantic import BaseModel\n\n"
            "app = FastAPI()\n\n"
            "class Item(BaseModel):\n"
            "    name: str\n"
            "    price: float\n\n"
            '@app.post("/items", status_code=201)\n'
            "async def create_item(item: Item) -> Item:\n"
            "    return item",
            "async def current_user(token: str = Depends(oauth2_scheme)) -> User:\n"
            "    user = await users.by_token(token)\n"
            "    if user is None:\n"
            "        raise HTTPException(status_code=401)\n"
            "    return user",
        ),
    ),
    "http": (
        "http",
        (
            "GET /courses?level=beginner&limit=20 HTTP/1.1\n"
            "Accept: application/json\n\n"
            "HTTP/1.1 200 OK\n"
            "Content-Type: application/json\n\n"
            '{"items": [...], "next_cursor": "eyJ..."}',
            "HTTP/1.1 409 Conflict\n"
            "Content-Type: application/problem+json\n\n"
            '{"type": "about:blank", "title": "Conflict", "status": 409,\n'
            ' "detail": "already enrolled", "code": "already_enrolled"}',
        ),
    ),
    "graphql": (
        "graphql",
        (
            "query CourseWithLessons($id: ID!) {\n"
            "  course(id: $id) {\n"
            "    title\n"
            "    modules { title lessons { title durationMinutes } }\n"
            "  }\n"
            "}",
            "type Mutation {\n  enroll(courseId: ID!): Enrollment!\n}",
        ),
    ),
    "docker": (
        "dockerfile",
        (
            "FROM python:3.12-slim\n"
            "WORKDIR /app\n"
            "COPY requirements.txt .\n"
            "RUN pip install --no-cache-dir -r requirements.txt\n"
            "COPY . .\n"
            'CMD ["python", "-m", "app"]',
            "FROM node:20 AS build\n"
            "WORKDIR /src\n"
            "COPY . .\n"
            "RUN npm ci && npm run build\n\n"
            "FROM nginx:alpine\n"
            "COPY --from=build /src/dist /usr/share/nginx/html",
        ),
    ),
    "k8s": (
        "yaml",
        (
            "apiVersion: apps/v1\n"
            "kind: Deployment\n"
            "metadata:\n"
            "  name: web\n"
            "spec:\n"
            "  replicas: 3\n"
            "  selector: {matchLabels: {app: web}}\n"
            "  template:\n"
            "    metadata: {labels: {app: web}}\n"
            "    spec:\n"
            "      containers:\n"
            "        - name: web\n"
            "          image: example/web:1.4.2",
            "kubectl get pods -l app=web\n"
            "kubectl rollout status deployment/web\n"
            "kubectl logs deployment/web --since=10m",
        ),
    ),
    "bash": (
        "bash",
        (
            "# the ten largest files under the current directory\n"
            'find . -type f -printf "%s %p\\n" | sort -rn | head -10',
            "#!/usr/bin/env bash\n"
            "set -euo pipefail\n\n"
            "for log in /var/log/nginx/*.log; do\n"
            '  echo "$log: $(grep -c " 500 " "$log") errors"\n'
            "done",
        ),
    ),
    "git": (
        "bash",
        (
            "git switch -c feature/search\n"
            "git add -p\n"
            'git commit -m "Search courses by title"\n'
            "git push -u origin feature/search",
            "git fetch origin\n"
            "git rebase origin/main\n"
            "git reflog   # every place HEAD has been, to recover lost commits",
        ),
    ),
    "terraform": (
        "hcl",
        (
            'resource "aws_s3_bucket" "assets" {\n'
            '  bucket = "${var.project}-assets"\n'
            "  tags   = { Environment = var.environment }\n"
            "}",
            'module "network" {\n'
            '  source     = "./modules/network"\n'
            '  cidr_block = "10.0.0.0/16"\n'
            "}\n\n"
            'output "vpc_id" {\n'
            "  value = module.network.vpc_id\n"
            "}",
        ),
    ),
    "actions": (
        "yaml",
        (
            "on: [push, pull_request]\n"
            "jobs:\n"
            "  test:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - uses: actions/checkout@v4\n"
            "      - run: make test",
            "strategy:\n"
            "  matrix:\n"
            '    python: ["3.11", "3.12"]\n'
            "    os: [ubuntu-latest, macos-latest]",
        ),
    ),
    "ansible": (
        "yaml",
        (
            "- hosts: web\n"
            "  become: true\n"
            "  tasks:\n"
            "    - name: nginx is installed\n"
            "      ansible.builtin.apt:\n"
            "        name: nginx\n"
            "        state: present",
            "- name: site config is in place\n"
            "  ansible.builtin.template:\n"
            "    src: site.conf.j2\n"
            "    dest: /etc/nginx/conf.d/site.conf\n"
            "  notify: reload nginx",
        ),
    ),
    "promql": (
        "promql",
        (
            'sum(rate(http_requests_total{status=~"5.."}[5m]))\n'
            "  /\n"
            "sum(rate(http_requests_total[5m]))",
            "histogram_quantile(0.99,\n"
            "  sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
        ),
    ),
    "aws": (
        "bash",
        (
            "aws s3 cp ./build s3://my-site-bucket/ --recursive\naws s3 ls s3://my-site-bucket/",
            "aws ec2 describe-instances \\\n"
            '  --filters "Name=instance-state-name,Values=running" \\\n'
            '  --query "Reservations[].Instances[].InstanceId"',
        ),
    ),
    "nginx": (
        "nginx",
        (
            "server {\n"
            "    listen 80;\n"
            "    server_name example.com;\n"
            "    location / {\n"
            "        proxy_pass http://127.0.0.1:8000;\n"
            "        proxy_set_header Host $host;\n"
            "    }\n"
            "}",
            "upstream app {\n    server 10.0.0.11:8000;\n    server 10.0.0.12:8000;\n}",
        ),
    ),
}
