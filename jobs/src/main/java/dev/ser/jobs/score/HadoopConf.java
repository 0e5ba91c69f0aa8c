package dev.ser.jobs.score;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;

/** The driver's Hadoop configuration, shipped to executors (Configuration itself is only Writable). */
final class HadoopConf implements Serializable {
    private static final long serialVersionUID = 1L;
    private transient Configuration value;

    HadoopConf(Configuration value) {
        this.value = value;
    }

    Configuration get() {
        return value;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        value.write(out);
    }

    private void readObject(ObjectInputStream in) throws IOException {
        value = new Configuration(false);
        value.readFields(in);
    }
}
