package dev.kinglet.dsl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Learning from the training split's images beyond the labelled subset, without their labels:
 * {@code {type: pseudoLabel}} (self-training: a teacher trained on the labelled images labels
 * the confident ones, and the job's model trains on both) and {@code {type: fixMatch}} (consistency
 * between weak and strong views of unlabelled images in every step).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = PseudoLabel.class, name = "pseudoLabel"), @JsonSubTypes.Type(value = FixMatch.class, name = "fixMatch")})
public sealed interface SemiSupervised permits PseudoLabel, FixMatch {
    /** The unlabelled images in place of the training part's, or null. */
    DataSource data();
}
