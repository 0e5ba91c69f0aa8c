package dev.ser.pipeline.model;

import java.io.Serializable;

/**
 * How ONNX Runtime runs a model in one JVM.
 *
 * @param intraOpThreads threads per inference: the executor's cores divided by the tasks it runs at
 *     once (so concurrent tasks do not oversubscribe the cores)
 * @param batchSize windows per inference call
 */
public record OnnxRuntimeOptions(int intraOpThreads, int batchSize) implements Serializable {

    public OnnxRuntimeOptions {
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException(
                    "intra-op threads must be at least 1, got " + intraOpThreads);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
    }

    /** Threads for an executor with {@code cores} cores running {@code concurrentTasks} tasks. */
    public static OnnxRuntimeOptions forExecutor(int cores, int concurrentTasks, int batchSize) {
        return new OnnxRuntimeOptions(Math.max(1, cores / Math.max(1, concurrentTasks)), batchSize);
    }
}
