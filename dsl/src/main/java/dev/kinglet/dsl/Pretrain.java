package dev.kinglet.dsl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** Unsupervised pre-training of the encoder before supervised training. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = Autoencoder.class, name = "autoencoder")})
public sealed interface Pretrain permits Autoencoder {}
