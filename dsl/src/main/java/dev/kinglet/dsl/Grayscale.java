package dev.kinglet.dsl;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How one-channel images meet weights pretrained on RGB: {@code sum} the first convolution's
 * weights over its input channels, or {@code repeat} the gray channel three times. The two
 * compute the same function; they differ in what is normalised and trained afterwards.
 */
public enum Grayscale {
    @JsonProperty("sum") SUM,
    @JsonProperty("repeat") REPEAT
}
