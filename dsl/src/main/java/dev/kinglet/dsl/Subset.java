package dev.kinglet.dsl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Which labelled images to train on. Subsets are nested by seed: the 10-per-class subset is
 * inside the 50-per-class one, as learning curves need.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = AllImages.class, name = "all"),
        @JsonSubTypes.Type(value = PerClass.class, name = "perClass"),
        @JsonSubTypes.Type(value = Fraction.class, name = "fraction")})
public sealed interface Subset permits AllImages, PerClass, Fraction {}
