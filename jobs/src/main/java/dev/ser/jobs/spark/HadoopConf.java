package dev.ser.jobs.spark;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * The driver's Hadoop configuration, shipped to executors. Carried as a plain map because {@link
 * Configuration} is only Writable, and a broadcast under Kryo skips Java's {@code writeObject}
 * hooks.
 */
public final class HadoopConf implements Serializable {
    private static final long serialVersionUID = 2L;
    private final HashMap<String, String> entries = new HashMap<>();
    private transient Configuration value;

    public HadoopConf(Configuration conf) {
        for (Map.Entry<String, String> e : conf) {
            entries.put(e.getKey(), e.getValue());
        }
        this.value = conf;
    }

    public synchronized Configuration get() {
        if (value == null) {
            Configuration conf = new Configuration(false);
            entries.forEach(conf::set);
            value = conf;
        }
        return value;
    }
}
