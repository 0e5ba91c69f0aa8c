package dev.ser.jobs.corpus;

import dev.ser.pipeline.corpus.CorpusListing;
import dev.ser.pipeline.corpus.CorpusReader;
import dev.ser.pipeline.corpus.LabelledManifestReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A labelled manifest stored as Parquet (a file or a folder), read with the running Spark session.
 */
public final class ParquetLabelledManifest implements CorpusReader {
    private final LabelledManifestReader rows;

    ParquetLabelledManifest(LabelledManifestReader rows) {
        this.rows = rows;
    }

    @Override
    public String corpus() {
        return rows.corpus();
    }

    @Override
    public CorpusListing read(Path manifest) {
        var table = SparkSession.active().read().parquet(manifest.toAbsolutePath().toString());
        List<String> columns = Arrays.asList(table.columns());
        List<Map<String, String>> values = new ArrayList<>();
        for (Row r : table.collectAsList()) {
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                row.put(columns.get(i), r.isNullAt(i) ? "" : r.get(i).toString());
            }
            values.add(row);
        }
        return rows.listing(
                manifest.toString(), manifest.toAbsolutePath().getParent(), columns, values);
    }
}
