package dev.kinglet.dsl;

/** Every labelled training image. */
public record AllImages() implements Subset {}
