#!/usr/bin/env bash
# A long fuzzing run of the audio readers with Jazzer's own command line (the JUnit fuzz
# test's duration is fixed in its annotation). Usage: pipeline-lib/fuzz-long.sh [SECONDS]
# (default 1800). It grows the corpus in pipeline-lib/.cifuzz-corpus/long/ (git-ignored),
# starting from the committed seeds and findings, and writes any new finding as
# pipeline-lib/target/fuzz-long/crash-*. libFuzzer's last lines report executions and
# coverage; the exit status is non-zero on a finding.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-1800}"
mvn -B -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/fuzz-long.cp \
    -Dmdep.includeScope=test 2>/dev/null \
  || mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/fuzz-long.cp -Dmdep.includeScope=test
seeds=src/test/resources/dev/ser/pipeline/audio/AudioDecoderFuzzTestInputs/anyBytesDecodeOrFailWithTheReadersOwnErrors
corpus=.cifuzz-corpus/long
mkdir -p "$corpus" target/fuzz-long
exec java -cp "target/test-classes:target/classes:$(cat target/fuzz-long.cp)" com.code_intelligence.jazzer.Jazzer \
  --target_class=dev.ser.pipeline.audio.AudioDecoderFuzzTest \
  --instrumentation_includes='dev.ser.**:org.jflac.**' \
  -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
  -artifact_prefix=target/fuzz-long/ "$corpus" "$seeds"
