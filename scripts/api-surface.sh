#!/usr/bin/env bash
# The public API of every published gecko4j jar, read from the built jars themselves: the module
# name and its exports (`jar --describe-module`; a jar without module-info is an automatic module
# that exports every package it holds) and the public top-level types of each exported package
# (`javap`; nested types such as builders are reached through their outer type). Qualified exports
# (to gecko4j's own modules only) are not API and are listed apart.
#
# Run `mvn -B package -DskipTests` first (the jars under */target). Prints a Markdown table on stdout;
# with --write it replaces the part of README.md between the markers
# `<!-- api-surface:begin -->` and `<!-- api-surface:end -->` instead.
# Env: MODULES (the Maven modules to list, default: all published ones with Java code), JDK (a JDK 11+ home with jar and javap; default: the toolchain's JDK 25, else JAVA_HOME).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
JDK="${JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[ -x "$JDK/bin/javap" ] || JDK="${JAVA_HOME:?set JDK or JAVA_HOME to a JDK}"
version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -1)"
# the published modules with Java code, in dependency order
read -r -a modules <<<"${MODULES:-gecko-core gecko-onnx gecko-fret gecko-train gecko-jvector gecko-langchain4j gecko-spring-boot-autoconfigure gecko-spark}"

table() {
  echo "| module (artifact) | JPMS | exported package | public types |"
  echo "|---|---|---|---|"
  for m in "${modules[@]}"; do
    jar="$root/$m/target/$m-$version.jar"
    [ -f "$jar" ] || { echo "missing $jar: run mvn -B package -DskipTests first" >&2; exit 2; }
    desc="$("$JDK/bin/jar" --describe-module --file "$jar" --release 25 2>/dev/null)"
    name="$(head -1 <<<"$desc" | sed 's/@.*//; s/ .*//')"
    if grep -q "No module descriptor found" <<<"$desc"; then
      name="$(sed -n 's/^\([^@ ]*\)@.* automatic$/\1/p' <<<"$desc")"
      kind="automatic"
      packages="$(unzip -Z1 "$jar" | grep '\.class$' | grep -v '^META-INF/' | sed 's:/[^/]*$::' | sort -u | tr / .)"
    else
      kind="module-info"
      packages="$(sed -n 's/^exports \([^ ]*\)$/\1/p' <<<"$desc" | sort)"
    fi
    first=1
    for p in $packages; do
      classes="$(unzip -Z1 "$jar" | grep "^${p//.//}/[^/]*\.class\$" | grep -v '\$[^/]*\.class$' \
        | grep -v -e 'package-info\.class$' -e 'module-info\.class$' | sed 's:\.class$::; s:/:.:g' || true)"
      [ -n "$classes" ] || continue
      # javap prints each class's declaration: keep the public ones
      types="$("$JDK/bin/javap" -cp "$jar" $classes 2>/dev/null \
        | sed -n 's/^public .*\(class\|interface\|enum\|record\|@interface\) \([A-Za-z0-9_.]*\).*/\2/p' \
        | sed 's/.*\.//' | sort -u | sed 's/.*/`&`/' | paste -sd, - | sed 's/,/, /g')"
      if [ "$first" = 1 ]; then
        echo "| \`$m\` | \`$name\` ($kind) | \`$p\` | $types |"
        first=0
      else
        echo "| | | \`$p\` | $types |"
      fi
    done
    qualified="$(sed -n 's/^qualified exports \([^ ]*\) to \(.*\)$/`\1` (to \2)/p' <<<"$desc" | sed 's/ dev\./, dev./g; s/(to, /(to /' | paste -sd';' -)"
    hidden=""
    if [ "$kind" = "module-info" ]; then
      hidden="$(sed -n 's/^contains \(.*\)$/`\1`/p' <<<"$desc" | paste -sd, - | sed 's/,/, /g')"
    fi
    if [ -n "$qualified$hidden" ]; then
      echo "| | | not API: ${qualified:+qualified exports $qualified}${qualified:+${hidden:+; }}${hidden:+not exported $hidden} | |"
    fi
  done
}

if [ "${1:-}" = "--write" ]; then
  readme="$root/README.md"
  grep -q '<!-- api-surface:begin -->' "$readme" || { echo "no api-surface markers in $readme" >&2; exit 2; }
  out="$(mktemp)"
  table > "$out"
  awk -v f="$out" '
    /<!-- api-surface:begin -->/ { print; while ((getline l < f) > 0) print l; skip = 1; next }
    /<!-- api-surface:end -->/ { skip = 0 }
    !skip' "$readme" > "$readme.tmp" && mv "$readme.tmp" "$readme"
  rm -f "$out"
  echo "wrote the API table of ${#modules[@]} modules into $readme" >&2
else
  table
fi
