package dev.kinglet.dsl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** What the baseline models see: raw pixels, or features of a frozen pretrained backbone. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = PixelFeatures.class, name = "pixels"),
        @JsonSubTypes.Type(value = BackboneFeatures.class, name = "backbone")})
public sealed interface Features permits PixelFeatures, BackboneFeatures {}
