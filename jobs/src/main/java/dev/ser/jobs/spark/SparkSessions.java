package dev.ser.jobs.spark;

import dev.ser.jobs.config.JobSettings;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Starts the jobs' Spark session. The master is, in order: {@code --master}, what spark-submit set,
 * else embedded local mode on all cores ({@code local[*]}). The {@code spark.*} settings of {@code
 * conf/} and {@code --conf} fill in what spark-submit left unset.
 */
public final class SparkSessions {
    private SparkSessions() {}

    public static SparkSession start(String appName, String master, JobSettings settings) {
        SparkConf conf = new SparkConf(true); // picks up spark-submit's settings
        settings.spark()
                .forEach(
                        (k, v) -> {
                            if (!conf.contains(k)) {
                                conf.set(k, v);
                            }
                        });
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        SparkSession spark = SparkSession.builder().appName(appName).config(conf).getOrCreate();
        scala.Option<String> ui = spark.sparkContext().uiWebUrl();
        if (ui.isDefined()) {
            System.out.println(
                    "  Spark UI: "
                            + ui.get()
                            + " (while the job runs; spark.ui.enabled=false turns it off)");
        }
        return spark;
    }
}
