package dev.kinglet.dsl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** The training loss: crossEntropy or cosine for classification, mse or smoothL1 for regression. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = CrossEntropy.class, name = "crossEntropy"),
        @JsonSubTypes.Type(value = CosineLoss.class, name = "cosine"),
        @JsonSubTypes.Type(value = RegressionLoss.Mse.class, name = "mse"),
        @JsonSubTypes.Type(value = RegressionLoss.SmoothL1.class, name = "smoothL1")})
public sealed interface Loss permits CrossEntropy, CosineLoss, RegressionLoss {}
