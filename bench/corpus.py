"""A deterministic benchmark corpus: multi-stage Go Dockerfiles, GitHub workflows that build Go
and images, and GitLab CI files, recombined from fragments with a seeded random generator.
Same seed and counts give byte-identical files.

Layout: OUT/docker/NNNNN/Dockerfile (+ go.mod, sometimes a .dockerignore),
        OUT/repo/.github/workflows/wfNNNNN.yml, OUT/gitlab/NNNNN/.gitlab-ci.yml
"""
from __future__ import annotations

import os
import random

GO = ["1.20", "1.21", "1.21.13", "1.22", "1.22.5", "1.23", "1.24"]
PROXIES = ["https://proxy.golang.org,direct", "https://goproxy.io,direct", "direct", "athens:3000",
           "https://proxy.golang.org|https://goproxy.example.net", "http://localhost:3000", "DIRECT"]
APPS = ["api", "gateway", "worker", "billing", "ingest", "scheduler", "exporter", "agent", "cli"]


def dockerfile(rng: random.Random) -> str:
    app = rng.choice(APPS)
    go = rng.choice(GO)
    parts = []
    if rng.random() < 0.5:
        parts.append("# syntax=docker/dockerfile:1\n")
    if rng.random() < 0.3:
        parts.append(f"ARG GOPROXY={rng.choice(PROXIES)}\n")
    parts.append(f"\nFROM golang:{go}-alpine AS deps\nWORKDIR /src\n")
    proxy_style = rng.random()
    if proxy_style < 0.3:
        parts.append("ARG GOPROXY\n")
    elif proxy_style < 0.5:
        parts.append(f"ENV GOPROXY={rng.choice(PROXIES)}\n")
    if rng.random() < 0.2:
        parts.append("ENV GOSUMDB=off\n")
    if rng.random() < 0.2:
        parts.append('ENV GOPRIVATE="github.com/acme/*, gitlab.acme.internal"\n')
    parts.append("COPY go.mod go.sum ./\n")
    parts.append(rng.choice([
        "RUN go mod download\n",
        "RUN --mount=type=cache,target=/go/pkg/mod \\\n    go mod download -x\n",
        "RUN go mod download && go mod verify\n",
    ]))
    parts.append("COPY . .\n")
    for _ in range(rng.randint(1, 6)):
        parts.append(rng.choice([
            "RUN apk add --no-cache git make ca-certificates\n",
            f"RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags='-s -w' -o /out/{app} ./cmd/{app}\n",
            "RUN go test ./... \\\n    && go vet ./...\n",
            "RUN <<EOF\nset -e\ngo generate ./...\ngo build ./...\nEOF\n",
            "LABEL org.opencontainers.image.source=https://github.com/acme/app\n",
            "ENV CGO_ENABLED=0 GOOS=linux\n",
        ]))
    if rng.random() < 0.6:
        parts.append(f"\nFROM deps AS test\nRUN go test -race ./...\n")
    parts.append(f"\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=deps /out/{app} /{app}\n"
                 f"USER nonroot\nENTRYPOINT [\"/{app}\"]\n")
    return "".join(parts)


def workflow(rng: random.Random, index: int) -> str:
    go = rng.choice(GO)
    env = ""
    if rng.random() < 0.5:
        env = f"env:\n  GOPROXY: {rng.choice(PROXIES)}\n  GOFLAGS: -mod=mod\n\n"
    steps = ["      - uses: actions/checkout@v4\n",
             f"      - uses: actions/setup-go@v5\n        with:\n          go-version: '{go}'\n"]
    for _ in range(rng.randint(2, 8)):
        steps.append(rng.choice([
            "      - run: go mod download\n",
            "      - name: Test\n        run: |\n          go vet ./...\n          go test -race -coverprofile=c.out ./...\n",
            "      - run: go build -o bin/app ./cmd/app\n",
            "      - name: Build image\n        run: |\n          docker build \\\n            --build-arg GOPROXY \\\n"
            "            -t acme/app:${{ github.sha }} .\n",
            "      - uses: docker/build-push-action@v6\n        with:\n          context: .\n          push: false\n"
            "          build-args: |\n            VERSION=${{ github.ref_name }}\n",
            '      - run: echo "GOPRIVATE=github.com/acme/*" >> "$GITHUB_ENV"\n',
            "      - run: go env -w GOPROXY=https://goproxy.io,direct\n",
        ]))
    jobs = [f"  build:\n    runs-on: ubuntu-latest\n    steps:\n{''.join(steps)}"]
    if rng.random() < 0.4:
        jobs.append(f"  lint:\n    runs-on: ubuntu-latest\n    container: golang:{go}\n    steps:\n"
                    "      - uses: actions/checkout@v4\n      - run: go vet ./...\n")
    return (f"name: ci-{index}\non:\n  push:\n    branches: [main]\n  pull_request:\n\n"
            f"permissions:\n  contents: read\n\n{env}jobs:\n" + "\n".join(jobs))


