#!/usr/bin/env bash
# Builds the two separate consumer applications under scripts/consumers/ against the gecko4j
# artifacts in the local Maven repository (run `mvn -B install -DskipTests` first) and runs each on
# a plain `java -cp` command line, by default with the JDK 17 `java` on PATH:
#   - langchain4j: the README's LangChain4j example, then SciFact through LangChain4j's ingestor,
#     store and retriever against gecko4j's own embeddings and FlatIndex (needs ../shared/data);
#   - spring-boot: the README's Spring Boot example (only the starter), launched with the whole
#     class path spelled out (several KB) plus a 64 KB system property, as long launchers do.
# Env: JAVA (the java to run with; default `java`), DATA (default ../shared/data beside the repo),
# DOCS / QUERIES (SciFact slice; default 600 / 300). The last stdout line is one JSON object.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
JAVA="${JAVA:-java}"
DATA="${DATA:-$root/../shared/data}"
DOCS="${DOCS:-600}"
QUERIES="${QUERIES:-300}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
jver="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.version = //p')"
flags=()
case "$jver" in 17*|18*|19*|2[0-4]*) ;; *) flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED) ;; esac
build() { # name: compiles the consumer and writes its class path to $work/<name>.cp
  cp -r "$root/scripts/consumers/$1" "$work/$1"
  (cd "$work/$1" && mvn -B -q package dependency:build-classpath -Dmdep.outputFile=cp.txt >&2)
  echo "$work/$1/target/classes:$(cat "$work/$1/cp.txt")" > "$work/$1.cp"
}
run() { # name main-class args...: a plain java -cp launch, output in $work/<name>.out
  local name="$1"; shift
  local cp; cp="$(cat "$work/$name.cp")"
  echo "== $name: java $jver, class path ${#cp} characters, plus a 64 KB -Dpad" >&2
  "$JAVA" "${flags[@]}" "-Dpad=$(head -c 65536 /dev/zero | tr '\0' x)" -cp "$cp" "$@" > "$work/$name.out"
  cat "$work/$name.out" >&2
}
build langchain4j
build spring-boot
run langchain4j demo.GeckoRag "$DATA/beir/scifact" "$DOCS" "$QUERIES"
run spring-boot demo.App
lc4j="$(tail -1 "$work/langchain4j.out")"
spring="$(grep ' floats$' "$work/spring-boot.out" | tail -1 || true)"
case "$spring" in GeckoEmbeddingModel*"-> 384 floats") ok=true ;; *) ok=false ;; esac
printf '{"java":"%s","langchain4j":%s,"spring_boot":{"line":"%s","ok":%s}}\n' "$jver" "$lc4j" "$spring" "$ok"
