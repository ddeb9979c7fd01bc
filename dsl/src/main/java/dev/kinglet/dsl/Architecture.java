package dev.kinglet.dsl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** The network's body. TorchVision-style architectures use TorchVision's parameter names. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = SmallCnn.class, name = "smallCnn"),
        @JsonSubTypes.Type(value = ResNet.class, name = "resnet"),
        @JsonSubTypes.Type(value = MobileNetV2.class, name = "mobilenetV2"),
        @JsonSubTypes.Type(value = MobileNetV3Small.class, name = "mobilenetV3Small"),
        @JsonSubTypes.Type(value = WideResNet.class, name = "wideResNet"),
        @JsonSubTypes.Type(value = Mlp.class, name = "mlp"),
        @JsonSubTypes.Type(value = TorchScriptBackbone.class, name = "torchScript")})
public sealed interface Architecture permits SmallCnn, ResNet, MobileNetV2, MobileNetV3Small, WideResNet, Mlp, TorchScriptBackbone {}
