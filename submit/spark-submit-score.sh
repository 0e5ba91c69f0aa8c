#!/usr/bin/env bash
# Example: the score job on a Spark cluster with spark-submit (Spark 4.0.x, Scala 2.13, Java 17).
#
#   submit/spark-submit-score.sh spark://master:7077 hdfs:///voice-notes/2026-11-21 hdfs:///ser/2026-11-21
#
# The application jar (jobs/target/ser-jobs-*-app.jar, built by `mvn package`) carries the
# pipeline, ONNX Runtime with its native library, and the default model; the cluster supplies
# Spark and Hadoop. The model is read once on the driver and shipped to the executors, so a
# --model directory only needs to be readable by the driver (any Hadoop path).
# One ONNX Runtime session per executor JVM is shared by its tasks; with
# spark.executor.cores=4 and spark.task.cpus=1, each task runs inference on 1 thread.
set -euo pipefail
master=${1:?spark master URL}; input=${2:?input path}; output=${3:?output path}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
app_jar=$(ls "$root"/jobs/target/ser-jobs-*-app.jar)

exec "${SPARK_HOME:?set SPARK_HOME to a Spark 4.0 installation}/bin/spark-submit" \
  --master "$master" \
  --deploy-mode client \
  --class dev.ser.jobs.Ser \
  --conf spark.executor.cores=4 \
  --conf spark.executor.memory=4g \
  --conf spark.task.cpus=1 \
  "$app_jar" score --input "$input" --output "$output" "${@:4}"
