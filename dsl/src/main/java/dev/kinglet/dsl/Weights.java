package dev.kinglet.dsl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** Pretrained weights for {@code model.weights}: TorchVision's published files, or a local file. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = TorchVisionWeights.class, name = "torchvision"),
        @JsonSubTypes.Type(value = WeightsFile.class, name = "file")})
public sealed interface Weights permits TorchVisionWeights, WeightsFile {}
