#!/usr/bin/env bash
# Builds the two separate consumer applications under scripts/consumers/ against the gecko4j
# artifacts in the local Maven repository (run `mvn -B install -DskipTests` first) and runs each on
# a plain `java -cp` command line, by default with the JDK 17 `java` on PATH:
#   - langchain4j: the README's LangChain4j example, then SciFact through LangChain4j's ingestor,
#     store and retriever against gecko4j's own embeddings and FlatIndex (needs ../shared/data);
#     then retrieve-then-rerank: gecko4j's EmbeddingModel retrieves, gecko4j's ScoringModel reranks
#     through LangChain4j's ReRankingContentAggregator in a DefaultRetrievalAugmentor (demo.GeckoRerank);
#   - spring-boot: the README's Spring Boot example (only the starter), launched with the whole
#     class path spelled out (several KB) plus a 64 KB system property, as long launchers do; with
#     gecko4j.rerank.model-folder set, the starter's reranking DocumentPostProcessor reranks inside
#     Spring AI's RetrievalAugmentationAdvisor;
#   - spark: the README's Spark example, GeckoEmbeddings in local[2] on SciFact passages against
#     OnnxEmbedder in the same JVM (Spark 4.2.0 with its module flags; needs ../shared/data).
# Env: JAVA (the java to run with; default `java`), DATA (default ../shared/data beside the repo),
# DOCS / QUERIES (SciFact slice; default 600 / 300), SPARK_ROWS (default 300), CONSUMERS (which to
# run; default "langchain4j spring-boot spark"), M2_REPO (the local Maven repository the consumers
# resolve gecko4j from; default Maven's own), RERANKER (a cross-encoder folder for the rerank demos;
# default: an untrained one written by `bin/gecko cross-encoder` from bge-small-en-v1.5 -- no registry
# ships a cross-encoder -- so its ranking is arbitrary: the demos check the plumbing), RERANK_DOCS /
# RERANK_QUERIES (default 300 / 20). The last stdout line is one JSON object.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
JAVA="${JAVA:-java}"
DATA="${DATA:-$root/../shared/data}"
DOCS="${DOCS:-600}"
QUERIES="${QUERIES:-300}"
SPARK_ROWS="${SPARK_ROWS:-300}"
CONSUMERS="${CONSUMERS:-langchain4j spring-boot spark}"
RERANK_DOCS="${RERANK_DOCS:-300}"
RERANK_QUERIES="${RERANK_QUERIES:-20}"
mvn_repo=()
[ -n "${M2_REPO:-}" ] && mvn_repo=("-Dmaven.repo.local=$M2_REPO")
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
case " $CONSUMERS " in
  *" langchain4j "*|*" spring-boot "*)
    if [ -z "${RERANKER:-}" ]; then
      RERANKER="$work/cross-encoder"
      "$root/bin/gecko" cross-encoder --from bge-small-en-v1.5 --out "$RERANKER" >&2
    fi ;;
esac
jver="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.version = //p')"
flags=()
case "$jver" in 17*|18*|19*|2[0-4]*) ;; *) flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED) ;; esac
build() { # name: compiles the consumer and writes its class path to $work/<name>.cp
  cp -r "$root/scripts/consumers/$1" "$work/$1"
  (cd "$work/$1" && mvn -B -q ${mvn_repo[@]+"${mvn_repo[@]}"} package dependency:build-classpath \
    -Dmdep.outputFile=cp.txt >&2)
  echo "$work/$1/target/classes:$(cat "$work/$1/cp.txt")" > "$work/$1.cp"
}
run() { # name extra-flags main-class args...: a plain java -cp launch, output in $work/<name>.out
  local name="$1" extra="$2"; shift 2
  local cp; cp="$(cat "$work/$name.cp")"
  echo "== $name: java $jver, class path ${#cp} characters, plus a 64 KB -Dpad" >&2
  # shellcheck disable=SC2086 # $extra is a list of flags
  "$JAVA" "${flags[@]}" $extra "-Dpad=$(head -c 65536 /dev/zero | tr '\0' x)" -cp "$cp" "$@" \
    > "$work/$name.out"
  cat "$work/$name.out" >&2
}
json="{\"java\":\"$jver\""
for c in $CONSUMERS; do
  build "$c"
  case "$c" in
    langchain4j)
      run langchain4j "" demo.GeckoRag "$DATA/beir/scifact" "$DOCS" "$QUERIES"
      json="$json,\"langchain4j\":$(tail -1 "$work/langchain4j.out")"
      run langchain4j "" demo.GeckoRerank "$RERANKER" "$DATA/beir/scifact" "$RERANK_DOCS" "$RERANK_QUERIES"
      json="$json,\"langchain4j_rerank\":$(tail -1 "$work/langchain4j.out")" ;;
    spring-boot)
      run spring-boot "" demo.App "--gecko4j.rerank.model-folder=$RERANKER"
      spring="$(grep ' floats$' "$work/spring-boot.out" | tail -1 || true)"
      case "$spring" in GeckoEmbeddingModel*"-> 384 floats") ok=true ;; *) ok=false ;; esac
      rerank="$(grep '^rerank: ' "$work/spring-boot.out" | tail -1 || true)"
      case "$rerank" in *"GeckoDocumentReranker"*"-> 2 in the prompt"*"equal to the post-processor"*) rok=true ;; *) rok=false ;; esac
      rerank="${rerank//\"/\\\"}"
      json="$json,\"spring_boot\":{\"line\":\"$spring\",\"ok\":$ok,\"rerank_line\":\"$rerank\",\"rerank_ok\":$rok}" ;;
    spark)
      spark_flags="$("$JAVA" -cp "$(cat "$work/spark.cp")" dev.gecko4j.spark.SparkJvmFlags)"
      run spark "$spark_flags" demo.SparkEmbed "$DATA/beir/scifact/corpus.jsonl" "$SPARK_ROWS"
      json="$json,\"spark\":$(tail -1 "$work/spark.out")" ;;
    *) echo "unknown consumer: $c (expected langchain4j, spring-boot or spark)" >&2; exit 2 ;;
  esac
done
echo "$json}"
