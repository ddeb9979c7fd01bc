package dev.kinglet.dsl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** The training loss. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = CrossEntropy.class, name = "crossEntropy"),
        @JsonSubTypes.Type(value = CosineLoss.class, name = "cosine")})
public sealed interface Loss permits CrossEntropy, CosineLoss {}
