package dev.ser.pipeline.model;

/**
 * What a model gives for a batch of windows: class probabilities, and, for a model with archive
 * normalisation, each window's pooled features (else null).
 */
public record WindowOutputs(float[][] probabilities, float[][] features) {}
