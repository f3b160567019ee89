#!/usr/bin/env bash
# What an application that depends on gecko-onnx plus one model artifact downloads, measured: the
# reactor's jars (run `mvn -B package -DskipTests -pl gecko-onnx,gecko-models/gecko-model-<m> -am`
# first) are installed into a private, throw-away local repository (never ~/.m2), the application
# under scripts/consumers/minimal (which imports gecko4j-bom for the versions) is built against it (every other artifact comes from ~/.m2, read as
# a file:// mirror, so this runs offline), `mvn dependency:copy-dependencies` copies its runtime jars
# into a folder that `du` measures, and the application embeds on a plain `java -cp`.
# Env: MODELS (model artifacts to try, default "bge-small-en-v15-q bge-small-en-v15"), JAVA (default
# `java`). The last stdout line is one JSON object.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
JAVA="${JAVA:-java}"
MODELS="${MODELS:-bge-small-en-v15-q bge-small-en-v15}"
version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
repo="$work/repo"
cat > "$work/settings.xml" <<XML
<settings><localRepository>$repo</localRepository>
  <mirrors><mirror><id>m2</id><mirrorOf>*</mirrorOf><url>file://$HOME/.m2/repository</url></mirror></mirrors>
</settings>
XML
install() { # jar-or-pom pom
  mvn -B -q -o org.apache.maven.plugins:maven-install-plugin:3.1.4:install-file \
    -Dfile="$1" -DpomFile="$2" -DlocalRepositoryPath="$repo" >&2
}
need() { [ -f "$1" ] || { echo "missing $1: run mvn -B package -DskipTests -pl gecko-onnx,gecko-models/gecko-model-<m> -am" >&2; exit 2; }; }
install "$root/pom.xml" "$root/pom.xml"
install "$root/gecko4j-bom/pom.xml" "$root/gecko4j-bom/pom.xml" # the application imports it
for m in gecko-core gecko-onnx; do
  need "$root/$m/target/$m-$version.jar"
  install "$root/$m/target/$m-$version.jar" "$root/$m/pom.xml"
done
json="{\"java\":\"$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.version = //p')\""
for model in $MODELS; do
  dir="$root/gecko-models/gecko-model-$model"
  need "$dir/target/gecko-model-$model-$version.jar"
  install "$dir/target/gecko-model-$model-$version.jar" "$dir/pom.xml"
  app="$work/app-$model"
  cp -r "$root/scripts/consumers/minimal" "$app"
  (cd "$app" && mvn -B -q -s "$work/settings.xml" -Dgecko.model="$model" package \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/lib >&2)
  bytes="$(du -sb "$app/target/lib" | cut -f1)"
  jars="$(ls "$app/target/lib" | wc -l)"
  echo "== gecko-onnx + gecko-model-$model: $jars jars, $(du -sh "$app/target/lib" | cut -f1)" >&2
  ls -S -l "$app/target/lib" | awk 'NR>1 {printf "   %9d %s\n", $5, $9}' >&2
  name="$(sed -n 's/^model=//p' "$dir/src/main/resources/META-INF/gecko4j/gecko-model-$model.properties")"
  out="$("$JAVA" -Xmx1g -cp "$app/target/classes:$app/target/lib/*" demo.Embed "$name" | tail -1)"
  echo "   $out" >&2
  json="$json,\"$model\":{\"jars\":$jars,\"bytes\":$bytes,\"run\":$out}"
done
echo "$json}"
