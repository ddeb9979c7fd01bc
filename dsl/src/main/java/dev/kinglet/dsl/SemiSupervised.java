package dev.kinglet.dsl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Learning from the training split's images beyond the labelled subset, without their labels:
 * {@code {type: pseudoLabel}} (self-training: a teacher trained on the labelled images labels
 * the confident ones, and the job's model trains on both).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = PseudoLabel.class, name = "pseudoLabel")})
public sealed interface SemiSupervised permits PseudoLabel {}