def gitlab(rng: random.Random) -> str:
    go = rng.choice(GO)
    parts = [f"image: golang:{go}\n\nstages: [test, build]\n\n"]
    if rng.random() < 0.6:
        parts.append(f"variables:\n  GOPROXY: {rng.choice(PROXIES)}\n  GOPATH: $CI_PROJECT_DIR/.go\n\n")
    parts.append(".go-cache:\n  cache:\n    paths: [.go/pkg/mod/]\n\n")
    parts.append("test:\n  stage: test\n  extends: .go-cache\n  script:\n    - go mod download\n"
                 "    - go test ./...\n\n")
    if rng.random() < 0.5:
        parts.append("image-build:\n  stage: build\n  image: docker:27\n  services:\n    - docker:27-dind\n"
                     "  script:\n    - docker build --build-arg GOPROXY -t $CI_REGISTRY_IMAGE .\n")
    return "".join(parts)


def generate(out: str, seed: int, dockerfiles: int, workflows: int, gitlab_files: int) -> list[str]:
    rng = random.Random(seed)
    written = []

    def write(rel: str, text: str) -> None:
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        written.append(rel)

    for i in range(dockerfiles):
        folder = f"docker/{i:05d}"
        write(f"{folder}/Dockerfile", dockerfile(rng))
        write(f"{folder}/go.mod", f"module example.com/app{i}\n\ngo {rng.choice(GO)}\n")
        if rng.random() < 0.3:
            write(f"{folder}/.dockerignore", rng.choice(["bin/\n.git\n", "**/go.*\n", "*\n!go.mod\n!go.sum\n!cmd\n"]))
    for i in range(workflows):
        write(f"repo/.github/workflows/wf{i:05d}.yml", workflow(rng, i))
    for i in range(gitlab_files):
        write(f"gitlab/{i:05d}/.gitlab-ci.yml", gitlab(rng))
    return written


def large_repository(out: str, seed: int, files: int = 10_000) -> tuple[int, int]:
    """One repository of `files` files in nested folders, like a Go monorepo: services with
    go.mod, Go sources, a Dockerfile and sometimes a .dockerignore; workflows; and folders that
    .gitignore excludes (node_modules/, build/) holding 30% of the files, bad Dockerfiles and
    YAML included, which a correct walk never reads. Returns (files written, lintable files
    outside the ignored folders)."""
    rng = random.Random(seed)
    count = lintable = 0

    def write(rel: str, text: str, lints: bool = False) -> None:
        nonlocal count, lintable
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        count += 1
        lintable += lints

    os.makedirs(os.path.join(out, ".git"), exist_ok=True)
    write(".gitignore", "node_modules/\nbuild/\n*.log\n")
    for i in range(20):
        write(f".github/workflows/wf{i:02d}.yml", workflow(rng, i), lints=True)
    ignored_budget = files * 3 // 10
    for i in range(ignored_budget):
        top = "node_modules" if i % 3 else "build"
        folder = f"{top}/pkg{i // 50:03d}/sub{i % 7}"
        if i % 25 == 0:
            write(f"{folder}/Dockerfile", "FROM golang:1.10\nRUN go build ./...\n")
        elif i % 25 == 1:
            write(f"{folder}/ci.yml", "key: [unclosed\n")
        else:
            write(f"{folder}/index{i}.js", "module.exports = 1;\n")
    service = 0
    while count < files:
        root = f"services/{APPS[service % len(APPS)]}{service:03d}"
        write(f"{root}/go.mod", f"module example.com/{root}\n\ngo {rng.choice(GO)}\n")
        write(f"{root}/Dockerfile", dockerfile(rng), lints=True)
        if rng.random() < 0.3:
            write(f"{root}/.dockerignore", "bin/\n*.log\n", lints=True)
        for j in range(rng.randint(30, 70)):
            if count >= files:
                break
            depth = "/".join(f"pkg{k}" for k in range(j % 4))
            write(f"{root}/internal/{depth}/file{j}.go".replace("//", "/"), f"package p{j % 4}\n")
        service += 1
    return count, lintable
