package dev.ser.jobs.spark;

import java.io.Closeable;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The streams and archive readers one task has open. Each is closed by its user when done ({@link
 * #close}); whatever is still open when the task ends (finished, failed, killed, or its output
 * abandoned early by a {@code limit}) is closed by a task-completion listener, so no path leaks a
 * file handle or an HDFS stream on a long-lived executor.
 */
public final class TaskResources {
    private final Set<Closeable> open = ConcurrentHashMap.newKeySet();

    private TaskResources() {}

    /**
     * Resources bound to the running task (outside a task, as in a unit test, the caller closes
     * them).
     */
    public static TaskResources forCurrentTask() {
        TaskResources resources = new TaskResources();
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener(
                    (TaskCompletionListener) context -> resources.closeAll());
        }
        return resources;
    }

    /** Tracks {@code resource} until it is closed here or the task ends. */
    public <T extends Closeable> T track(T resource) {
        open.add(resource);
        return resource;
    }

    /** Closes {@code resource} now, quietly: what it held has been read or given up. */
    public void close(Closeable resource) {
        open.remove(resource);
        try {
            resource.close();
        } catch (IOException | RuntimeException ignored) {
            // nothing more is read from it
        }
    }

    /** Stops tracking {@code resource}, whose new owner (an archive reader, say) closes it. */
    public void release(Closeable resource) {
        open.remove(resource);
    }

    void closeAll() {
        for (Closeable c : Set.copyOf(open)) {
            close(c);
        }
    }
}
